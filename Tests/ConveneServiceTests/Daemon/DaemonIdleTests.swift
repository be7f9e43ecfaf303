import ConveneTesting
import Foundation
import Glibc
import Testing

/// Between actions the daemon sleeps on its timer: no polling loop, no CPU, only the watchdog pings.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonIdleTests {
    @Test func withTheNextActionAFewDaysAwayTheDaemonUsesNoCPUBetweenWatchdogPings() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 20)
        defer { workspace.remove() }
        // Event in 3 days, invitation 1 day before: nothing is due for well over a day.
        try workspace.writeConfig(
            event: .init(start: DaemonWorkspace.start(inDays: 3)), invitationSend: "1 day before at 08:00")
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "1000000"], stderrPath: workspace.stderrPath
        )
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        await pause(seconds: 0.3)
        let before = try #require(daemon.cpuTicks())
        let pingsBefore = socket.watchdogPings
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline { _ = await socket.receive(seconds: deadline.timeIntervalSinceNow) }
        let after = try #require(daemon.cpuTicks())
        let pings = socket.watchdogPings - pingsBefore
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)

        // Clock ticks are 10 ms: a busy loop would burn ~300 in 3 s; six pings cost well under one.
        #expect(after - before <= 3, "\(after - before) ticks of CPU in 3 s idle")
        #expect((4...8).contains(pings), "\(pings) watchdog pings in 3 s")
        #expect(workspace.outboxMessages().isEmpty)
    }
}
