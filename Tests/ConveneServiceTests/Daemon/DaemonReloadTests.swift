import ConveneTesting
import Foundation
import Glibc
import Testing

/// SIGHUP re-reads the admin's files: a broken edit is reported and ignored, a good one takes effect at once.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonReloadTests {
    /// A notification rule with two mistakes, appended under `notifications:`.
    static let brokenRule = """
          - id: broken
            kind: nudge
            send: whenever
            template: reminder

        """

    @Test func aBrokenReloadIsReportedAndSendingGoesOnWithTheOldConfiguration() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 6)
        defer { workspace.remove() }
        let event = DaemonWorkspace.Event(start: DaemonWorkspace.start(inDays: 3))
        // Invitations are due now; at 1/second the six take about five seconds, so the reload lands mid-batch.
        try workspace.writeConfig(event: event, rate: "1/second")
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        #expect(await workspace.waitForOutbox(1, seconds: 10))

        try workspace.appendToConfig(Self.brokenRule)
        daemon.signal(SIGHUP)
        let ready = try #require(
            await socket.waitFor("RELOADING=1", then: "READY=1", seconds: 5))
        #expect(await workspace.waitForOutbox(6, containing: ".invitation.", seconds: 15), "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        let log = daemon.stderr

        // Every diagnostic is logged, compiler-style, at error priority.
        let path = workspace.configPath
        #expect(log.contains("<3>\(path):"), "\(log)")
        #expect(
            log.range(of: #"<3>\S+convene\.yaml:\d+:\d+: error: 'kind' must be one of"#, options: .regularExpression)
                != nil, "\(log)")
        #expect(
            log.range(of: #"<3>\S+convene\.yaml:\d+:\d+: error: bad 'send'"#, options: .regularExpression) != nil,
            "\(log)")
        // STATUS= says so, naming the first problem with its position.
        let status = try #require(NotifySocket.lines(ready).first { $0.hasPrefix("STATUS=") })
        #expect(status.contains("reload failed with 2 errors (first: \(path):"), "\(status)")
        #expect(status.contains("running on the previous configuration"))
        // Sending went on after the failed reload, and only the old rules were used.
        let failedAt = try #require(log.range(of: "reload failed")).lowerBound
        let lastSent = try #require(log.range(of: "<6>sent ", options: .backwards)).lowerBound
        #expect(failedAt < lastSent, "nothing was sent after the failed reload:\n\(log)")
        #expect(workspace.outboxMessages().count == 6)
        #expect(
            workspace.journal(in: workspace.outbox + "/state").filter { $0["type"] as? String == "sent" }.count == 6)
    }

    @Test func aGoodReloadThatMovesTheEventSendsEveryInviteeAnUpdate() async throws {
        let socket = try NotifySocket(abstract: true)
        let workspace = try DaemonWorkspace(people: 3)
        defer { workspace.remove() }
        let event = DaemonWorkspace.Event(start: DaemonWorkspace.start(inDays: 3))
        try workspace.writeConfig(event: event)
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        #expect(await workspace.waitForOutbox(3, containing: ".invitation.", seconds: 10), "log:\n\(daemon.stderr)")

        try workspace.writeConfig(event: .init(start: event.start.addingTimeInterval(3600)))
        daemon.signal(SIGHUP)
        #expect(await workspace.waitForOutbox(3, containing: ".update.1.", seconds: 10), "log:\n\(daemon.stderr)")
        #expect(await socket.waitFor("READY=1", seconds: 5) != nil)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)

        let records = workspace.journal(in: workspace.outbox + "/state")
        let updates = records.filter { $0["type"] as? String == "sent" && $0["kind"] as? String == "update" }
        #expect(updates.count == 3)
        #expect(updates.allSatisfy { $0["seq"] as? Int == 1 })
        #expect(Set(updates.compactMap { $0["to"] as? String }).count == 3)
        #expect(workspace.outboxMessages().count == 6)
        #expect(!socket.statuses.contains { $0.contains("reload") }, "\(socket.statuses)")
        #expect(daemon.stderr.contains("<6>reloaded"))
    }

    @Test func aRosterThatShrinksTooMuchIsRefusedAndNoCancellationGoesOut() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 10)
        defer { workspace.remove() }
        try workspace.writeConfig(event: .init(start: DaemonWorkspace.start(inDays: 3)))
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await workspace.waitForOutbox(10, seconds: 10), "log:\n\(daemon.stderr)")
        #expect(await socket.waitFor("READY=1", seconds: 5) != nil)

        // Eight of ten people vanish (an HR export cut short): far past max_roster_shrink 10%.
        var roster = "email,name,grade\n"
        for i in 1...2 { roster += "director\(i)@example.org,Director Number\(i),SCS2\n" }
        try roster.write(
            to: workspace.directory.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let ready = try #require(
            await socket.waitFor("RELOADING=1", then: "READY=1", seconds: 5))
        await pause(seconds: 0.5)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)

        #expect(ready.contains("reload refused: the roster shrank from 10 to 2 people"), "\(ready)")
        #expect(daemon.stderr.contains("<3>reload refused"))
        #expect(workspace.outboxMessages().allSatisfy { !$0.contains(".cancellation.") })
    }

    @Test func aDaemonStartedOnAShrunkenRosterHoldsSendingUntilAReloadFixesIt() async throws {
        let workspace = try DaemonWorkspace(people: 10)
        defer { workspace.remove() }
        try workspace.writeConfig(event: .init(start: DaemonWorkspace.start(inDays: 3)))
        let arguments = ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox]
        let first = try DaemonProcess(arguments, environment: [:], stderrPath: workspace.stderrPath)
        #expect(await workspace.waitForOutbox(10, seconds: 10), "log:\n\(first.stderr)")
        first.signal(SIGTERM)
        #expect(await first.waitForExit(seconds: 5) == 0)

        // Restarted on an export that lost eight of the ten invited people.
        let rosterURL = workspace.directory.appendingPathComponent("roster.csv")
        let fullRoster = try String(contentsOf: rosterURL, encoding: .utf8)
        let lines = fullRoster.split(separator: "\n")
        try (lines.prefix(3).joined(separator: "\n") + "\n").write(to: rosterURL, atomically: true, encoding: .utf8)
        let socket = try NotifySocket(abstract: false)
        let second = try DaemonProcess(
            arguments, environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        _ = try #require(await socket.waitFor("READY=1", seconds: 10), "log:\n\(second.stderr)")
        let holding = await socket.waitFor(
            lineStartingWith: "STATUS=holding: the roster drops 8 of 10 invited people", seconds: 10)
        #expect(holding != nil, "log:\n\(second.stderr)")
        await pause(seconds: 0.3)
        #expect(second.isRunning, "a refused roster must not end the daemon (systemd would restart it in a loop)")
        #expect(second.stderr.contains("<3>holding all sending until a reload"), "\(second.stderr)")

        try fullRoster.write(to: rosterURL, atomically: true, encoding: .utf8)
        second.signal(SIGHUP)
        let reloaded = try #require(
            await socket.waitFor("RELOADING=1", then: "READY=1", seconds: 5))
        #expect(reloaded.contains("STATUS=next: day-before agenda"), "\(reloaded)")
        second.signal(SIGTERM)
        #expect(await second.waitForExit(seconds: 5) == 0)
        #expect(workspace.outboxMessages().count == 10)
        #expect(workspace.outboxMessages().allSatisfy { !$0.contains(".cancellation.") })
    }
}
