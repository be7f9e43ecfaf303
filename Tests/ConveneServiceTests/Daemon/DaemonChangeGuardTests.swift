import ConveneTesting
import Foundation
import Glibc
import Testing

/// A careless save never cancels the programme: a reload whose change would reach more than
/// `max_calendar_changes` of the invited people is held (STATUS= says so) until `convene approve`, which tells the
/// running daemon to send it at once.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonChangeGuardTests {
    @Test func aSaveThatCancelsTheEventIsHeldUntilApprovedThenSentAtOnce() async throws {
        let socket = try NotifySocket(abstract: true)
        let workspace = try DaemonWorkspace(people: 4)
        defer { workspace.remove() }
        let event = DaemonWorkspace.Event(start: DaemonWorkspace.start(inDays: 3))
        try workspace.writeConfig(event: event, maxCalendarChanges: "10%")
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        #expect(await workspace.waitForOutbox(4, containing: ".invitation.", seconds: 10), "log:\n\(daemon.stderr)")

        var cancelled = event
        cancelled.cancelled = true
        try workspace.writeConfig(event: cancelled, maxCalendarChanges: "10%")
        daemon.signal(SIGHUP)
        let held = await socket.waitFor(
            lineStartingWith: "STATUS=next: nothing planned; held: 4 cancellations", seconds: 10)
        let status = try #require(
            held.flatMap { NotifySocket.lines($0).first { $0.hasPrefix("STATUS=") } }, "log:\n\(daemon.stderr)")
        #expect(status.contains("held: 4 cancellations, 0 updates — run `convene approve` to send them"), "\(status)")
        #expect(
            await !workspace.waitForOutbox(1, containing: ".cancellation.", seconds: 1),
            "nothing of the change goes out")

        let approve = try await ConveneBinary.run([
            "approve", "--config", workspace.configPath, "--state", workspace.outbox + "/state",
        ])
        #expect(approve.status == 0, "\(approve)")
        #expect(approve.stdout.contains("cancel 4 × agenda"), "\(approve)")
        #expect(approve.stdout.contains("the running convene (pid \(daemon.pid)) sends them now"), "\(approve)")
        #expect(await workspace.waitForOutbox(4, containing: ".cancellation.", seconds: 10), "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        let approvals = workspace.journal(in: workspace.outbox + "/state").filter {
            $0["type"] as? String == "approved"
        }
        #expect(approvals.count == 1, "the approval is recorded in the journal once")
        #expect(daemon.stderr.contains("approved calendar change"))
    }
}
