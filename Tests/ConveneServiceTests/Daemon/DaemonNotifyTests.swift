import ConveneTesting
import Foundation
import Glibc
import Testing

/// The built daemon speaks sd_notify to a socket the test owns, exactly as it would to systemd.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonNotifyTests {
    /// Starts `convene run --dry-run` on a small workspace whose next action is two days away.
    static func start(_ socket: NotifySocket?, _ workspace: DaemonWorkspace, environment: [String: String] = [:]) throws
        -> DaemonProcess
    {
        try workspace.writeConfig(
            event: .init(start: DaemonWorkspace.start(inDays: 3)), invitationSend: "2 days before at 08:00")
        var env = environment
        if let socket { env["NOTIFY_SOCKET"] = socket.address }
        return try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox], environment: env,
            stderrPath: workspace.stderrPath)
    }

    @Test(arguments: [false, true])
    func readyReloadingReadyStoppingArriveInOrderAndTheExitIsClean(abstract: Bool) async throws {
        let socket = try NotifySocket(abstract: abstract)
        let workspace = try DaemonWorkspace(people: 3)
        defer { workspace.remove() }
        let daemon = try Self.start(socket, workspace)

        let ready = try #require(await socket.waitFor("READY=1", seconds: 10), "no READY=1; log:\n\(daemon.stderr)")
        // READY=1 comes as soon as the files are loaded, before planning; the first batch's status follows.
        #expect(ready.contains("STATUS=planning for 3 people"), "\(ready)")
        #expect(
            await socket.waitFor(lineStartingWith: "STATUS=next: invitation agenda ", seconds: 10) != nil,
            "log:\n\(daemon.stderr)")
        daemon.signal(SIGHUP)
        let reloading = try #require(
            await socket.waitFor("RELOADING=1", seconds: 5), "no RELOADING=1; log:\n\(daemon.stderr)")
        #expect(await socket.waitFor("READY=1", seconds: 5) != nil)
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit(seconds: 5)
        await socket.drain()

        #expect(status == 0, "log:\n\(daemon.stderr)")
        #expect(socket.stateChanges == ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
        // MONOTONIC_USEC is CLOCK_MONOTONIC at the reload, in microseconds: close to the test's own clock.
        let field = NotifySocket.lines(reloading).first { $0.hasPrefix("MONOTONIC_USEC=") }
        let usec = try #require(field.flatMap { Int($0.dropFirst("MONOTONIC_USEC=".count)) })
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowUsec = Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000
        #expect(usec <= nowUsec && nowUsec - usec < 10_000_000)
        // Every STATUS= is one line in the documented shape.
        #expect(!socket.statuses.isEmpty)
        for text in socket.statuses where !text.hasPrefix("planning for ") {
            #expect(
                text.range(
                    of: #"^next: \S+ \S+ \d{4}-\d\d-\d\d \d\d:\d\d \(\d+\); sent today \d+; failed \d+"#,
                    options: .regularExpression) != nil, "\(text)")
        }
    }

    @Test func watchdogPingsArriveAtHalfTheWatchdogInterval() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 2)
        defer { workspace.remove() }
        // 400 ms watchdog: a ping every ~200 ms, so about 7 in 1.5 s.
        let daemon = try Self.start(socket, workspace, environment: ["WATCHDOG_USEC": "400000"])
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        let before = socket.watchdogPings
        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline { _ = await socket.receive(seconds: deadline.timeIntervalSinceNow) }
        let pings = socket.watchdogPings - before
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        #expect((5...10).contains(pings), "\(pings) WATCHDOG=1 in 1.5 s")
    }

    @Test func aWatchdogMeantForAnotherProcessIsNotPinged() async throws {
        let socket = try NotifySocket(abstract: true)
        let workspace = try DaemonWorkspace(people: 2)
        defer { workspace.remove() }
        let daemon = try Self.start(socket, workspace, environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"])
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil)
        await pause(seconds: 0.5)
        await socket.drain()
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        #expect(socket.watchdogPings == 0)
    }

    @Test func withoutNotifySocketTheDaemonRunsAndStopsTheSame() async throws {
        let workspace = try DaemonWorkspace(people: 2)
        defer { workspace.remove() }
        let daemon = try Self.start(nil, workspace, environment: ["WATCHDOG_USEC": "200000"])
        #expect(await daemon.waitForLog("started", seconds: 10))
        await pause(seconds: 0.3)
        daemon.signal(SIGINT)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        #expect(daemon.stderr.contains("<6>stopped"))
        // Without a socket the watchdog is off too: nothing to ping, so no reason to wake.
        #expect(daemon.stderr.contains("watchdog=off"))
    }
}
