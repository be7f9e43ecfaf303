import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// While the lanes send on their own threads, the caller's thread runs the heartbeat (the daemon's watchdog and
/// STATUS=): what it reads of the dispatcher must be safe to read then. Under the ThreadSanitizer pass of
/// `scripts/test` this test is also the race check for the counters the heartbeat reports.
@Suite(.ownThread)
struct DispatcherHeartbeatTests {
    @Test func theHeartbeatSeesTheCountsRiseWhileTwoLanesSend() throws {
        let people = 30
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:25", connections: 2), roster: DeliveryFixture.roster(of: people),
            programme: DeliveryFixture.singleInvitation)
        // 15 a second over two lanes: the batch takes about a second, and the heartbeat comes every fifth of one.
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  templates: templates\n", with: "  templates: templates\n  rate: 15/second\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let outbox = fixture.directory.appendingPathComponent("outbox").path
        let dispatcher = Dispatcher(
            workspace: workspace, journal: try FileJournal(directory: fixture.statePath), records: [],
            transports: [try OutboxTransport(directory: outbox), try OutboxTransport(directory: outbox)],
            log: Log(sink: { _ in }), sleeps: true)
        let due = LocalDateTime(parsing: "2027-02-11 09:00")!.instant(in: workspace.config.service.timeZone)
        let start = Date()

        var seen: [Int] = []
        // The invitations are due at `due`; the lanes run in real time from it.
        _ = try dispatcher.runDue(
            now: due, clock: { due.addingTimeInterval(Date().timeIntervalSince(start)) },
            heartbeat: { seen.append(dispatcher.counters.sent) })

        #expect(dispatcher.counters.sent == people)
        #expect(seen.last == people)
        #expect(seen.contains { $0 > 0 && $0 < people }, "the counts during the batch: \(seen)")
    }
}
