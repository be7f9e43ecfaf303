import ConveneTesting
import Foundation
import Glibc
import Testing

/// A batch that takes a while (a rate limit, a big roster) still tells systemd how it is going: the daemon's main
/// thread reports progress in STATUS= while the lanes send on their own threads.
///
/// The ThreadSanitizer pass of `scripts/test` runs it against a TSan-built convene. (Before the counters moved behind
/// the dispatcher's lock, the daemon read them unguarded here, yet TSan did not report that read in this test:
/// incidental synchronisation between the threads hid it. `DispatcherHeartbeatTests` reads them from the heartbeat
/// on every beat, in-process, and does catch it.)
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonProgressTests {
    @Test func aLongBatchOverTwoConnectionsReportsItsProgressInStatus() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 8)
        defer { workspace.remove() }
        // Eight invitations due now at 1/second over two lanes: the batch lasts about seven seconds, longer than
        // the five seconds after which a busy daemon refreshes its STATUS=.
        try workspace.writeConfig(
            event: .init(start: DaemonWorkspace.start(inDays: 3)), rate: "1/second", connections: 2)
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")

        let progress = await socket.waitFor(lineStartingWith: "STATUS=sending due messages; ", seconds: 20)
        let line = try #require(
            progress.flatMap { NotifySocket.lines($0).first { $0.hasPrefix("STATUS=sending") } },
            "no progress in STATUS= during the batch; log:\n\(daemon.stderr)")
        let sent = try #require(
            line.firstMatch(of: /sent today (\d+); failed (\d+)/).map { (Int($0.1)!, Int($0.2)!) }, "\(line)")
        #expect((1..<8).contains(sent.0), "a count from the middle of the batch: \(line)")
        #expect(sent.1 == 0)

        #expect(await workspace.waitForOutbox(8, seconds: 20), "log:\n\(daemon.stderr)")
        #expect(await socket.waitFor(lineStartingWith: "STATUS=next: ", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0, "log:\n\(daemon.stderr)")
        #expect(socket.statuses.last?.contains("sent today 8; failed 0") == true, "\(socket.statuses)")
    }
}
