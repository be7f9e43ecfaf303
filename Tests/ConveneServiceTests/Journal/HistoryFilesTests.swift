import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// Compaction moves the outcomes it drops into `state/history/YYYY-MM.jsonl` before the journal loses them, and a
/// crash between the two never loses or double-lists a record.
@Suite(.ownThread)
struct HistoryFilesTests {
    /// 2026-12-31 23:00 UTC and an hour later, in the next month (and year).
    static let december = Date(timeIntervalSince1970: 1_798_758_000)
    static let january = december.addingTimeInterval(3600)

    static func record(_ type: JournalRecord.RecordType, _ id: String, at: Date) -> JournalRecord {
        JournalRecord(
            type: type, at: at, key: "talk/20270101/invitation/\(id)@example.test", kind: .invitation, msgid: id,
            to: "\(id)@example.test", reply: type == .sent ? "250 2.0.0 queued" : nil)
    }

    /// A journal of an occurrence that ended long ago, with an attempt and outcome for each message.
    static let records = [
        record(.attempt, "a", at: december), record(.sent, "a", at: december),
        record(.attempt, "b", at: january), record(.failed, "b", at: january),
        record(.skipped, "c", at: january),
    ]

    static func compact(_ journal: FileJournal) throws {
        let records = try FileJournal.read(directory: journal.directory).records
        let (kept, dropped) = JournalCompaction.partitioned(records, now: january.addingTimeInterval(30 * 86_400))
        try journal.compact(to: kept, archiving: dropped)
    }

    @Test func compactionAppendsTheDroppedOutcomesToTheirMonthsFilesAndTheyAreStillRead() throws {
        let directory = try TestEnvironment.temporaryDirectory("history").path + "/state"
        let journal = try FileJournal(directory: directory)
        try journal.append(Self.records)
        try Self.compact(journal)

        #expect(try FileJournal.read(directory: directory).records.isEmpty)
        #expect(
            HistoryFiles.files(directory: directory)
                == ["2026-12", "2027-01"].map { "\(directory)/history/\($0).jsonl" })
        let january = try String(contentsOfFile: "\(directory)/history/2027-01.jsonl", encoding: .utf8)
        // Journal lines, outcomes only: attempts stay out of the history.
        #expect(
            january.split(separator: "\n").map { try? JournalCodec.decode(Array($0.utf8)).get().type } == [
                .failed, .skipped,
            ])
        let outcomes = try HistoryFiles.outcomes(directory: directory)
        #expect(outcomes.records == Self.records.filter(JournalHistory.isOutcome))
        #expect(outcomes.warnings.isEmpty)

        // A restart and another compaction append nothing twice.
        try journal.append(Self.record(.sent, "d", at: Self.january))
        try Self.compact(journal)
        #expect(try HistoryFiles.read(directory: directory).records.map(\.msgid) == ["a", "b", "c", "d"])
    }

    @Test func aCrashBetweenTheHistoryAppendAndTheRenameListsEachRecordOnceAndATornLineIsIgnored() throws {
        let directory = try TestEnvironment.temporaryDirectory("history").path + "/state"
        let journal = try FileJournal(directory: directory)
        try journal.append(Self.records)
        // What a compaction that crashed before its rename leaves: the outcomes in the history and still in the
        // journal, and the last history line cut short.
        try FileManager.default.createDirectory(
            atPath: HistoryFiles.folder(directory), withIntermediateDirectories: true)
        let lines = [Self.records[3], Self.records[4]].map { JournalCodec.encode($0) + "\n" }.joined()
        let torn = String(JournalCodec.encode(Self.record(.sent, "e", at: Self.january)).prefix(30))
        try (lines + torn).write(toFile: "\(directory)/history/2027-01.jsonl", atomically: true, encoding: .utf8)

        let outcomes = try HistoryFiles.outcomes(directory: directory)
        #expect(outcomes.records.map(\.msgid) == ["a", "b", "c"])
        #expect(outcomes.warnings.map(\.message) == ["ignoring a torn last line (an interrupted write)"])

        try Self.compact(journal)
        let history = try HistoryFiles.read(directory: directory)
        #expect(history.records.map(\.msgid) == ["a", "b", "c"])
        #expect(history.warnings.isEmpty, "the torn line is cut off before appending")
    }
}
