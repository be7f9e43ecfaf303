import ConveneTesting
import Foundation
import Glibc
import Testing

@testable import ConveneService

/// Stopping while a slow server is receiving: the message in flight finishes and is recorded, or, if the process
/// dies mid-send, it is resent with the same Message-ID on the next start. The journal never loses a message.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonStopTests {
    static let secret = "s3cret-Passw0rd-never-logged"

    /// A workspace of `people` directors whose invitations are due now, sent over plain SMTP to `sink`, with an
    /// SMTP login whose password must never appear in a log.
    static func workspace(people: Int, sink: SMTPSink) throws -> DaemonWorkspace {
        let workspace = try DaemonWorkspace(people: people)
        let passwordFile = workspace.directory.appendingPathComponent("smtp-password").path
        try (secret + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try workspace.writeConfig(
            event: .init(start: DaemonWorkspace.start(inDays: 3)), smtp: sink.url, passwordFile: passwordFile)
        return workspace
    }

    static func start(
        _ workspace: DaemonWorkspace, socket: NotifySocket? = nil, environment: [String: String] = [:]
    ) throws -> DaemonProcess {
        try DaemonProcess(
            ["run", "--config", workspace.configPath],
            environment: environment.merging(socket.map { ["NOTIFY_SOCKET": $0.address] } ?? [:]) { a, _ in a },
            stderrPath: workspace.stderrPath)
    }

    /// Waits until the journal holds `count` records of `type`.
    static func waitForRecords(_ type: String, _ count: Int, in workspace: DaemonWorkspace, seconds: Double) async
        -> Bool
    {
        await pollUntil(seconds: seconds, interval: 0.02) { records(type, in: workspace).count >= count }
    }

    static func records(_ type: String, in workspace: DaemonWorkspace) -> [[String: Any]] {
        workspace.journal().filter { $0["type"] as? String == type }
    }

    /// The Message-ID header of every message the sink accepted, without angle brackets.
    static func messageIDs(_ sink: SMTPSink) -> [String] {
        sink.dumps().compactMap { dump in
            dump.split(separator: "\n").first { $0.lowercased().hasPrefix("message-id:") }
                .map {
                    $0.dropFirst("message-id:".count).trimmingCharacters(in: .whitespacesAndNewlines.union(["<", ">"]))
                }
        }
    }

    @Test func sigtermDuringASlowSendFinishesThatMessageRecordsItAndExitsZero() async throws {
        // smtp-sink answers the final dot only after 2 seconds; -a: no AUTH offered, so the login is skipped.
        let sink = try await SMTPSink(flags: ["-a", "-W", ".:2"])
        let workspace = try Self.workspace(people: 3, sink: sink)
        defer { workspace.remove() }
        let socket = try NotifySocket(abstract: false)
        let daemon = try Self.start(workspace, socket: socket)
        #expect(await Self.waitForRecords("attempt", 1, in: workspace, seconds: 10), "log:\n\(daemon.stderr)")
        let signalled = Date()
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit(seconds: 15)
        let stopTime = Date().timeIntervalSince(signalled)
        await socket.drain()

        #expect(status == 0, "log:\n\(daemon.stderr)")
        #expect(stopTime < 10, "stop took \(stopTime) s")
        #expect(socket.stateChanges.last == "STOPPING=1")
        // The message in flight went out and was recorded; nothing new was started after SIGTERM.
        let attempts = Self.records("attempt", in: workspace)
        let sent = Self.records("sent", in: workspace)
        #expect(attempts.count == 1, "\(workspace.journal())")
        #expect(sent.count == 1)
        #expect(sent.first?["msgid"] as? String == attempts.first?["msgid"] as? String)
        #expect(Self.messageIDs(sink) == sent.compactMap { $0["msgid"] as? String })

        // The next start sends the other two, each once.
        let again = try Self.start(workspace)
        #expect(await Self.waitForRecords("sent", 3, in: workspace, seconds: 20), "log:\n\(again.stderr)")
        again.signal(SIGTERM)
        #expect(await again.waitForExit(seconds: 10) == 0)
        let allSent = Self.records("sent", in: workspace).compactMap { $0["msgid"] as? String }
        #expect(Set(allSent).count == 3)
        #expect(Set(Self.messageIDs(sink)) == Set(allSent))
        #expect(Self.messageIDs(sink).count == 3)
        #expect(!again.stderr.contains(Self.secret))
    }

    @Test func aDaemonKilledMidSendResendsThatMessageWithTheSameMessageIDOnRestart() async throws {
        let sink = try await SMTPSink(flags: ["-a", "-W", ".:2"])
        let workspace = try Self.workspace(people: 2, sink: sink)
        defer { workspace.remove() }
        let daemon = try Self.start(workspace)
        #expect(await Self.waitForRecords("attempt", 1, in: workspace, seconds: 10), "log:\n\(daemon.stderr)")
        // What systemd does when a stop outlasts TimeoutStopSec=, or what a power cut does.
        daemon.kill9()
        let inFlight = try #require(Self.records("attempt", in: workspace).first?["msgid"] as? String)
        #expect(Self.records("sent", in: workspace).isEmpty)

        let again = try Self.start(workspace)
        #expect(await Self.waitForRecords("sent", 2, in: workspace, seconds: 20), "log:\n\(again.stderr)")
        again.signal(SIGTERM)
        #expect(await again.waitForExit(seconds: 10) == 0)

        // The journal is consistent: every msgid attempted has exactly one sent record, and the interrupted one
        // was attempted again under the same Message-ID.
        let journal = workspace.journal()
        let attempted = journal.filter { $0["type"] as? String == "attempt" }.compactMap { $0["msgid"] as? String }
        let sent = journal.filter { $0["type"] as? String == "sent" }.compactMap { $0["msgid"] as? String }
        #expect(Set(attempted) == Set(sent))
        #expect(sent.count == 2 && Set(sent).count == 2)
        #expect(attempted.filter { $0 == inFlight }.count == 2)
        #expect(sent.contains(inFlight))
        // The server got each message at least once and nothing else.
        #expect(Set(Self.messageIDs(sink)) == Set(sent))
        #expect(!daemon.stderr.contains(Self.secret) && !again.stderr.contains(Self.secret))
    }

    /// `$CONVENE_STOP_GRACE` may only shorten the grace: the unit's stop timeout is sized for the default.
    @Test(
        arguments: [
            (nil, 20), ("3", 3), ("1", 1), ("20", 20), ("0", 20), ("21", 20), ("600", 20), ("-1", 20), ("3s", 20),
            ("", 20),
        ] as [(String?, UInt32)])
    func theStopGraceFromTheEnvironmentIsOnlyEverShorter(_ value: String?, _ expected: UInt32) {
        #expect(SignalPipe.stopGrace(environment: value) == expected)
    }

    @Test func aStopIsBoundedEvenWhenTheServerNeverAnswersTheFinalDot() async throws {
        // The dot is answered after 15 s, longer than the stop grace (3 s here through $CONVENE_STOP_GRACE; 20 s in
        // service) and below response_timeout.
        let sink = try await SMTPSink(flags: ["-a", "-W", ".:15"])
        let workspace = try Self.workspace(people: 1, sink: sink)
        defer { workspace.remove() }
        let daemon = try Self.start(workspace, environment: ["CONVENE_STOP_GRACE": "3"])
        #expect(await Self.waitForRecords("attempt", 1, in: workspace, seconds: 10), "log:\n\(daemon.stderr)")
        await pause(seconds: 0.5)
        let signalled = Date()
        daemon.signal(SIGTERM)
        let status = await daemon.waitForExit(seconds: 30)
        let stopTime = Date().timeIntervalSince(signalled)

        #expect(status == 0, "log:\n\(daemon.stderr)")
        #expect(stopTime > 2 && stopTime < 8, "stop took \(stopTime) s")
        #expect(daemon.stderr.contains("<4>stop grace expired"))
        // The attempt stays open in the journal: the next start resends it with the same Message-ID.
        #expect(Self.records("attempt", in: workspace).count == 1)
        #expect(Self.records("sent", in: workspace).isEmpty && Self.records("failed", in: workspace).isEmpty)
    }
}
