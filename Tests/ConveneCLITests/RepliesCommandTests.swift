import Foundation
import Testing

/// `convene replies --once --from-maildir` and `convene attendance` through the binary: invitations go out with
/// `run --dry-run`, replies arrive in a Maildir, and what they change shows in the reminders `run` then sends.
@Suite struct RepliesCommandTests {
    static let rules = """
        service:
          timezone: Europe/London
          from: Collective Leadership Team <collective.leadership@example.gov.uk>
          organizer: collective.leadership@example.gov.uk
          roster: roster.csv
          templates: templates
          send_window: 00:00-24:00 Mon-Sun
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: SCS2
            name: Director
          - id: CE
            name: Chief Executive
        forums:
          - id: directors
            name: Directors' Network
            grades: [SCS2, CE]
        events:
          - id: summit
            title: Directors' Summit
            forums: [directors]
            start: 2027-03-10 10:00
            duration: 1h
            location: Online
        notifications:
          - id: invitation
            kind: invitation
            send: 14 days before at 09:00
            template: invitation
          - id: week-before
            kind: reminder
            send: 7 days before at 09:00
            template: reminder
          - id: chaser
            kind: reminder
            send: 5 days before at 09:00
            template: reminder
            to: no-reply
          - id: final
            kind: reminder
            send: 2 days before at 09:00
            template: reminder
            to: accepted

        """

    static let roster = """
        email,name,grade,delegate
        ann.accept@example.gov.uk,Ann Accept,SCS2,
        ben.decline@example.gov.uk,Ben Decline,SCS2,office.ben@example.gov.uk
        cat.tentative@example.gov.uk,Cat Tentative,CE,
        dan.silent@example.gov.uk,Dan Silent,SCS2,
        eve.bounce@example.gov.uk,Eve Bounce,SCS2,

        """

    static let uid = "summit-20270310@example.gov.uk"

    /// A folder with the rules, roster and templates, invitations sent (into `out`, journal in `out/state`), and an
    /// empty Maildir `mail`.
    static func invited() async throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-replies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("config/templates"), to: dir.appendingPathComponent("templates"))
        try rules.write(to: dir.appendingPathComponent("convene.yaml"), atomically: true, encoding: .utf8)
        try roster.write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent("mail/\(sub)"), withIntermediateDirectories: true)
        }
        let run = try await CLI.run(
            [
                "run", "--config", dir.appendingPathComponent("convene.yaml").path, "--dry-run",
                dir.appendingPathComponent("out").path, "--now", "2027-02-20 08:00", "--until", "2027-02-24 10:00",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        return dir
    }

    static func reply(from: String, attendee: String, partstat: String, id: String, extra: String = "") -> String {
        """
        From: \(from)\r
        To: collective.leadership@example.gov.uk\r
        Subject: Re: Directors' Summit\r
        Message-ID: <\(id)@replies.test>\r
        MIME-Version: 1.0\r
        Content-Type: text/calendar; method=REPLY; charset=UTF-8\r
        \r
        BEGIN:VCALENDAR\r
        METHOD:REPLY\r
        BEGIN:VEVENT\r
        UID:\(uid)\r
        SEQUENCE:0\r
        ATTENDEE;PARTSTAT=\(partstat):mailto:\(attendee)\r
        \(extra)DTSTAMP:20270224T100000Z\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
    }

    /// Ann accepts, Ben's office declines for him, Cat is tentative with a note, Eve's invitation bounces, Dan says
    /// nothing (but writes a text-only mail).
    static func deliverReplies(_ dir: URL) throws {
        let out = dir.appendingPathComponent("out")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".eml") }
        let eveText = try files.map { try String(contentsOf: out.appendingPathComponent($0), encoding: .utf8) }
            .first { $0.contains("To: Eve Bounce <eve.bounce@example.gov.uk>") }
        let eveID = try #require(eveText?.split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") })
        let messages = [
            "1790000001.a.test": reply(
                from: "ann.accept@example.gov.uk", attendee: "ann.accept@example.gov.uk", partstat: "ACCEPTED", id: "a"),
            "1790000002.b.test": reply(
                from: "office.ben@example.gov.uk", attendee: "office.ben@example.gov.uk", partstat: "DECLINED", id: "b"),
            "1790000003.c.test": reply(
                from: "cat.tentative@example.gov.uk", attendee: "CAT.tentative@example.gov.uk", partstat: "TENTATIVE",
                id: "c", extra: "COMMENT:=SUM(A1)\\, might be late\r\n"),
            "1790000004.d.test": """
            From: MAILER-DAEMON@relay.test\r
            Message-ID: <dsn@relay.test>\r
            Content-Type: multipart/report; report-type=delivery-status; boundary=b\r
            \r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; relay.test\r
            \r
            Final-Recipient: rfc822; eve.bounce@example.gov.uk\r
            Action: failed\r
            Status: 5.1.1\r
            Diagnostic-Code: smtp; 550 5.1.1 user unknown\r
            \r
            --b\r
            Content-Type: text/rfc822-headers\r
            \r
            \(eveID)\r
            \r
            --b--\r

            """,
            "1790000005.e.test":
                "From: dan.silent@example.gov.uk\r\nMessage-ID: <e@replies.test>\r\n\r\nYes, I'll be there\r\n",
        ]
        for (name, text) in messages {
            try text.write(to: dir.appendingPathComponent("mail/new/\(name)"), atomically: true, encoding: .utf8)
        }
    }

    static func replies(_ dir: URL, json: Bool = false) async throws -> CLI.Result {
        try await CLI.run(
            [
                "replies", "--once", "--from-maildir", dir.appendingPathComponent("mail").path, "--config",
                dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path,
                "--now", "2027-02-24 11:00",
            ] + (json ? ["--json"] : []))
    }

    static func attendance(_ dir: URL, _ format: String) async throws -> CLI.Result {
        try await CLI.run(
            [
                "attendance", "summit", "--config", dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path, "--now", "2027-02-24 11:00", format,
            ])
    }

    @Test func repliesAreAppliedOnceAndMovedIntoTheirFolders() async throws {
        let dir = try await Self.invited()
        try Self.deliverReplies(dir)
        let first = try await Self.replies(dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("5 messages: 3 applied, 1 needs-attention, 1 bounce"), "\(first.stdout)")
        #expect(first.stdout.contains("ben.decline@example.gov.uk declined (answered by their delegate"))
        let mail = dir.appendingPathComponent("mail")
        let processed = try FileManager.default.contentsOfDirectory(
            atPath: mail.appendingPathComponent(".convene.processed/cur").path)
        let attention = try FileManager.default.contentsOfDirectory(
            atPath: mail.appendingPathComponent(".convene.needs-attention/cur").path)
        #expect(processed.count == 4)
        #expect(attention == ["1790000005.e.test:2,"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: mail.appendingPathComponent("new").path).isEmpty)

        // A second pass finds nothing; a message put back (as after a crash between journal and move) is moved
        // again, not applied again; the same reply delivered twice under another name is counted once.
        let second = try await Self.replies(dir)
        #expect(second.stdout.contains("0 messages"))
        try FileManager.default.moveItem(
            at: mail.appendingPathComponent(".convene.processed/cur/1790000001.a.test:2,"),
            to: mail.appendingPathComponent("new/1790000001.a.test"))
        try FileManager.default.copyItem(
            at: mail.appendingPathComponent(".convene.processed/cur/1790000002.b.test:2,"),
            to: mail.appendingPathComponent("new/1790000009.dup.test"))
        let third = try await Self.replies(dir, json: true)
        #expect(third.status == 0)
        let handled = try #require(
            try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [[String: Any]])
        #expect(handled.count == 2)
        let reasons = handled.compactMap { $0["reason"] as? String }
        #expect(reasons.contains("journaled before: moved, not applied again"))
        #expect(reasons.contains { $0.hasPrefix("already journaled (Message-ID b@replies.test)") })
        let journal = try String(contentsOf: dir.appendingPathComponent("out/state/journal.jsonl"), encoding: .utf8)
        let applied = journal.split(separator: "\n").filter { $0.contains("\"outcome\":\"applied\"") }
        #expect(applied.count == 3)
        // The bounce failed Eve's invitation for good: status names it.
        let status = try await CLI.run(
            [
                "status", "--config", dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path, "--now", "2027-02-24 11:00",
            ])
        #expect(status.stdout.contains("summit 2027-03-10: 1 accepted, 1 tentative, 1 declined, 1 no reply, 1 bounced"))
        #expect(status.stdout.contains("eve.bounce@example.gov.uk: invitation summit 2027-03-10"))
        #expect(status.stdout.contains("replies read: 3 applied, 1 stale, 1 needs-attention, 1 bounce"))
    }

    @Test func attendanceListsEveryoneByAnswerAsJSONAndCSV() async throws {
        let dir = try await Self.invited()
        try Self.deliverReplies(dir)
        #expect(try await Self.replies(dir).status == 0)
        let json = try await Self.attendance(dir, "--json")
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "summit")
        #expect(object["occurrence"] as? String == "2027-03-10")
        #expect(object["accepted"] as? [String] == ["ann.accept@example.gov.uk"])
        #expect(object["tentative"] as? [String] == ["cat.tentative@example.gov.uk"])
        #expect(object["declined"] as? [String] == ["ben.decline@example.gov.uk"])
        #expect(object["no_reply"] as? [String] == ["dan.silent@example.gov.uk"])
        #expect(object["bounced"] as? [String] == ["eve.bounce@example.gov.uk"])
        let attention = try #require(object["needs_attention"] as? [[String: Any]])
        #expect(attention.count == 1)
        #expect(attention.first?["from"] as? String == "dan.silent@example.gov.uk")
        #expect((object["notes"] as? [String: String])?["cat.tentative@example.gov.uk"] == "=SUM(A1), might be late")
        #expect((object["by_grade"] as? [String: [String: Int]])?["CE"] == ["tentative": 1])

        let csv = try await Self.attendance(dir, "--csv")
        #expect(csv.status == 0)
        let rows = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.first == "email,name,grade,forums,answer,note,answered_at")
        #expect(rows.count == 6)
        // A note is data, never a spreadsheet formula.
        #expect(
            rows.contains {
                $0.hasPrefix(
                    "cat.tentative@example.gov.uk,Cat Tentative,CE,directors,tentative,\"'=SUM(A1), might be late\",")
            })
        #expect(rows.contains("dan.silent@example.gov.uk,Dan Silent,SCS2,directors,no_reply,,"))
    }

    @Test func declinersGetNoRemindersAndRulesTargetByAnswer() async throws {
        let dir = try await Self.invited()
        try Self.deliverReplies(dir)
        #expect(try await Self.replies(dir).status == 0)
        let run = try await CLI.run(
            [
                "run", "--config", dir.appendingPathComponent("convene.yaml").path, "--dry-run",
                dir.appendingPathComponent("out").path, "--now", "2027-02-24 12:00", "--until", "2027-03-09 12:00",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        let out = dir.appendingPathComponent("out")
        var sent: [String: Set<String>] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) where name.hasSuffix(".eml") {
            let parts = name.split(separator: ".")
            guard parts.count > 3, parts[2] != "invitation" else { continue }
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            let to = text.split(separator: "\r\n").first { $0.hasPrefix("To:") }.map(String.init) ?? ""
            sent[String(parts[2]), default: []].insert(to)
        }
        func names(_ rule: String) -> Set<String> {
            Set(
                (sent[rule] ?? []).compactMap { line in
                    ["Ann", "Ben", "Cat", "Dan", "Eve"].first { line.contains("To: \($0) ") }
                })
        }
        // Eve's invitation bounced: her mailbox is dead, so her reminders are skipped (reason "bounced").
        #expect(names("week-before") == ["Ann", "Cat", "Dan"])
        #expect(names("chaser") == ["Dan"])
        #expect(names("final") == ["Ann"])
        let journal = try String(contentsOf: out.appendingPathComponent("state/journal.jsonl"), encoding: .utf8)
        for (who, reason) in [("ben.decline", "declined"), ("eve.bounce", "bounced")] {
            #expect(
                journal.split(separator: "\n").contains {
                    $0.contains("\"key\":\"summit/20270310/week-before/\(who)@example.gov.uk\"")
                        && $0.contains("\"reason\":\"\(reason)\"") && $0.contains("\"type\":\"skipped\"")
                }, "\(who)")
        }
    }

    @Test func aNewPlaceKeepsTheAnswersAndANewTimeAsksAgain() async throws {
        let dir = try await Self.invited()
        try Self.deliverReplies(dir)
        #expect(try await Self.replies(dir).status == 0)
        let config = dir.appendingPathComponent("convene.yaml")
        func edit(_ from: String, _ to: String, now: String) async throws {
            var text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: from, with: to)
            if !text.contains("max_calendar_changes") {
                // Every invitee's calendar changes: the change guard would hold it for `approve`.
                text = text.replacingOccurrences(
                    of: "  send_window: 00:00-24:00 Mon-Sun\n",
                    with: "  send_window: 00:00-24:00 Mon-Sun\n  max_calendar_changes: 100%\n")
            }
            try text.write(to: config, atomically: true, encoding: .utf8)
            let run = try await CLI.run(
                [
                    "run", "--config", config.path, "--dry-run", dir.appendingPathComponent("out").path, "--now", now,
                    "--until", now,
                ])
            #expect(run.status == 0, "\(run.stderr)")
        }
        func lists() async throws -> [String: Any] {
            let result = try await CLI.run(
                [
                    "attendance", "summit", "--config", config.path, "--state",
                    dir.appendingPathComponent("out/state").path,
                    "--now", "2027-02-25 12:00", "--json",
                ])
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        try await edit("    location: Online\n", "    location: Room 4, 70 Whitehall\n", now: "2027-02-25 10:00")
        var report = try await lists()
        #expect(report["accepted"] as? [String] == ["ann.accept@example.gov.uk"])
        #expect(report["declined"] as? [String] == ["ben.decline@example.gov.uk"])
        try await edit("    start: 2027-03-10 10:00\n", "    start: 2027-03-10 11:00\n", now: "2027-02-25 11:00")
        report = try await lists()
        #expect(report["accepted"] as? [String] == [])
        #expect(report["declined"] as? [String] == [])
        #expect(report["tentative"] as? [String] == [])
        #expect(
            report["no_reply"] as? [String] == [
                "ann.accept@example.gov.uk", "ben.decline@example.gov.uk", "cat.tentative@example.gov.uk",
                "dan.silent@example.gov.uk",
            ])
        let updates = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
            .filter { $0.contains(".update.") }
        #expect(updates.count == 10)
    }

    @Test func repliesWithoutAMailboxIsAConfigErrorWithAHint() async throws {
        let dir = try await Self.invited()
        let result = try await CLI.run(
            ["replies", "--once", "--config", dir.appendingPathComponent("convene.yaml").path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("no replies: block"))
        #expect(result.stderr.contains("--from-maildir"))
        let notMaildir = try await CLI.run(
            [
                "replies", "--once", "--from-maildir", dir.path, "--config",
                dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path,
            ])
        #expect(notMaildir.status == 78)
        #expect(notMaildir.stderr.contains("is not a Maildir"))
        let noOnce = try await CLI.run(["replies", "--config", dir.appendingPathComponent("convene.yaml").path])
        #expect(noOnce.status == 64)
    }

    @Test func toOnAnInvitationRuleIsAValidateError() async throws {
        let dir = try await Self.invited()
        let rules = Self.rules.replacingOccurrences(
            of: "    template: invitation\n", with: "    template: invitation\n    to: accepted\n"
        )
        .replacingOccurrences(of: "    to: no-reply\n", with: "    to: nobody\n")
        try rules.write(to: dir.appendingPathComponent("convene.yaml"), atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--config", dir.appendingPathComponent("convene.yaml").path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("'to' chooses reminder recipients by their answer"))
        #expect(result.stderr.contains("'to' must be one of: everyone, no-reply, accepted; got 'nobody'"))
    }
}
