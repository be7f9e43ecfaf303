import ConveneCore
import Foundation
import Glibc

/// Why the journal cannot be used, with the remedy. The daemon stops sending on any of these.
public enum JournalError: Error, Sendable, CustomStringConvertible {
    case locked(path: String)
    case io(SystemError)
    case damaged([Diagnostic])

    /// What went wrong and what to do: stop the other convene, free disk space, or restore or repair the damaged lines.
    public var description: String {
        switch self {
        case .locked(let path):
            return
                "another convene is using \(path) (its lock is held); stop it first, or give this one its own --state DIR"
        case .io(let error):
            return
                "journal I/O failed: \(error); nothing more will be sent until the journal can be written (check disk space and permissions)"
        case .damaged(let diagnostics):
            return "the journal is damaged:\n" + diagnostics.map(\.description).joined(separator: "\n")
        }
    }
}

/// `state/journal.jsonl`: JSON lines, synced before anything depends on them, one writer at a time (an exclusive
/// `flock` on `journal.lock`), compacted by temp file → fsync → rename → fsync of the folder.
///
/// Records are written over padding: the writer reserves the file ahead in stretches of newlines (`paddingChunk`)
/// and writes each record over the start of what is left, so a sync (`fdatasync`) writes the record's block alone.
/// Appending would also change the file's size, and committing that costs a second disk write per sync (measured:
/// about 180 µs against 120 µs a sync here). Readers skip the blank lines; `trimPadding` cuts them off when the
/// dispatcher goes idle, and opening the journal cuts off what a crash left.
public final class FileJournal: @unchecked Sendable {
    // @unchecked: the file descriptors are only used under `lock`.
    /// The state folder holding `journal.jsonl` and `journal.lock`, as given (`--state`, `$STATE_DIRECTORY`…).
    public let directory: String
    /// `directory/journal.jsonl`.
    public var path: String { FileJournal.journalPath(directory) }
    private var fd: Int32 = -1
    /// Where the records end (the next one is written here), and where the file ends (after the padding).
    private var end: off_t = 0
    private var allocated: off_t = 0
    /// How far the file is reserved ahead of the records at a time.
    public static let paddingChunk = 64 * 1024
    private var lockFD: Int32 = -1
    /// Guards `fd` and writes to it.
    private let lock = NSLock()
    /// Group commit bookkeeping, shared with the syncer thread (which must not keep the journal alive).
    private let group = GroupCommit()
    /// Records in the file: those read at opening, plus those appended, reset by compaction. The dispatcher
    /// compacts when this grows large.
    public private(set) var lineCount = 0
    /// What the journal held when it was opened (read under the lock), and the warnings about it
    /// (a torn last line, which has been cut off).
    private var loaded: (records: [JournalRecord], warnings: [Diagnostic]) = ([], [])

    /// `directory/journal.jsonl`, for callers that have the state folder but no open journal.
    public static func journalPath(_ directory: String) -> String { directory + "/journal.jsonl" }

    /// Reads every record without taking the lock (for `plan`, `status`, `preview`).
    public static func read(directory: String) throws(JournalError) -> (
        records: [JournalRecord], warnings: [Diagnostic]
    ) {
        let contents = try readContents(directory: directory)
        return (contents.records, contents.warnings)
    }

    private static func readContents(directory: String) throws(JournalError) -> JournalCodec.Contents {
        let path = journalPath(directory)
        guard FileManager.default.fileExists(atPath: path) else { return JournalCodec.Contents() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(SystemError(operation: "read", path: path, code: errno == 0 ? EACCES : errno))
        }
        let contents = JournalCodec.read(data, file: path)
        if !contents.errors.isEmpty { throw .damaged(contents.errors) }
        return contents
    }

    /// Opens the journal for writing, creating the folder, takes the exclusive lock, then reads every record
    /// (into `loaded`) and cuts off what follows the last one (a torn write, padding), so the next record starts on a
    /// clean line.
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        do throws(SystemError) { try SystemError.createFolder(directory) } catch { throw .io(error) }
        let lockPath = directory + "/journal.lock"
        do {
            lockFD = try SystemError.check("open", lockPath) { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
            if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
                close(lockFD)
                throw JournalError.locked(path: directory)
            }
            // The holder's pid, so `convene approve` can ask a running daemon to pick its approval up at once.
            if ftruncate(lockFD, 0) == 0 { _ = pwrite(lockFD, "\(getpid())\n", "\(getpid())\n".utf8.count, 0) }
            let path = self.path
            fd = try SystemError.check("open", path) { open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
        } catch let error as JournalError {
            throw error
        } catch let error as SystemError {
            throw .io(error)
        } catch {
            throw .io(SystemError(operation: "open", path: directory, code: EIO))
        }
        let contents = try FileJournal.readContents(directory: directory)
        loaded = (contents.records, contents.warnings)
        lineCount = contents.records.count
        try cutAfterRecords(contents)
        group.withLock {
            group.writtenEnd = end
            group.durableEnd = end
        }
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

    /// A crash (or a full disk) can leave a torn write or padding after the last record (`JournalCodec.read` says
    /// where that is): nothing was done on the strength of a torn write (a record is synced before anything depends
    /// on it), so it is cut off; padding is reserved again when needed. A whole last record that lost only its
    /// newline was read as a record: it gets its newline.
    private func cutAfterRecords(_ contents: JournalCodec.Contents) throws(JournalError) {
        let path = self.path
        do throws(SystemError) {
            let size = lseek(fd, 0, SEEK_END)
            if size < 0 { throw SystemError(operation: "seek", path: path, code: errno) }
            end = off_t(contents.end)
            if size > end { try SystemError.check("truncate", path) { ftruncate(fd, end) } }
            if !contents.endsWithNewline {
                try SystemError.writeAll(fd, [UInt8(ascii: "\n")], at: end, path)
                end += 1
            }
            allocated = end
            if size != end { try SystemError.check("fsync", path) { fsync(fd) } }
        } catch {
            throw .io(error)
        }
    }

    /// Appends records and fsyncs: when this returns they survive a crash or power loss.
    public func append(_ records: [JournalRecord]) throws(JournalError) {
        guard !records.isEmpty else { return }
        try waitDurable(write(records))
    }

    /// Appends one record and fsyncs, as `append(_:)` does for several.
    public func append(_ record: JournalRecord) throws(JournalError) { try append([record]) }

    /// Writes records without waiting for the disk and returns a ticket for `waitDurable`. A syncer thread fsyncs as
    /// soon as there is something to sync, so the fsync overlaps what the caller does next (the SMTP dialogue of the
    /// next message) instead of adding to it; one fsync covers every record written before it (group commit).
    ///
    /// A `lazy` write (an `attempt`) does not ask for an fsync of its own: it becomes durable with the next one,
    /// so a message costs one fsync, not two.
    public func write(_ records: [JournalRecord], lazy: Bool = false) throws(JournalError) -> UInt64 {
        // A torn write can only reach back as far as what is unsynced (`JournalCodec.tornWriteWindow`): past half of
        // that, this write waits for a sync first (lanes write one record at a time, so the rest is ample margin).
        let (backlog, written) = group.withLock { (group.writtenEnd - group.durableEnd, group.written) }
        if backlog > off_t(JournalCodec.tornWriteWindow / 2) { try waitDurable(written) }
        // Each line says how much of the file a sync has already covered: a reader then knows that a bad line before
        // that point is damage, never a torn write to cut off (`JournalCodec.read`). The value only grows, so one
        // read before the write is true when the line lands, after every byte it counts.
        let synced = group.withLock { Int(group.durableEnd) }
        var bytes: [UInt8] = []
        for record in records {
            JournalCodec.append(record, synced: synced, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        lock.lock()
        defer { lock.unlock() }
        if let error = group.withLock({ group.error }) { throw error }
        do {
            // Keep at least one byte of padding after the records: a file that ends in a blank line tells the reader
            // that a writer may have been cut off while writing over it.
            if end + off_t(bytes.count) >= allocated { try reservePadding(for: bytes.count) }
            try SystemError.writeAll(fd, bytes, at: end, path)
            end += off_t(bytes.count)
            allocated = max(allocated, end)
        } catch {
            // A partial write leaves a torn line; nothing more may be written or sent.
            group.withLock {
                group.error = .io(error)
                group.broadcast()
            }
            throw .io(error)
        }
        lineCount += records.count
        group.lock()
        defer { group.unlock() }
        group.written += 1
        group.writtenEnd = end
        if lazy { return group.written }
        group.wanted = group.written
        group.requests += 1
        group.broadcast()
        startSyncer()
        return group.written
    }

    /// Starts the syncer unless one runs. Called with `group` locked. The thread holds the journal only weakly.
    private func startSyncer() {
        guard !group.syncing else { return }
        group.syncing = true
        let group = self.group
        let path = self.path
        Thread.detachNewThread { [weak self] in
            Thread.current.name = "journal-sync"  // as `top -H` and perf show it
            group.run(path: path) { self.map { journal in journal.lock.withLock { journal.fd } } }
        }
    }

    /// How many threads write outcome records at once (the dispatcher's lanes; 1 otherwise). With more than one, a
    /// sync waits until each has asked for one, or until anyone waits for the disk, so one sync covers all their
    /// records instead of starting as soon as the first arrives and leaving the others to the next.
    public var concurrentWriters: Int {
        get { group.withLock { group.writers } }
        set {
            group.withLock {
                group.writers = max(1, newValue)
                group.broadcast()
            }
        }
    }

    /// How many syncs the journal has made: with group commit, fewer than the records that asked for one.
    public var syncCount: Int { group.withLock { group.syncs } }

    /// The time those syncs took, in seconds: with one connection, each message waits for one of them.
    public var syncSeconds: Double { group.withLock { group.syncSeconds } }

    /// Blocks until everything written up to `ticket` is on disk (or the journal has failed).
    public func waitDurable(_ ticket: UInt64) throws(JournalError) {
        group.lock()
        defer { group.unlock() }
        guard group.durable < ticket else { return }
        if group.wanted < ticket {
            // A lazy record someone now waits for: ask for it.
            group.wanted = ticket
            group.broadcast()
            startSyncer()
        }
        // Someone needs the disk now: the syncer stops gathering (`concurrentWriters`) and syncs.
        group.waiters += 1
        group.broadcast()
        while group.durable < ticket && group.error == nil { group.wait() }
        group.waiters -= 1
        if let error = group.error { throw error }
    }

    /// Reserves another stretch of padding. When the disk (or a file size limit) has no room for it, the record is
    /// appended without padding instead, as long as there is room for the record itself. Called with `lock` held.
    private func reservePadding(for count: Int) throws(SystemError) {
        let grow = max(FileJournal.paddingChunk, count + 1)
        do {
            try SystemError.writeAll(fd, [UInt8](repeating: UInt8(ascii: "\n"), count: grow), at: allocated, path)
            allocated += off_t(grow)
        } catch  where error.code == ENOSPC || error.code == EFBIG || error.code == EDQUOT {
            try SystemError.check("truncate", path) { ftruncate(fd, allocated) }
        }
    }

    /// Cuts the padding off the end of the file, so that an idle journal is plain JSON lines (`tail` shows the last
    /// records). The dispatcher calls it when a batch is done; the next write reserves padding again.
    public func trimPadding() throws(JournalError) {
        lock.lock()
        defer { lock.unlock() }
        guard allocated > end else { return }
        do throws(SystemError) {
            try SystemError.check("truncate", path) { ftruncate(fd, end) }
            try SystemError.check("fdatasync", path) { fdatasync(fd) }
        } catch {
            throw .io(error)
        }
        allocated = end
    }

    /// Rewrites the journal with only `records` (the caller keeps what the fold needs), atomically:
    /// temp file → fsync → rename over the journal → fsync of the folder.
    ///
    /// The outcomes among `dropped` (what compaction leaves out) are first appended to the history
    /// (`HistoryFiles`) and fsynced: only then may the journal lose them. A crash in between leaves them in both,
    /// which readers count once.
    public func compact(to records: [JournalRecord], archiving dropped: [JournalRecord] = []) throws(JournalError) {
        // Everything written goes to disk, and the syncer lets go of the current file, before it is replaced.
        try waitDurable(group.withLock { group.written })
        group.lock()
        while group.syncing && group.error == nil { group.wait() }
        if let error = group.error {
            group.unlock()
            throw error
        }
        group.unlock()
        lock.lock()
        defer { lock.unlock() }
        try HistoryFiles.append(dropped, directory: directory)
        let temp = directory + "/journal.jsonl.tmp"
        let path = self.path
        let directory = self.directory
        do throws(SystemError) {
            let tfd = try SystemError.check("open", temp) {
                open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            }
            defer { close(tfd) }
            var bytes: [UInt8] = []
            for record in records {
                JournalCodec.append(record, to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
            try SystemError.writeAll(tfd, bytes, temp)
            try SystemError.check("fsync", temp) { fsync(tfd) }
            // Open the new file before the rename: once the rename is done, appends must go to it (the old inode is
            // unlinked), and no error may leave `fd` pointing at the old one.
            let newFD = try SystemError.check("open", temp) { open(temp, O_WRONLY | O_CLOEXEC, 0o600) }
            do throws(SystemError) {
                try SystemError.check("rename", temp) { rename(temp, path) }
            } catch {
                close(newFD)
                throw error
            }
            close(fd)
            fd = newFD
            end = off_t(bytes.count)
            allocated = end
            group.withLock {
                group.writtenEnd = end
                group.durableEnd = end
            }
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

/// Group commit: tickets written and made durable, whether a syncer runs, and the first failure (after which nothing
/// more is written). The syncer syncs (`fdatasync`) while something is unsynced — with several writers, once each has
/// asked or someone waits — lingers briefly for the next write (a burst of messages keeps one thread instead of
/// starting one per record), then exits; the next write starts another.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: every field is read and written only while holding `condition`.
    private let condition = NSCondition()
    var written: UInt64 = 0
    /// The highest ticket someone needs on disk; lazy writes do not raise it.
    var wanted: UInt64 = 0
    var durable: UInt64 = 0
    /// Where the records written so far end in the file, and how far of that the syncs so far cover.
    var writtenEnd: off_t = 0
    var durableEnd: off_t = 0
    var syncing = false
    var error: JournalError?
    /// Writes that asked for a sync, and how many of them the syncs started so far cover.
    var requests = 0
    var requestsCovered = 0
    /// Threads blocked in `waitDurable`.
    var waiters = 0
    /// Syncs made, and the seconds they took.
    var syncs = 0
    var syncSeconds = 0.0
    /// See `FileJournal.concurrentWriters`.
    var writers = 1

    func lock() { condition.lock() }
    func unlock() { condition.unlock() }
    func wait() { condition.wait() }
    func wait(until date: Date) -> Bool { condition.wait(until: date) }
    func broadcast() { condition.broadcast() }
    func withLock<T>(_ body: () throws -> T) rethrows -> T { try condition.withLock(body) }

    /// The syncer's loop. `descriptor` gives the journal's current file, or nil once the journal is gone; it is
    /// called without holding the lock, so the syncer never keeps the journal alive while it waits.
    func run(path: String, descriptor: () -> Int32?) {
        lock()
        while error == nil {
            if wanted <= durable {
                _ = wait(until: Date().addingTimeInterval(0.05))
                if wanted <= durable { break }
                continue
            }
            if requests - requestsCovered < writers && waiters == 0 {
                wait()  // gathering: another writer's record or a waiter is coming
                continue
            }
            requestsCovered = requests
            let target = written
            let targetEnd = writtenEnd
            unlock()
            let fd = descriptor()
            // fdatasync: the written bytes (and the file's new size when padding was reserved), which is all a reader
            // needs; the timestamps fsync would also write cost a second disk write per message.
            let started = DispatchTime.now().uptimeNanoseconds
            let result = fd.map { fdatasync($0) } ?? 0
            let code = errno
            lock()
            if fd == nil { break }
            if result != 0 {
                error = .io(SystemError(operation: "fdatasync", path: path, code: code))
            } else {
                durable = max(durable, target)
                durableEnd = max(durableEnd, targetEnd)
                syncs += 1
                syncSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            }
            broadcast()
        }
        syncing = false
        broadcast()
        unlock()
    }
}
