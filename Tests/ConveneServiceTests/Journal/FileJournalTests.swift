import ConveneCore
import ConveneService
import Foundation
import Testing

/// The file journal on real files: durable appends, the lock, torn lines, atomic compaction.
struct FileJournalTests {
    static func record(_ type: JournalRecord.RecordType, _ id: String) -> JournalRecord {
        JournalRecord(
            type: type, at: Date(timeIntervalSince1970: 1_800_000_000), key: "ev/20270301/invitation/\(id)@example.test",
            kind: .invitation, msgid: id)
    }

    @Test func appendedRecordsAreReadBackWhenTheJournalIsOpenedAgain() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path + "/state"
        do {
            let journal = try FileJournal(directory: directory)
            try journal.append([Self.record(.attempt, "a"), Self.record(.sent, "a")])
            try journal.append(Self.record(.attempt, "b"))
            #expect(journal.lineCount == 3)
        }
        let reopened = try FileJournal(directory: directory)
        #expect(reopened.lineCount == 3)
        let loaded = reopened.takeLoaded()
        #expect(loaded.records.map(\.msgid) == ["a", "a", "b"])
        #expect(loaded.warnings.isEmpty)
    }

    @Test func aTornLastLineIsCutAtOpeningWithAWarningAndTheNextRecordIsReadable() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let whole = JournalCodec.encode(Self.record(.attempt, "a")) + "\n"
        let torn = String(JournalCodec.encode(Self.record(.sent, "a")).prefix(40))
        try (whole + torn).write(toFile: FileJournal.journalPath(directory), atomically: true, encoding: .utf8)

        let journal = try FileJournal(directory: directory)
        let loaded = journal.takeLoaded()
        #expect(loaded.records.map(\.type) == [.attempt])
        #expect(loaded.warnings.map(\.message) == ["ignoring a torn last line (an interrupted write)"])
        #expect(try String(contentsOfFile: journal.path, encoding: .utf8) == whole)
        try journal.append(Self.record(.sent, "a"))
        let reread = try FileJournal.read(directory: directory)
        #expect(reread.records.map(\.type) == [.attempt, .sent])
        #expect(reread.warnings.isEmpty)
    }

    @Test func aBadLineInTheMiddleIsAnErrorNotSkipped() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let text = "{not json\n" + JournalCodec.encode(Self.record(.attempt, "a")) + "\n"
        try text.write(toFile: FileJournal.journalPath(directory), atomically: true, encoding: .utf8)
        #expect(throws: JournalError.self) { try FileJournal(directory: directory) }
    }

    @Test func aSecondWriterOnTheSameFolderIsRefusedUntilTheFirstIsGone() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        var first: FileJournal? = try FileJournal(directory: directory)
        do {
            _ = try FileJournal(directory: directory)
            Issue.record("a second journal opened while the first held the lock")
        } catch {
            guard case .locked(let path) = error else { throw error }
            #expect(path == directory)
        }
        _ = first
        first = nil
        _ = try FileJournal(directory: directory)
    }

    @Test func compactionReplacesTheFileAtomicallyAndLaterAppendsLandInTheNewFile() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let journal = try FileJournal(directory: directory)
        try journal.append((0..<50).flatMap { [Self.record(.attempt, "m\($0)"), Self.record(.sent, "m\($0)")] })
        let kept = JournalCompaction.compacted(try FileJournal.read(directory: directory).records, now: .distantPast)
        #expect(kept.count == 50)
        try journal.compact(to: kept)
        #expect(journal.lineCount == 50)
        try journal.append(Self.record(.attempt, "late"))
        let reread = try FileJournal.read(directory: directory).records
        #expect(reread.count == 51)
        #expect(reread.last?.msgid == "late")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["journal.jsonl", "journal.lock"])
    }
}

/// A last record that was written whole but lost its newline still counts, in memory and in the file.
struct FileJournalWholeLastLineTests {
    @Test func aCompleteLastRecordWithoutItsNewlineIsKeptAndTerminated() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let first = JournalCodec.encode(FileJournalTests.record(.attempt, "a"))
        let second = JournalCodec.encode(FileJournalTests.record(.sent, "a"))
        try (first + "\n" + second).write(toFile: FileJournal.journalPath(directory), atomically: true, encoding: .utf8)

        let journal = try FileJournal(directory: directory)
        #expect(journal.takeLoaded().records.map(\.type) == [.attempt, .sent])
        try journal.append(FileJournalTests.record(.attempt, "b"))
        let reread = try FileJournal.read(directory: directory)
        #expect(reread.records.map(\.type) == [.attempt, .sent, .attempt])
        #expect(reread.warnings.isEmpty)
    }
}
