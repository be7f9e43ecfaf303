import ConveneTesting
import Foundation
import Testing

/// A hosted series through the binary on a simulated clock: the allocated table is invited, a decline (a reply
/// from a Maildir) frees a place that is offered to the next person, an offer not accepted in time passes on, and
/// no offer goes after `offers_close`.
@Suite(.ownThread) struct HostedSeriesCLITests {
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
          - id: PS
            name: Permanent Secretary
          - id: SCS2
            name: Director
        forums:
          - id: permanent-secretaries
            name: Permanent Secretaries
            grades: [PS]
          - id: directors
            name: Directors' Network
            grades: [SCS2]
        events:
          - id: breakfast
            title: Directors' Breakfast
            forums: [directors]
            start: 2027-03-10 08:00
            duration: 1h
            location: 70 Whitehall
            capacity: 3
            hosts: [permanent-secretaries]
            mix: department
            offer: 48h
            invite: 14 days before at 09:00
            offers_close: 2 days before
        notifications:
          - id: invitation
            kind: invitation
            send: 14 days before at 09:00
            template: invitation

        """

    static let roster = """
        email,name,grade,department
        pat.host@example.gov.uk,Pat Host,PS,Cabinet Office
        d1@example.gov.uk,Dee One,SCS2,HM Treasury
        d2@example.gov.uk,Dee Two,SCS2,Home Office
        d3@example.gov.uk,Dee Three,SCS2,Ministry of Justice
        d4@example.gov.uk,Dee Four,SCS2,Ministry of Defence
        d5@example.gov.uk,Dee Five,SCS2,Department for Education
        d6@example.gov.uk,Dee Six,SCS2,Department for Transport
        d7@example.gov.uk,Dee Seven,SCS2,Cabinet Office
        d8@example.gov.uk,Dee Eight,SCS2,HM Treasury

        """

    /// A folder with the files and an empty Maildir, the first invitations sent (journal in `out/state`).
    static func invited(roster: String = roster, rules: String = rules) async throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-hosted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("config/templates"), to: dir.appendingPathComponent("templates"))
        try rules.write(to: dir.appendingPathComponent("convene.yaml"), atomically: true, encoding: .utf8)
        try roster.write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent("mail/\(sub)"), withIntermediateDirectories: true)
        }
        try await run(dir, from: "2027-02-20 08:00", until: "2027-02-24 10:00")
        return dir
    }

    static func run(_ dir: URL, from: String, until: String) async throws {
        let run = try await CLI.run(
            [
                "run", "--config", dir.appendingPathComponent("convene.yaml").path, "--dry-run",
                dir.appendingPathComponent("out").path, "--now", from, "--until", until,
            ])
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// A reminder the day before, for the tests that follow a guest past the invitation.
    static let withReminder =
        rules + """
              - id: day-before
                kind: reminder
                send: 1 day before at 09:00
                template: reminder

            """

    /// A delivery status notification (5.1.1) for the invitation sent to `who`, read by `convene replies` at `now`.
    static func bounce(_ dir: URL, _ who: String, at now: String) async throws {
        let invitation = try text(dir, "invitation", to: who)
        let id = try #require(invitation.split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") })
        let text = """
            From: MAILER-DAEMON@relay.test\r
            Message-ID: <\(UUID().uuidString)@relay.test>\r
            Content-Type: multipart/report; report-type=delivery-status; boundary=b\r
            \r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; relay.test\r
            \r
            Final-Recipient: rfc822; \(who)\r
            Action: failed\r
            Status: 5.1.1\r
            Diagnostic-Code: smtp; 550 5.1.1 user unknown\r
            \r
            --b\r
            Content-Type: text/rfc822-headers\r
            \r
            \(id)\r
            \r
            --b--\r

            """
        try text.write(
            to: dir.appendingPathComponent("mail/new/\(UUID().uuidString).test"), atomically: true, encoding: .utf8)
        let replies = try await CLI.run(
            [
                "replies", "--once", "--from-maildir", dir.appendingPathComponent("mail").path, "--config",
                dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path, "--now", now,
            ])
        #expect(replies.status == 0, "\(replies.stderr)")
        #expect(replies.stdout.contains("1 bounce"), "\(replies.stdout)")
    }

    static func decline(_ dir: URL, _ who: String, at now: String) async throws {
        let text = """
            From: \(who)\r
            To: collective.leadership@example.gov.uk\r
            Subject: Declined: Directors' Breakfast\r
            Message-ID: <\(UUID().uuidString)@replies.test>\r
            MIME-Version: 1.0\r
            Content-Type: text/calendar; method=REPLY; charset=UTF-8\r
            \r
            BEGIN:VCALENDAR\r
            METHOD:REPLY\r
            BEGIN:VEVENT\r
            UID:breakfast-20270310@example.gov.uk\r
            SEQUENCE:0\r
            ATTENDEE;PARTSTAT=DECLINED:mailto:\(who)\r
            DTSTAMP:20270224T100000Z\r
            END:VEVENT\r
            END:VCALENDAR\r

            """
        try text.write(
            to: dir.appendingPathComponent("mail/new/\(UUID().uuidString).test"), atomically: true, encoding: .utf8)
        let replies = try await CLI.run(
            [
                "replies", "--once", "--from-maildir", dir.appendingPathComponent("mail").path, "--config",
                dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path, "--now", now,
            ])
        #expect(replies.status == 0, "\(replies.stderr)")
        #expect(replies.stdout.contains("\(who) declined"), "\(replies.stdout)")
    }

    /// `convene cohorts breakfast --json` at `now`: the one occurrence.
    static func table(_ dir: URL, at now: String) async throws -> [String: Any] {
        let result = try await CLI.run(
            [
                "cohorts", "breakfast", "--json", "--config", dir.appendingPathComponent("convene.yaml").path,
                "--state", dir.appendingPathComponent("out/state").path, "--now", now,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let occurrences = try #require(object["occurrences"] as? [[String: Any]])
        return try #require(occurrences.first)
    }

    static func guests(_ table: [String: Any]) -> [String] {
        (table["guests"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    static func waitlist(_ table: [String: Any]) -> [String] {
        (table["waitlist"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    /// The recipients (`To:` addresses) of the messages in `out` whose file name has `.KIND.`, e.g. `.offer.`.
    static func sent(_ dir: URL, _ notification: String) throws -> Set<String> {
        let out = dir.appendingPathComponent("out")
        var recipients: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path)
        where name.hasSuffix(".eml") && name.contains(".\(notification).") {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            let to = text.split(separator: "\r\n").first { $0.hasPrefix("To:") } ?? ""
            if let address = to.split(separator: "<").last?.split(separator: ">").first {
                recipients.insert(String(address))
            }
        }
        return recipients
    }

    static func text(_ dir: URL, _ notification: String, to: String) throws -> String {
        let out = dir.appendingPathComponent("out")
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path)
        where name.hasSuffix(".eml") && name.contains(".\(notification).") {
            // Soft line breaks of quoted-printable joined, so a sentence can be looked for whole.
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "=\r\n", with: "")
            if text.contains("<\(to)>") { return text }
        }
        return ""
    }

    @Test func theTableIsInvitedAndADeclineIsFilledFromTheWaitlist() async throws {
        let dir = try await Self.invited()
        // The host and three guests, one per department, none from the host's (Cabinet Office).
        let first = try await Self.table(dir, at: "2027-02-24 11:00")
        let guests = Self.guests(first)
        #expect(guests.count == 3)
        #expect(!guests.contains("d7@example.gov.uk"))
        #expect(try Self.sent(dir, "invitation") == Set(guests + ["pat.host@example.gov.uk"]))
        let next = try #require(Self.waitlist(first).first)

        try await Self.decline(dir, guests[1], at: "2027-02-25 10:00")
        try await Self.run(dir, from: "2027-02-25 10:00", until: "2027-02-25 11:00")
        #expect(try Self.sent(dir, "offer") == [next])
        let offer = try Self.text(dir, "offer", to: next)
        #expect(offer.contains("text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(offer.contains("Subject: A place has come up: Directors' Breakfast"))
        #expect(offer.contains("held for you until 2027-02-27 10:00"))
        let after = try await Self.table(dir, at: "2027-02-25 11:00")
        #expect(Self.guests(after) == [guests[0], guests[2], next])
        #expect(after["declined"] as? [String] == [guests[1]])
        // The one who declined gets no cancellation: they said no themselves.
        #expect(try Self.sent(dir, "cancellation").isEmpty)
    }

    @Test func aBouncedInvitationFreesThePlaceLikeADeclineAndTheGuestGetsNoReminders() async throws {
        let dir = try await Self.invited(rules: Self.withReminder)
        let first = try await Self.table(dir, at: "2027-02-24 11:00")
        let guests = Self.guests(first)
        let next = try #require(Self.waitlist(first).first)
        let dead = guests[1]

        try await Self.bounce(dir, dead, at: "2027-02-25 10:00")
        try await Self.run(dir, from: "2027-02-25 10:00", until: "2027-02-25 11:00")
        #expect(try Self.sent(dir, "offer") == [next])
        let after = try await Self.table(dir, at: "2027-02-25 11:00")
        #expect(Self.guests(after) == [guests[0], guests[2], next])
        #expect(after["bounced"] as? [String] == [dead])
        #expect(after["declined"] as? [String] == [])
        let config = dir.appendingPathComponent("convene.yaml").path
        let state = dir.appendingPathComponent("out/state").path
        let cohorts = try await CLI.run(
            ["cohorts", "breakfast", "--config", config, "--state", state, "--now", "2027-02-25 11:00"])
        #expect(cohorts.stdout.contains("  bounced: \(dead)\n"), "\(cohorts.stdout)")
        let attendance = try await CLI.run(
            ["attendance", "breakfast", "--json", "--config", config, "--state", state, "--now", "2027-02-25 11:00"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(attendance.stdout.utf8)) as? [String: Any], "\(attendance)")
        #expect(object["bounced"] as? [String] == [dead])

        // `plan` says why the reminder to the dead mailbox will not go; the others' go.
        let plan = try await CLI.run([
            "plan", "--json", "--config", config, "--state", state, "--now", "2027-02-25 11:00",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
        let reminders = actions.filter { $0["notification"] as? String == "day-before" }
        let skipped = reminders.filter { $0["kind"] as? String == "skip" }
        #expect(skipped.compactMap { $0["recipient"] as? String } == [dead], "\(reminders)")
        #expect(skipped.first?["reason"] as? String == "bounced")
        // The day before, the table as it then stands is reminded (the offer may have passed on); the dead mailbox not.
        try await Self.run(dir, from: "2027-02-25 11:00", until: "2027-03-09 10:00")
        let last = try await Self.table(dir, at: "2027-03-09 10:00")
        let reminded = try Self.sent(dir, "day-before")
        #expect(reminded == Set(Self.guests(last) + ["pat.host@example.gov.uk"]), "\(reminded)")
        #expect(!reminded.contains(dead) && reminded.contains(guests[0]))
        // Nothing more to the dead mailbox: no cancellation either.
        #expect(try Self.sent(dir, "cancellation").isEmpty)
    }

    @Test func attendanceCountsTheHostUnderTheHostsForum() async throws {
        let dir = try await Self.invited()
        let result = try await CLI.run([
            "attendance", "breakfast", "--config", dir.appendingPathComponent("convene.yaml").path, "--state",
            dir.appendingPathComponent("out/state").path, "--now", "2027-02-24 11:00",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains("by forum:\n  directors: 3 no reply\n  permanent-secretaries: 1 no reply\n"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("  -: "))
    }

    @Test func anOfferNotAcceptedInTimePassesToTheNextPerson() async throws {
        let dir = try await Self.invited()
        let guests = Self.guests(try await Self.table(dir, at: "2027-02-24 11:00"))
        try await Self.decline(dir, guests[0], at: "2027-02-25 10:00")
        try await Self.run(dir, from: "2027-02-25 10:00", until: "2027-02-25 11:00")
        let offered = try #require(try Self.sent(dir, "offer").first)
        let waiting = Self.waitlist(try await Self.table(dir, at: "2027-02-25 11:00"))
        // Nothing within the 48 hours; just after, the simulated clock cancels the offer and offers the place on.
        try await Self.run(dir, from: "2027-02-25 11:00", until: "2027-02-27 09:59")
        #expect(try Self.sent(dir, "offer-passed").isEmpty)
        try await Self.run(dir, from: "2027-02-27 09:59", until: "2027-02-27 11:00")
        #expect(try Self.sent(dir, "offer-passed") == [offered])
        #expect(try Self.text(dir, "offer-passed", to: offered).contains("method=CANCEL"))
        let offers = try Self.sent(dir, "offer")
        #expect(offers.count == 2)
        let second = try #require(offers.subtracting([offered]).first)
        #expect(second == waiting.first)
        let table = try await Self.table(dir, at: "2027-02-27 11:00")
        #expect(table["passed"] as? [String] == [offered])
        #expect(Self.guests(table).contains(second) && !Self.guests(table).contains(offered))
    }

    @Test func offersStopAtTheCutOff() async throws {
        let dir = try await Self.invited()
        let guests = Self.guests(try await Self.table(dir, at: "2027-02-24 11:00"))
        // 8 March 09:00 is after offers_close (2 days before 10 March 08:00): the freed place stays empty.
        try await Self.decline(dir, guests[2], at: "2027-03-08 09:00")
        try await Self.run(dir, from: "2027-03-08 09:00", until: "2027-03-09 09:00")
        #expect(try Self.sent(dir, "offer").isEmpty)
        let table = try await Self.table(dir, at: "2027-03-08 09:00")
        #expect(table["offers_open"] as? Bool == false)
        #expect(Self.guests(table) == Array(guests.prefix(2)))
        #expect(Self.waitlist(table).isEmpty)
        // Just before the cut-off the same decline would have been offered on.
        let early = try await Self.invited()
        try await Self.decline(early, guests[2], at: "2027-03-08 07:00")
        try await Self.run(early, from: "2027-03-08 07:00", until: "2027-03-08 07:30")
        #expect(try Self.sent(early, "offer").count == 1)
    }

    @Test func aGuestWhoLeavesTheRosterFreesTheirPlaceForTheNextPerson() async throws {
        let dir = try await Self.invited()
        let first = try await Self.table(dir, at: "2027-02-24 11:00")
        let guests = Self.guests(first)
        let next = try #require(Self.waitlist(first).first)
        // One of four holders leaves: 25%, so the roster-shrink and change guards are raised for this test.
        let config = dir.appendingPathComponent("convene.yaml")
        try Self.rules.replacingOccurrences(
            of: "  send_window: 00:00-24:00 Mon-Sun\n",
            with: "  send_window: 00:00-24:00 Mon-Sun\n  max_roster_shrink: 50%\n  max_calendar_changes: 50%\n"
        ).write(to: config, atomically: true, encoding: .utf8)
        let leaver = guests[0]
        try Self.roster.split(separator: "\n").filter { !$0.hasPrefix(leaver + ",") }.joined(separator: "\n")
            .write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        try await Self.run(dir, from: "2027-02-26 10:00", until: "2027-02-26 11:00")
        #expect(try Self.sent(dir, "cancellation") == [leaver])
        #expect(try Self.sent(dir, "offer") == [next])
        let table = try await Self.table(dir, at: "2027-02-26 11:00")
        #expect(Self.guests(table) == [guests[1], guests[2], next])
    }

    @Test func aGuestWhoseAddressChangesKeepsTheirPlaceAndGetsTheEntryThere() async throws {
        // The roster with employee numbers: E<n> for d<n>.
        let numbered =
            Self.roster.split(separator: "\n").enumerated().map { index, line in
                index == 0 ? "employee_id," + line : "E\(index)," + line
            }.joined(separator: "\n") + "\n"
        let dir = try await Self.invited(roster: numbered)
        let first = try await Self.table(dir, at: "2027-02-24 11:00")
        let guests = Self.guests(first)
        let mover = guests[1]
        try numbered.replacingOccurrences(of: "," + mover + ",", with: ",new." + mover + ",")
            .write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        let text = try await CLI.run(
            [
                "cohorts", "breakfast", "--config", dir.appendingPathComponent("convene.yaml").path, "--state",
                dir.appendingPathComponent("out/state").path, "--now", "2027-02-25 10:00",
            ])
        #expect(
            text.stdout.contains("— pending, address changed from \(mover): entry to be re-sent"), "\(text.stdout)")
        try await Self.run(dir, from: "2027-02-25 10:00", until: "2027-02-25 11:00")
        #expect(try Self.sent(dir, "address-change") == ["new." + mover])
        #expect(try Self.sent(dir, "offer").isEmpty)
        #expect(try Self.sent(dir, "cancellation").isEmpty)
        let after = try await Self.table(dir, at: "2027-02-25 11:00")
        #expect(Self.guests(after) == [guests[0], "new." + mover, guests[2]])
        #expect(Self.waitlist(after) == Self.waitlist(first))
    }

    @Test func planShowsTheAllocatedInvitationsAndCohortsExplainsTheTable() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-hosted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("config/templates"), to: dir.appendingPathComponent("templates"))
        try Self.rules.write(to: dir.appendingPathComponent("convene.yaml"), atomically: true, encoding: .utf8)
        try Self.roster.write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("convene.yaml").path
        let state = dir.appendingPathComponent("state").path
        let plan = try await CLI.run([
            "plan", "--json", "--config", config, "--state", state, "--now", "2027-02-01 09:00",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
        let invited = Set(
            actions.filter { $0["kind"] as? String == "invitation" }.compactMap { $0["recipient"] as? String })
        let table = try await Self.table(dir, at: "2027-02-01 09:00")
        #expect(invited == Set(Self.guests(table) + ["pat.host@example.gov.uk"]))
        #expect(actions.allSatisfy { $0["due"] as? String == "2027-02-24T09:00:00+00:00" })
        let text = try await CLI.run(
            ["cohorts", "breakfast", "--explain", "--config", config, "--state", state, "--now", "2027-02-01 09:00"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains("Wednesday 10 March 2027 (planned, invitations 2027-02-24 09:00):"), "\(text.stdout)")
        #expect(text.stdout.contains("  host: pat.host@example.gov.uk (Pat Host, Cabinet Office) — to invite"))
        #expect(text.stdout.contains("  cost: 0 (sum of squares of past meetings per pair), 0 pairs met before"))
        #expect(text.stdout.contains("series: 3 of 8 invited at least once; 0 pairs meet more than once; 1 host used"))
        let missing = try await CLI.run(["cohorts", "nope", "--config", config, "--state", state])
        #expect(missing.status == 64)
    }

    /// `validate` on the test files with `edit` applied to the rules.
    static func validate(_ edit: (String) -> String) async throws -> CLI.Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-hosted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("config/templates"), to: dir.appendingPathComponent("templates"))
        try edit(rules).write(to: dir.appendingPathComponent("convene.yaml"), atomically: true, encoding: .utf8)
        try roster.write(to: dir.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        return try await CLI.run(["validate", "--config", dir.appendingPathComponent("convene.yaml").path])
    }

    @Test func validateSaysWhenASeriesIsInfeasibleAndWhatWouldFixIt() async throws {
        #expect(try await Self.validate { $0 }.status == 0)
        // Six departments besides the host's (Cabinet Office) for eight places; one host for two dates.
        let result = try await Self.validate {
            $0.replacingOccurrences(of: "capacity: 3", with: "capacity: 8")
                .replacingOccurrences(
                    of: "duration: 1h\n", with: "duration: 1h\n    repeat: every 2 weeks for 2 times\n")
        }
        #expect(result.status == 78)
        #expect(
            result.stderr.contains(
                "convene.yaml:31:15: error: event 'breakfast' mixes departments but its audience has only 6 departments "
                    + "for a table (the host's left out) and 8 places"), "\(result.stderr)")
        #expect(result.stderr.contains("lower 'capacity' to 6, or invite forums with 2 more departments"))
        #expect(
            result.stderr.contains("error: event 'breakfast' has 1 host for 2 occurrences: a host would host twice"))
        #expect(result.stderr.contains("add hosts to 'hosts' (1 more), or shorten the series to 1 date"))
    }

    @Test func badHostingKeysAreErrorsAtTheirPlace() async throws {
        let result = try await Self.validate {
            $0.replacingOccurrences(of: "capacity: 3", with: "capacity: twelve")
                .replacingOccurrences(of: "hosts: [permanent-secretaries]", with: "hosts: [perm-secs]")
                .replacingOccurrences(of: "mix: department", with: "mix: grade")
                .replacingOccurrences(of: "offer: 48h", with: "offer: two days")
                .replacingOccurrences(of: "offers_close: 2 days before", with: "offers_close: 15 days before")
        }
        #expect(result.status == 78)
        for expected in [
            "convene.yaml:30:15: error: 'capacity' must be a whole number of places from 1 to 1000; got 'twelve'",
            "convene.yaml:31:13: error: 'hosts' names unknown forum 'perm-secs'",
            "convene.yaml:32:10: error: 'mix' must be 'department' or 'none'; got 'grade'",
            "convene.yaml:33:12: error: bad 'offer': 'two days' is not a duration",
            "convene.yaml:35:19: error: 'offers_close' (15 days before) is not after 'invite' (14 days before at 09:00)",
        ] {
            #expect(result.stderr.contains(expected), "\(expected)\n\(result.stderr)")
        }
        let noCapacity = try await Self.validate { $0.replacingOccurrences(of: "    capacity: 3\n", with: "") }
        #expect(noCapacity.status == 78)
        #expect(noCapacity.stderr.contains("error: event 'breakfast' has 'hosts' but no 'capacity'"))
    }
}
