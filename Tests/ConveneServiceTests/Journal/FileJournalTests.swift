import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// The file journal on real files: durable appends, the lock, torn lines, atomic compaction.
@Suite(.ownThread)
struct FileJournalTests {
    static func record(_ type: JournalRecord.RecordType, _ id: String) -> JournalRecord {
        JournalRecord(
            type: type, at: Date(timeIntervalSince1970: 1_800_000_000),
            key: "ev/20270301/invitation/\(id)@example.test",
            kind: .invitation, msgid: id)
    }

    /// Opens the journal again once the last holder has let go of its lock. Within one test process "gone" is not
    /// instant: the syncer thread may hold the last reference for a moment (the journal is then closed on that
    /// thread), and a child another test is spawning holds a copy of every descriptor until its exec.
    static func reopen(_ directory: String) throws -> FileJournal {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                return try FileJournal(directory: directory)
            } catch {
                guard case .locked = error, Date() < deadline else { throw error }
                usleep(10_000)
            }
        }
    }

    @Test func appendedRecordsAreReadBackWhenTheJournalIsOpenedAgain() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path + "/state"
        do {
            let journal = try FileJournal(directory: directory)
            try journal.append([Self.record(.attempt, "a"), Self.record(.sent, "a")])
            try journal.append(Self.record(.attempt, "b"))
            #expect(journal.lineCount == 3)
        }
        let reopened = try Self.reopen(directory)
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

    /// Records are written over padding reserved ahead (so a sync does not change the file's size); readers skip
    /// it, and `trimPadding` leaves plain JSON lines.
    @Test func recordsAreWrittenOverReservedPaddingThatTrimmingCutsOff() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let journal = try FileJournal(directory: directory)
        let records = [Self.record(.attempt, "a"), Self.record(.sent, "a"), Self.record(.attempt, "b")]
        for record in records { try journal.append(record) }
        // Each appended line says how much of the file was synced before it: every line before it.
        var lines = ""
        for record in records {
            var bytes: [UInt8] = []
            JournalCodec.append(record, synced: lines.utf8.count, to: &bytes)
            lines += String(decoding: bytes, as: UTF8.self) + "\n"
        }
        let padded = try Data(contentsOf: URL(fileURLWithPath: journal.path))
        #expect(padded.count >= FileJournal.paddingChunk)
        #expect(padded.prefix(lines.utf8.count) == Data(lines.utf8))
        #expect(padded.dropFirst(lines.utf8.count).allSatisfy { $0 == UInt8(ascii: "\n") })
        let read = try FileJournal.read(directory: directory)
        #expect(read.records == records && read.warnings.isEmpty)

        try journal.trimPadding()
        #expect(try String(contentsOfFile: journal.path, encoding: .utf8) == lines)
        try journal.append(Self.record(.sent, "b"))
        #expect(try FileJournal.read(directory: directory).records.map(\.msgid) == ["a", "a", "b", "b"])
    }

    /// A crash while records were being written over the padding: the disk may hold a later record and not an
    /// earlier one. Opening cuts off the torn record, what follows it and the padding, and writing goes on from the
    /// last whole record.
    @Test func whatACrashLeftInThePaddingIsCutOffAtOpening() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        // Appended together, neither line had anything synced before it.
        var written: [UInt8] = []
        for record in [Self.record(.attempt, "a"), Self.record(.sent, "a")] {
            JournalCodec.append(record, synced: 0, to: &written)
            written.append(UInt8(ascii: "\n"))
        }
        let kept = String(decoding: written, as: UTF8.self)
        do {
            let journal = try FileJournal(directory: directory)
            try journal.append([Self.record(.attempt, "a"), Self.record(.sent, "a")])
            // As the disk could hold it after a power cut: the start of b's attempt lost, its outcome on disk.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
            try handle.seek(toOffset: UInt64(kept.utf8.count))
            let torn = String(JournalCodec.encode(Self.record(.attempt, "b")).dropFirst(25))
            try handle.write(contentsOf: Data((torn + "\n" + JournalCodec.encode(Self.record(.sent, "b")) + "\n").utf8))
            try handle.close()
        }
        let journal = try Self.reopen(directory)
        let loaded = journal.takeLoaded()
        #expect(loaded.records.map(\.msgid) == ["a", "a"])
        #expect(loaded.warnings.map(\.line) == [3])
        #expect(try String(contentsOfFile: journal.path, encoding: .utf8) == kept)
        try journal.append(Self.record(.attempt, "c"))
        let reread = try FileJournal.read(directory: directory)
        #expect(reread.records.map(\.msgid) == ["a", "a", "c"] && reread.warnings.isEmpty)
    }

    /// A power cut can tear only what is not yet synced, so the writer never leaves more than half of
    /// `JournalCodec.tornWriteWindow` unsynced: records nobody waits for (lazy attempts) still get synced.
    @Test func aWriterNeverLeavesMoreThanTheTornWriteWindowUnsynced() throws {
        let directory = try TestEnvironment.temporaryDirectory("journal").path
        let journal = try FileJournal(directory: directory)
        let record = Self.record(.attempt, String(repeating: "x", count: 900))
        let size = JournalCodec.encode(record).utf8.count + 1
        let count = 3 * JournalCodec.tornWriteWindow / size
        for _ in 0..<count { _ = try journal.write([record], lazy: true) }
        // ~1.5 windows written lazily: at least two syncs were forced, none requested.
        #expect(journal.syncCount >= 2)
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
        _ = try Self.reopen(directory)
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
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
                "journal.jsonl", "journal.lock",
            ])
    }
}

/// A last record that was written whole but lost its newline still counts, in memory and in the file.
@Suite(.ownThread)
struct FileJournalWholeLastLineTests {
    /// Group commit with several lanes: one sync covers every lane's outcome, unless someone needs the disk sooner.
    @Test func withSeveralWritersOneSyncCoversEachWritersRecordOrStartsWhenSomeoneWaits() async throws {
        let journal = try FileJournal(directory: try TestEnvironment.temporaryDirectory("journal").path)
        journal.concurrentWriters = 2
        let first = try journal.write([FileJournalTests.record(.sent, "a")])
        await pause(seconds: 0.2)
        #expect(journal.syncCount == 0, "gathering: the other writer's record is still to come")
        let second = try journal.write([FileJournalTests.record(.sent, "b")])
        try journal.waitDurable(second)
        try journal.waitDurable(first)
        #expect(journal.syncCount == 1, "one sync for both writers' records")

        // Only one writer asks, but a waiter cannot wait for the others: the sync starts at once.
        try journal.waitDurable(try journal.write([FileJournalTests.record(.sent, "c")]))
        #expect(journal.syncCount == 2)

        // One writer (one connection): every record that asks is synced at once, without anyone waiting.
        journal.concurrentWriters = 1
        _ = try journal.write([FileJournalTests.record(.sent, "d")])
        let deadline = Date().addingTimeInterval(5)
        while journal.syncCount < 3 && Date() < deadline { await pause(seconds: 0.01) }
        #expect(journal.syncCount == 3)
    }

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
