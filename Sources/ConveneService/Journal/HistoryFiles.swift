import ConveneCore
import Foundation
import Glibc

/// `state/history/YYYY-MM.jsonl`: the outcomes compaction drops from the journal, appended and fsynced (file, then
/// folder) before the compacted journal replaces the old one (`FileJournal.compact(to:archiving:)`), so a crash
/// between the two leaves a record in both places, never in neither. Readers merge both (`JournalHistory.merged`),
/// which counts such a record once. Lines are journal lines (`JournalCodec`); the month is the record's in UTC.
public enum HistoryFiles {
    /// The history folder inside the state folder.
    public static func folder(_ directory: String) -> String { directory + "/history" }

    /// Appends the outcomes among `records` to their months' files and fsyncs them and the folder. A record already
    /// in its file (appended by a compaction that crashed before its rename) is not added again. A torn last line
    /// (an append cut short by a crash) is cut off first: its records are still in the journal, and come again.
    /// Called with the journal's lock held, so there is one writer.
    static func append(_ records: [JournalRecord], directory: String) throws(JournalError) {
        let outcomes = records.filter(JournalHistory.isOutcome)
        guard !outcomes.isEmpty else { return }
        let folder = folder(directory)
        let existed = FileManager.default.fileExists(atPath: folder)
        do throws(SystemError) {
            try SystemError.createFolder(folder)
            // A new folder's entry in the state folder must reach the disk too, or its files can vanish with it.
            if !existed { try syncFolder(directory) }
        } catch {
            throw .io(error)
        }
        let months = Dictionary(grouping: outcomes) { JournalHistory.month(of: $0.at) }
        for month in months.keys.sorted() {
            try append(months[month]!, to: folder + "/" + month + ".jsonl")
        }
        do throws(SystemError) { try syncFolder(folder) } catch { throw .io(error) }
    }

    private static func append(_ records: [JournalRecord], to path: String) throws(JournalError) {
        var contents = JournalCodec.Contents()
        if let data = FileManager.default.contents(atPath: path) {
            contents = JournalCodec.read(data, file: path)
            if !contents.errors.isEmpty { throw .damaged(contents.errors) }
        }
        let present = Set(contents.records.map(JournalHistory.Identity.init))
        var bytes: [UInt8] = contents.endsWithNewline ? [] : [UInt8(ascii: "\n")]
        for record in records where !present.contains(JournalHistory.Identity(record)) {
            JournalCodec.append(record, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        do throws(SystemError) {
            let fd = try SystemError.check("open", path) { open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
            defer { close(fd) }
            let size = lseek(fd, 0, SEEK_END)
            if size < 0 { throw SystemError(operation: "seek", path: path, code: errno) }
            let end = off_t(contents.end)
            if size > end { try SystemError.check("truncate", path) { ftruncate(fd, end) } }
            guard !bytes.isEmpty || size != end else { return }
            try SystemError.writeAll(fd, bytes, at: end, path)
            try SystemError.check("fsync", path) { fsync(fd) }
        } catch {
            throw .io(error)
        }
    }

    private static func syncFolder(_ path: String) throws(SystemError) {
        let fd = try SystemError.check("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try SystemError.check("fsync", path) { fsync(fd) }
    }

    /// The history files' paths, oldest month first (empty when there is no history yet).
    public static func files(directory: String) -> [String] {
        let folder = folder(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder + "/" + $0 }
    }

    /// Every record in the history files, without taking the journal's lock. A torn last line is ignored with a
    /// warning; any other unreadable line is an error (`JournalError.damaged`).
    public static func read(directory: String) throws(JournalError)
        -> (records: [JournalRecord], warnings: [Diagnostic])
    {
        var records: [JournalRecord] = []
        var warnings: [Diagnostic] = []
        for path in files(directory: directory) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .io(SystemError(operation: "read", path: path, code: errno == 0 ? EACCES : errno))
            }
            let contents = JournalCodec.read(data, file: path)
            if !contents.errors.isEmpty { throw .damaged(contents.errors) }
            records += contents.records
            warnings += contents.warnings
        }
        return (records, warnings)
    }

    /// Every outcome convene has recorded: the history files and the current journal, each once, oldest first.
    public static func outcomes(directory: String) throws(JournalError)
        -> (records: [JournalRecord], warnings: [Diagnostic])
    {
        let history = try read(directory: directory)
        let journal = try FileJournal.read(directory: directory)
        let merged = JournalHistory.merged(history: history.records, journal: journal.records)
        return (merged, history.warnings + journal.warnings)
    }
}
