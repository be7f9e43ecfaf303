import ConveneCore
import Foundation
import Glibc

/// `state/approvals.jsonl`: the approvals `convene approve` records, one journal record (`approved`) a line, and the
/// one-offs `convene send` queues (`queued`).
///
/// A file of its own because the journal belongs to the running daemon (it holds the journal's lock): `approve`
/// appends here (O_APPEND, fsync) without the lock, and the dispatcher folds new lines in before each plan and copies
/// them into the journal, so the journal and `convene history` keep them too. Reading both files gives the same
/// approvals whichever has a line: folding an approval twice changes nothing.
public enum Approvals {
    /// `directory/approvals.jsonl`: beside the journal, in the state folder.
    public static func path(_ directory: String) -> String { directory + "/approvals.jsonl" }

    /// Appends `record` and makes it durable.
    public static func append(_ record: JournalRecord, directory: String) throws(JournalError) {
        let path = path(directory)
        do {
            try SystemError.createFolder(directory)
            let fd = try SystemError.check("open", path) {
                open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            }
            defer { close(fd) }
            SystemError.matchOwner(fd, of: directory)
            try SystemError.writeAll(fd, Array((JournalCodec.encode(record) + "\n").utf8), path)
            try SystemError.check("fsync", path) { fsync(fd) }
        } catch {
            throw .io(error)
        }
    }

    /// Every approval and queued one-off recorded so far (an unreadable line is skipped: approvals only ever release
    /// a held change, and a damaged one must not release anything; `send` reads its line back before it says a
    /// one-off is queued).
    public static func read(directory: String) -> [JournalRecord] {
        guard let data = FileManager.default.contents(atPath: path(directory)) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard case .success(let record) = JournalCodec.decode(Array(line)),
                record.type == .approved || record.type == .queued
            else {
                return nil
            }
            return record
        }
    }

    /// The size of the file, to notice new lines cheaply (0 when there is none).
    static func size(directory: String) -> Int {
        var info = stat()
        return stat(path(directory), &info) == 0 ? Int(info.st_size) : 0
    }

    /// Asks the convene that holds the journal's lock in `directory` (a running daemon) to reload, so an approval
    /// takes effect now; returns its pid, or nil when no convene holds it.
    public static func signalRunningDaemon(directory: String) -> Int32? {
        let lockPath = directory + "/journal.lock"
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil  // nobody holds it: the next `run` reads the approval at start
        }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = Glibc.read(fd, &buffer, buffer.count)
        guard count > 0,
            let pid = Int32(
                String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            pid > 1
        else { return nil }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard comm == "convene", kill(pid, SIGHUP) == 0 else { return nil }
        return pid
    }
}
