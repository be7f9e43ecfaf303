import ConveneTesting
import Foundation
import Glibc
import Testing

/// The daemon reads the organizer's mailbox on its own timer (`replies:`) from a real Dovecot on loopback: an answer
/// read at start is in the plan of the same wake-up (a decliner gets no reminder), and a mailbox that cannot be read
/// is a status line and a log line while mail goes on.
@Suite(.ownThreadWithoutSlot, .serialized, .timeLimit(.minutes(1)))
struct DaemonRepliesTests {
    /// A workspace whose rules file reads replies from `server` (implicit TLS, the test CA, a password file).
    static func workspace(
        _ server: TestIMAPServer, password: String, people: Int = 3, extra: String = ""
    ) throws -> DaemonWorkspace {
        let workspace = try DaemonWorkspace(people: people)
        try (password + "\n").write(
            to: workspace.directory.appendingPathComponent("imap-password"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: try TestCertificates.get().caFile,
            toPath: workspace.directory.appendingPathComponent("ca.pem").path)
        try workspace.writeConfig(
            event: .init(start: DaemonWorkspace.start(inDays: 3)),
            extra: extra + """
                replies:
                  url: imaps://127.0.0.1:\(server.imapsPort)/INBOX
                  username: \(TestIMAPServer.username)
                  password_file: imap-password
                  ca_file: ca.pem
                  every: 10m

                """)
        return workspace
    }

    /// A calendar client's "Declined" for `uid`, from the attendee's own address.
    static func decline(uid: String, from attendee: String) -> [UInt8] {
        Array(
            """
            From: \(attendee)\r
            To: team@example.org\r
            Subject: Declined: Agenda Conversations\r
            Message-ID: <decline-\(attendee)@client.example>\r
            MIME-Version: 1.0\r
            Content-Type: text/calendar; method=REPLY; charset=utf-8\r
            \r
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//Client//EN\r
            METHOD:REPLY\r
            BEGIN:VEVENT\r
            UID:\(uid)\r
            SEQUENCE:0\r
            DTSTAMP:20270101T000000Z\r
            ORGANIZER:mailto:team@example.org\r
            ATTENDEE;PARTSTAT=DECLINED:mailto:\(attendee)\r
            END:VEVENT\r
            END:VCALENDAR\r

            """.utf8)
    }

    @Test func aDeclineReadAtStartSkipsThatPersonsReminderInTheSameWakeUp() async throws {
        let server = try await TestIMAPServer()
        // A chaser already due (4 days before a start 3 days away), besides the day-before reminder.
        let chaser = """
              - id: chaser
                kind: reminder
                send: 4 days before at 08:00
                template: reminder

            """
        let workspace = try Self.workspace(server, password: server.password)
        defer { workspace.remove() }
        // The invitations went out two days ago (a simulated clock), before the chaser was due.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let twoDaysAgo = formatter.string(from: DaemonWorkspace.start(inDays: -2))
        let invited = try await ConveneBinary.run([
            "run", "--once", "--now", twoDaysAgo, "--config", workspace.configPath, "--dry-run", workspace.outbox,
        ])
        #expect(invited.status == 0, "\(invited)")
        let invitation = try #require(
            workspace.journal(in: workspace.outbox + "/state").first {
                $0["type"] as? String == "sent" && $0["to"] as? String == "director1@example.org"
            })
        let uid = try #require(invitation["uid"] as? String)
        try server.deliver(Self.decline(uid: uid, from: "director1@example.org"))

        let text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "replies:\n", with: chaser + "replies:\n")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let socket = try NotifySocket(abstract: false)
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        #expect(await workspace.waitForOutbox(5, seconds: 20), "log:\n\(daemon.stderr)")
        #expect(await daemon.waitForLog("replies read", seconds: 10), "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)

        let journal = workspace.journal(in: workspace.outbox + "/state")  // a dry run journals beside its outbox
        let reply = try #require(journal.first { $0["type"] as? String == "reply" }, "\(journal)")
        #expect(reply["outcome"] as? String == "applied")
        #expect(reply["partstat"] as? String == "DECLINED")
        let reminders = journal.filter { $0["type"] as? String == "sent" && $0["kind"] as? String == "reminder" }
        #expect(
            Set(reminders.compactMap { $0["to"] as? String }) == ["director2@example.org", "director3@example.org"])
        let skipped = journal.filter { $0["type"] as? String == "skipped" && $0["kind"] as? String == "reminder" }
        #expect(skipped.count == 1)
        #expect(skipped.first?["to"] as? String == "director1@example.org")
        let reason = skipped.first?["reason"] as? String ?? ""
        #expect(reason.contains("declined"), "\(skipped)")
        // Handled mail left the inbox for the processed folder.
        #expect(server.messages(in: "INBOX").isEmpty)
        #expect(server.messages(in: "convene/processed").count == 1)
    }

    @Test func aMailboxThatRefusesTheLoginIsAStatusLineWhileInvitationsStillGo() async throws {
        let server = try await TestIMAPServer()
        let workspace = try Self.workspace(server, password: "not the password")
        defer { workspace.remove() }
        let socket = try NotifySocket(abstract: false)
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath, "--dry-run", workspace.outbox],
            environment: ["NOTIFY_SOCKET": socket.address], stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        let status = await socket.waitFor(lineStartingWith: "STATUS=", seconds: 15).map(NotifySocket.lines) ?? []
        #expect(await workspace.waitForOutbox(3, seconds: 20), "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)

        let line = status.first { $0.hasPrefix("STATUS=") } ?? ""
        #expect(line.contains("replies: 1 failed pass"), "\(status)")
        let log = daemon.stderr
        #expect(log.contains("reading replies failed"), "\(log)")
        #expect(!log.contains("not the password"))
        #expect(!line.contains("not the password"))
    }

    /// `convene replies --once` without `--from-maildir` reads the IMAP folder of the `replies:` block; a second pass
    /// finds nothing; the answer shows in `attendance --json`.
    @Test func repliesOnceReadsTheIMAPFolderOfTheRulesFile() async throws {
        let server = try await TestIMAPServer()
        let workspace = try Self.workspace(server, password: server.password)
        defer { workspace.remove() }
        // Sent into an outbox, whose journal the commands below read with --state.
        let state = workspace.outbox + "/state"
        let invited = try await ConveneBinary.run([
            "run", "--once", "--config", workspace.configPath, "--dry-run", workspace.outbox,
        ])
        #expect(invited.status == 0, "\(invited)")
        let invitation = try #require(
            workspace.journal(in: state).first {
                $0["type"] as? String == "sent" && $0["to"] as? String == "director2@example.org"
            })
        try server.deliver(Self.decline(uid: try #require(invitation["uid"] as? String), from: "director2@example.org"))

        let first = try await ConveneBinary.run([
            "replies", "--once", "--config", workspace.configPath, "--state", state,
        ])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("applied"), "\(first)")
        let second = try await ConveneBinary.run([
            "replies", "--once", "--config", workspace.configPath, "--state", state,
        ])
        #expect(second.status == 0, "\(second)")
        #expect(second.stdout.contains("0 messages"), "\(second)")
        #expect(server.messages(in: "convene/processed").count == 1)

        let attendance = try await ConveneBinary.run([
            "attendance", "agenda", "--json", "--config", workspace.configPath, "--state", state,
        ])
        #expect(attendance.status == 0, "\(attendance)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(attendance.stdout.utf8)) as? [String: Any], "\(attendance)")
        #expect(json["declined"] as? [String] == ["director2@example.org"], "\(json)")
    }

    /// The wrong password is refused with 77 and never printed.
    @Test func repliesOnceWithARefusedLoginExits77WithoutThePassword() async throws {
        let server = try await TestIMAPServer()
        let workspace = try Self.workspace(server, password: "not the password")
        defer { workspace.remove() }
        let result = try await ConveneBinary.run(["replies", "--once", "--config", workspace.configPath])
        #expect(result.status == 77, "\(result)")
        #expect(!result.stderr.contains("not the password") && !result.stdout.contains("not the password"))
    }

    /// SIGKILL in the middle of a pass, as soon as answers are journaled (often between a record and its move), then
    /// a pass to the end: every answer is applied exactly once and every message has left the inbox.
    @Test(arguments: [1, 4])
    func aPassKilledAfterItsFirstRecordsAppliesNothingTwice(afterRecords: Int) async throws {
        let server = try await TestIMAPServer()
        let workspace = try Self.workspace(server, password: server.password, people: 8)
        defer { workspace.remove() }
        let state = workspace.outbox + "/state"
        let invited = try await ConveneBinary.run([
            "run", "--once", "--config", workspace.configPath, "--dry-run", workspace.outbox,
        ])
        #expect(invited.status == 0, "\(invited)")
        let invitations = workspace.journal(in: state).filter { $0["type"] as? String == "sent" }
        #expect(invitations.count == 8)
        for invitation in invitations {
            let uid = try #require(invitation["uid"] as? String)
            try server.deliver(Self.decline(uid: uid, from: try #require(invitation["to"] as? String)))
        }
        let stderr = workspace.directory.appendingPathComponent("replies.err")
        let pass = try ConveneBinary.start(
            ["replies", "--once", "--config", workspace.configPath, "--state", state], stderrFile: stderr)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline,
            workspace.journal(in: state).count(where: { $0["type"] as? String == "reply" }) < afterRecords
        {
            usleep(1_000)
        }
        pass.signal(SIGKILL)
        _ = await pass.waitForExit(seconds: 10)
        let killedAt = workspace.journal(in: state).count { $0["type"] as? String == "reply" }
        #expect(killedAt >= afterRecords)

        let rest = try await ConveneBinary.run([
            "replies", "--once", "--config", workspace.configPath, "--state", state,
        ])
        #expect(rest.status == 0, "\(rest)")
        let applied = workspace.journal(in: state).filter {
            $0["type"] as? String == "reply" && $0["outcome"] as? String == "applied"
        }
        #expect(applied.count == 8, "\(applied)")
        #expect(Set(applied.compactMap { $0["to"] as? String }).count == 8)
        #expect(server.messages(in: "INBOX").isEmpty)
        #expect(server.messages(in: "convene/processed").count == 8)
    }
}
