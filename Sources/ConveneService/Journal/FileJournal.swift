import ConveneCore
import Foundation
import Glibc

/// Why the journal cannot be used, with the remedy. The daemon stops sending on any of these.
public enum JournalError: Error, Sendable, CustomStringConvertible {
    case locked(path: String)
    case io(SystemError)
    case damaged([Diagnostic])

    public var description: String {
        switch self {
        case .locked(let path):
            return "another convene is using \(path) (its lock is held); stop it first, or give this one its own --state DIR"
        case .io(let error):
            return "journal I/O failed: \(error); nothing more will be sent until the journal can be written (check disk space and permissions)"
        case .damaged(let diagnostics):
            return "the journal is damaged:\n" + diagnostics.map(\.description).joined(separator: "\n")
        }
    }
}

/// `state/journal.jsonl`: append-only JSON lines, fsynced before anything depends on them, one writer at a time
/// (an exclusive `flock` on `journal.lock`), compacted by temp file → fsync → rename → fsync of the folder.
public final class FileJournal: @unchecked Sendable {
    // @unchecked: the file descriptors are only used under `lock`.
    public let directory: String
    public var path: String { FileJournal.journalPath(directory) }
    private var fd: Int32 = -1
    private var lockFD: Int32 = -1
    private let lock = NSLock()
    /// Records in the file: those read at opening, plus those appended, reset by compaction. The dispatcher
    /// compacts when this grows large.
    public private(set) var lineCount = 0
    /// What the journal held when it was opened (read under the lock), and the warnings about it
    /// (a torn last line, which has been cut off).
    private var loaded: (records: [JournalRecord], warnings: [Diagnostic]) = ([], [])

    public static func journalPath(_ directory: String) -> String { directory + "/journal.jsonl" }

    /// Reads every record without taking the lock (for `plan`, `status`, `preview`).
    public static func read(directory: String) throws(JournalError) -> (records: [JournalRecord], warnings: [Diagnostic]) {
        let path = journalPath(directory)
        guard FileManager.default.fileExists(atPath: path) else { return ([], []) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(SystemError(operation: "read", path: path, code: errno == 0 ? EACCES : errno))
        }
        let (records, warnings, errors) = JournalCodec.decodeAll(String(decoding: data, as: UTF8.self), file: path)
        if !errors.isEmpty { throw .damaged(errors) }
        return (records, warnings)
    }

    /// Opens the journal for writing, creating the folder, takes the exclusive lock, then reads every record
    /// (into `loaded`) and cuts off a torn last line, so the next record starts on a clean line.
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(SystemError(operation: "create folder", path: directory, code: errno == 0 ? EACCES : errno))
        }
        let lockPath = directory + "/journal.lock"
        do {
            lockFD = try SystemError.check("open", lockPath) { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
            if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
                close(lockFD)
                throw JournalError.locked(path: directory)
            }
            let path = self.path
            fd = try SystemError.check("open", path) { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
        } catch let error as JournalError {
            throw error
        } catch let error as SystemError {
            throw .io(error)
        } catch {
            throw .io(SystemError(operation: "open", path: directory, code: EIO))
        }
        loaded = try FileJournal.read(directory: directory)
        lineCount = loaded.records.count
        try cutTornLine()
    }

    /// Hands over the records read at opening and forgets them (they can be large).
    public func takeLoaded() -> (records: [JournalRecord], warnings: [Diagnostic]) {
        defer { loaded = ([], []) }
        return loaded
    }

    deinit {
        if fd >= 0 { close(fd) }
        if lockFD >= 0 { close(lockFD) }  // closing releases the flock
    }

    /// A crash (or a full disk) can leave a last line without its newline. When it is not a whole record it was
    /// never completely written, so nothing was done on its strength (`attempt` is fsynced before a send), and
    /// `read` ignored it: truncating after the last newline removes it (appending a newline would leave an
    /// unreadable line in the middle). When it is a whole record missing only its newline, `read` counted it:
    /// it gets its newline.
    private func cutTornLine() throws(JournalError) {
        let path = self.path
        do throws(SystemError) {
            let end = lseek(fd, 0, SEEK_END)
            if end < 0 { throw SystemError(operation: "seek", path: path, code: errno) }
            guard end > 0 else { return }
            let reader = try SystemError.check("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
            defer { close(reader) }
            // Look back for the last newline, a block at a time.
            var keep: off_t = 0
            var position = end
            var block = [UInt8](repeating: 0, count: 4096)
            search: while position > 0 {
                let start = max(0, position - off_t(block.count))
                let count = Int(position - start)
                let read = block.withUnsafeMutableBytes { pread(reader, $0.baseAddress, count, start) }
                guard read == count else { throw SystemError(operation: "read", path: path, code: read < 0 ? errno : EIO) }
                for offset in stride(from: count - 1, through: 0, by: -1) where block[offset] == UInt8(ascii: "\n") {
                    keep = start + off_t(offset) + 1
                    break search
                }
                position = start
            }
            guard keep < end else { return }
            var tail = [UInt8](repeating: 0, count: Int(end - keep))
            let read = tail.withUnsafeMutableBytes { pread(reader, $0.baseAddress, $0.count, keep) }
            guard read == tail.count else { throw SystemError(operation: "read", path: path, code: read < 0 ? errno : EIO) }
            if case .success = JournalCodec.decode(Substring(String(decoding: tail, as: UTF8.self))) {
                // The whole record made it, only its newline did not: it was read as a record, so keep it.
                try SystemError.writeAll(fd, [UInt8(ascii: "\n")], path)
            } else {
                try SystemError.check("truncate", path) { ftruncate(fd, keep) }
            }
            try SystemError.check("fsync", path) { fsync(fd) }
        } catch {
            throw .io(error)
        }
    }

    /// Appends records and fsyncs: when this returns they survive a crash or power loss.
    public func append(_ records: [JournalRecord]) throws(JournalError) {
        guard !records.isEmpty else { return }
        var text = ""
        for record in records {
            text += JournalCodec.encode(record)
            text += "\n"
        }
        try append(raw: text)
        lock.withLock { lineCount += records.count }
    }

    public func append(_ record: JournalRecord) throws(JournalError) { try append([record]) }

    private func append(raw text: String) throws(JournalError) {
        lock.lock()
        defer { lock.unlock() }
        let fd = self.fd
        let path = self.path
        do {
            try SystemError.writeAll(fd, Array(text.utf8), path)
            try SystemError.check("fsync", path) { fsync(fd) }
        } catch {
            throw .io(error)
        }
    }

    /// Rewrites the journal with only `records` (the caller keeps what the fold needs), atomically:
    /// temp file → fsync → rename over the journal → fsync of the folder.
    public func compact(to records: [JournalRecord]) throws(JournalError) {
        lock.lock()
        defer { lock.unlock() }
        let temp = directory + "/journal.jsonl.tmp"
        let path = self.path
        let directory = self.directory
        do throws(SystemError) {
            let tfd = try SystemError.check("open", temp) { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
            defer { close(tfd) }
            try SystemError.writeAll(tfd, Array(records.map { JournalCodec.encode($0) + "\n" }.joined().utf8), temp)
            try SystemError.check("fsync", temp) { fsync(tfd) }
            // Open the new file before the rename: once the rename is done, appends must go to it (the old inode is
            // unlinked), and no error may leave `fd` pointing at the old one.
            let newFD = try SystemError.check("open", temp) { open(temp, O_WRONLY | O_APPEND | O_CLOEXEC, 0o600) }
            do throws(SystemError) {
                try SystemError.check("rename", temp) { rename(temp, path) }
            } catch {
                close(newFD)
                throw error
            }
            close(fd)
            fd = newFD
            lineCount = records.count
            // Until the folder is fsynced the rename may not survive a power cut, and appends to the new file could
            // be lost with it: a failure here is a journal failure like any other.
            let dfd = try SystemError.check("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            defer { close(dfd) }
            try SystemError.check("fsync", directory) { fsync(dfd) }
        } catch {
            throw .io(error)
        }
    }
}
