import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Glibc
import Testing

/// The dispatcher compacts its journal as it grows, and what it keeps carries on exactly as the full journal.
@Suite(.ownThread)
struct DispatcherCompactionTests {
    /// Collects log lines from the dispatcher.
    final class Lines: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    /// Runs the simulated clock over the whole programme as `convene run --until` does; returns the messages
    /// written to the outbox, the dispatcher and its log.
    static func simulate(_ fixture: DeliveryFixture, state: String, threshold: Int) throws -> (
        Dispatcher, Lines, [String]
    ) {
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let journal = try FileJournal(directory: state)
        let outbox = fixture.directory.appendingPathComponent("outbox-\(threshold)").path
        let lines = Lines()
        let dispatcher = Dispatcher(
            workspace: workspace, journal: journal, records: journal.takeLoaded().records,
            transport: try OutboxTransport(directory: outbox), log: Log(sink: { lines.append($0) }), sleeps: false,
            compactionThreshold: threshold)
        let zone = workspace.config.service.timeZone
        var now = LocalDateTime(parsing: "2027-02-01 00:00")!.instant(in: zone)
        let end = LocalDateTime(parsing: "2027-04-01 00:00")!.instant(in: zone)
        while let next = try dispatcher.runDue(now: now).actions.first?.due, next <= end {
            now = max(now, next)
        }
        return (dispatcher, lines, try FileManager.default.contentsOfDirectory(atPath: outbox).sorted())
    }

    @Test func aCompactingRunSendsWhatAFullJournalRunSendsAndKeepsOnlyWhatPlanningNeeds() throws {
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:25"), roster: DeliveryFixture.roster(of: 12))
        let compactingState = fixture.directory.appendingPathComponent("compacting").path
        let (compacting, log, compactingMessages) = try Self.simulate(fixture, state: compactingState, threshold: 20)
        let (full, _, fullMessages) = try Self.simulate(
            fixture, state: fixture.directory.appendingPathComponent("full").path, threshold: 1_000_000)

        // 12 people × 3 talks × (invitation + reminder).
        #expect(fullMessages.count == 72)
        #expect(compactingMessages == fullMessages)
        #expect(log.all.filter { $0.hasPrefix("<6>journal compacted") }.count >= 3)
        // Each batch says how it went and what the disk cost; together they cover every message sent.
        let batches = log.all.filter { $0.hasPrefix("<6>batch done ") }
        #expect(
            batches.allSatisfy {
                $0.contains(" connections=1 ")
                    && $0.range(
                        of: #"seconds=\d+\.\d{3} journal_syncs=\d+ sync_ms=\d+\.\d{3}$"#, options: .regularExpression)
                        != nil
            }, "\(batches.prefix(2))")
        let due = batches.compactMap {
            $0.split(separator: " ").first { $0.hasPrefix("due=") }.flatMap { Int($0.dropFirst(4)) }
        }
        #expect(due.reduce(0, +) == 72)
        let records = try FileJournal.read(directory: compactingState).records
        #expect(records.count < 144, "compaction kept all \(records.count) records")
        // Only attempts appended since the last compaction remain.
        #expect(records.filter { $0.type == .attempt }.count < 20, "attempts with an outcome survived compaction")

        // A restart on the compacted journal plans exactly what the full journal plans, now and later.
        for time in ["2027-03-17 12:00", "2027-04-01 00:00"] {
            let now = LocalDateTime(parsing: time)!.instant(in: TimeZone(identifier: "Europe/London")!)
            #expect(compacting.plan(now: now).actions == full.plan(now: now).actions)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: compactingState).sorted()
                == ["history", "journal.jsonl", "journal.lock"])
        // What compaction dropped went to the history first: history and journal together hold every outcome the
        // full journal holds, each once.
        func outcomes(_ records: [JournalRecord]) -> [String] {
            records.filter(JournalHistory.isOutcome).map { "\($0.type) \($0.key) \($0.msgid ?? "")" }
        }
        let fullRecords = try FileJournal.read(directory: fixture.directory.appendingPathComponent("full").path).records
        let everything = try HistoryFiles.outcomes(directory: compactingState).records
        #expect(outcomes(everything).sorted() == outcomes(fullRecords).sorted())
        #expect(Set(outcomes(everything)).count == everything.count)
        #expect(!HistoryFiles.files(directory: compactingState).isEmpty)
    }
}

/// Start-up compaction rewrites the journal only when it can drop something.
@Suite(.ownThread)
struct StartupCompactionTests {
    @Test func startingTwiceOnACompactJournalLeavesTheFileAsItIs() async throws {
        let fixture = try DeliveryFixture(smtp: .init(url: "smtp://127.0.0.1:25"))
        // More records than the compaction threshold (10,000), every one still needed: reminders sent for a talk
        // that is still ahead.
        let at = LocalDateTime(parsing: "2027-01-20 09:00")!.instant(in: TimeZone(identifier: "Europe/London")!)
        var bytes: [UInt8] = []
        for index in 0..<10_500 {
            let key = "talk/20270304/week-before/person\(index)@example.test"
            JournalCodec.append(
                JournalRecord(
                    type: .sent, at: at, key: key, kind: .reminder, uid: "talk-20270304@example.test", seq: 0,
                    msgid: "talk.20270304.week-before.0.\(index)@example.test", to: "person\(index)@example.test",
                    name: "Person \(index)", cc: []),
                to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        try FileManager.default.createDirectory(atPath: fixture.statePath, withIntermediateDirectories: true)
        let path = FileJournal.journalPath(fixture.statePath)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // The mtime's resolution is the kernel tick: wait past it, so a rewrite could not keep the same time.
        await pause(seconds: 0.05)
        let before = try Self.identity(of: path)
        for _ in 0..<2 {
            // Nothing is due yet (the first invitations go on 11 February): the start is all that happens.
            let result = try await fixture.convene("run", ["--now", "2027-02-01 08:00", "--once"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.contains("journal compaction: nothing to drop"), "\(result.stderr)")
            #expect(!result.stderr.contains("journal compacted"), "\(result.stderr)")
        }
        let after = try Self.identity(of: path)
        #expect(after.inode == before.inode, "the journal was replaced")
        #expect(after.modified == before.modified, "the journal was rewritten")
        #expect(after.size == before.size)
    }

    /// The inode, modification time (nanoseconds) and size of a file.
    static func identity(of path: String) throws -> (inode: UInt64, modified: Int, size: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TestSetupError("stat \(path): errno \(errno)") }
        return (UInt64(info.st_ino), info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec, Int(info.st_size))
    }
}
