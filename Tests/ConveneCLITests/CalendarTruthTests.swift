import ConveneTesting
import Foundation
import Testing

/// What recipients' calendars show follows the rules file: a move is an update in place (same UID, SEQUENCE+1), a
/// description change reaches calendars, every cancellation says why. Through the built binary, read back with Python's
/// `email` and `icalendar`.
@Suite(.ownThread)
struct CalendarTruthTests {
    static let roster = """
        email,name,grade
        dg@example.gov.uk,Dee Gee,DG
        dir1@example.gov.uk,Ann Director,SCS2
        dir2@example.gov.uk,Bob Director,SCS2

        """

    /// A one-off event for the CSLG and a fortnightly series for the Directors' Network.
    static func rules(day: String = dayEvent, talk: String = talkEvent) -> String {
        """
        service:
          timezone: Europe/London
          from: Collective Leadership Team <collective.leadership@example.gov.uk>
          organizer: collective.leadership@example.gov.uk
          roster: roster.csv
          templates: templates
          max_calendar_changes: 100%   # three people: any change is a large share (the guard has its own tests)
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: DG
            name: Director General
          - id: SCS2
            name: Director
        forums:
          - id: directors
            name: Directors' Network
            grades: [SCS2]
          - id: cslg
            name: Civil Service Leadership Group
            grades: [DG]
        events:
        \(day)
        \(talk)
        notifications:
          - id: invitation
            kind: invitation
            send: 14 days before at 09:00
            template: invitation
          - id: reminder
            kind: reminder
            send: 2 days before at 09:00
            template: reminder

        """
    }

    static let dayEvent = """
          - id: day
            title: Leadership Day
            forums: [cslg]
            start: 2027-01-07 12:00
            duration: 60m
            location: Lancaster House
        """

    static let talkEvent = """
          - id: talk
            title: Your Agenda
            forums: [directors]
            start: 2027-03-04 12:00
            duration: 60m
            repeat: every 2 weeks for 4 times
            location: Online
            join_url: https://meet.example.gov.uk/talk
        """

    @Test func aOneOffEventMovedToAnotherDayIsUpdatedInPlace() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        let invitations = try await programme.run(now: "2026-12-01 09:00", until: "2026-12-30 00:00")
        let invitation = try #require(invitations.first { $0.event?.uid.hasPrefix("day-") == true })
        #expect(invitation.event?.sequence == 0)

        try programme.write(
            rules: Self.rules(day: Self.dayEvent.replacingOccurrences(of: "2027-01-07 12:00", with: "2027-01-08 14:00"))
        )
        let moved = try await programme.run(now: "2026-12-30 10:00", until: "2026-12-30 10:05")
        #expect(moved.count == 1, "one update, no cancellation and no new invitation: \(moved.map(\.subject))")
        let update = try #require(moved.first)
        #expect(update.to == ["dg@example.gov.uk"])
        #expect(
            update.event?.method == "REQUEST" && update.event?.uid == invitation.event?.uid
                && update.event?.sequence == 1)
        #expect(update.event?.start == "2027-01-08T14:00:00+00:00")
        #expect(update.subject.hasPrefix("Updated: Leadership Day"))
        #expect(
            update.plain.contains("moved from Thursday 7 January 2027 12:00 to Friday 8 January 2027 14:00"),
            "\(update.plain)")

        // The reminder follows the new time: 2 days before Friday 8 January, once.
        let later = try await programme.run(now: "2026-12-30 10:05", until: "2027-01-10 00:00")
        #expect(later.map(\.subject) == ["Reminder: Leadership Day, Friday 8 January 2027"])
        let reminder = try #require(
            try programme.journal().first { $0["kind"] as? String == "reminder" && $0["type"] as? String == "sent" })
        #expect(reminder["at"] as? String == "2027-01-06T09:00:00Z")
    }

    @Test func aSeriesMovedToAnotherWeekdayIsUpdatedInPlaceNotCancelledAndReinvited() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        let sent = try await programme.run(now: "2027-02-01 09:00", until: "2027-03-05 10:00")
        let invited18 = sent.filter { $0.event?.uid == "talk-20270318@example.gov.uk" }
        #expect(invited18.count == 2, "both directors hold the 18 March entry")

        // Thursday → Wednesday: every date shifts by a day.
        try programme.write(
            rules: Self.rules(
                talk: Self.talkEvent.replacingOccurrences(of: "2027-03-04 12:00", with: "2027-03-03 12:00")))
        let planned = try await programme.plan(now: "2027-03-05 10:00", extra: ["--to", "2027-03-05"])
        #expect(planned.map { $0["kind"] as? String } == ["update", "update"], "plan shows the move before it goes")
        let moved = try await programme.run(now: "2027-03-05 10:00", until: "2027-03-05 10:05")
        #expect(moved.count == 2)
        for update in moved {
            #expect(update.event?.method == "REQUEST")
            #expect(update.event?.uid == "talk-20270318@example.gov.uk" && update.event?.sequence == 1)
            #expect(update.event?.start == "2027-03-17T12:00:00+00:00")
            #expect(update.plain.contains("moved from Thursday 18 March 2027 12:00 to Wednesday 17 March 2027 12:00"))
        }
        // The rest of the series is invited on the new days; nothing is ever cancelled.
        let rest = try await programme.run(now: "2027-03-05 10:05", until: "2027-05-01 00:00")
        #expect(!rest.contains { $0.event?.method == "CANCEL" })
        #expect(Set(rest.compactMap { $0.event?.start }) == ["2027-03-31T11:00:00+00:00", "2027-04-14T11:00:00+00:00"])
    }

    @Test func oneOccurrenceMovedWithMovedKeepsItsUIDAndItsRemindersFollow() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        try await programme.run(now: "2027-02-01 09:00", until: "2027-03-05 10:00")
        let talk = Self.talkEvent + "\n    moved:\n      2027-03-18: 2027-03-19 14:00   # clashes with the CSLG day"
        try programme.write(rules: Self.rules(talk: talk))
        let moved = try await programme.run(now: "2027-03-05 10:00", until: "2027-03-05 10:05")
        #expect(moved.count == 2)
        #expect(
            moved.allSatisfy {
                $0.event?.uid == "talk-20270318@example.gov.uk" && $0.event?.sequence == 1
                    && $0.event?.start == "2027-03-19T14:00:00+00:00"
                    && $0.plain.contains("moved from Thursday 18 March 2027 12:00 to Friday 19 March 2027 14:00")
            })
        try await programme.run(now: "2027-03-05 10:05", until: "2027-03-20 00:00")
        let reminders = try programme.journal().filter {
            $0["kind"] as? String == "reminder" && $0["type"] as? String == "sent"
                && ($0["key"] as? String)?.hasPrefix("talk/20270318/") == true
        }
        #expect(
            reminders.map { $0["at"] as? String } == ["2027-03-17T09:00:00Z", "2027-03-17T09:00:00Z"],
            "2 days before the new start")
    }

    @Test func aDescriptionChangeReachesCalendarsAsAnUpdate() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        try await programme.run(now: "2026-12-01 09:00", until: "2026-12-30 00:00")
        let described = Self.dayEvent + "\n    description: Bring the 2027-28 priorities paper."
        try programme.write(rules: Self.rules(day: described))
        let planned = try await programme.plan(now: "2026-12-30 10:00", extra: ["--to", "2026-12-30"])
        #expect(planned.map { $0["kind"] as? String } == ["update"])
        let updates = try await programme.run(now: "2026-12-30 10:00", until: "2026-12-30 10:05")
        let update = try #require(updates.first)
        #expect(updates.count == 1 && update.event?.sequence == 1)
        #expect(update.event?.description?.contains("Bring the 2027-28 priorities paper.") == true)
        #expect(update.plain.contains("the description has changed"))
    }

    /// Each edit, and the reason the cancellation gives.
    static let cancellations: [(edit: String, reason: String)] = [
        ("leaver", "because you are no longer a member of the Directors' Network."),
        ("except", "because this date, Thursday 18 March, has been removed from the series: the spending review."),
        ("cancelled", "because this event has been cancelled: it is postponed to the autumn."),
        ("deleted", "because this event has been cancelled."),
        ("shortened", "because this date, Thursday 18 March, has been removed from the series."),
    ]

    @Test(arguments: cancellations)
    func everyCancellationSaysWhy(_ edit: String, _ reason: String) async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        let invited = try await programme.run(now: "2027-02-01 09:00", until: "2027-03-05 10:00")
        switch edit {
        case "leaver":
            try programme.write(
                roster: Self.roster.replacingOccurrences(
                    of: "dir2@example.gov.uk,Bob Director,SCS2", with: "dir2@example.gov.uk,Bob Director,DG"))
        case "except":
            try programme.write(
                rules: Self.rules(talk: Self.talkEvent + "\n    except:\n      2027-03-18: the spending review"))
        case "cancelled":
            try programme.write(
                rules: Self.rules(
                    talk: Self.talkEvent + "\n    status: cancelled\n    reason: it is postponed to the autumn"))
        case "deleted":
            try programme.write(rules: Self.rules(talk: ""))
        default:
            try programme.write(
                rules: Self.rules(talk: Self.talkEvent.replacingOccurrences(of: "for 4 times", with: "for 1 times")))
        }
        let cancelled = try await programme.run(now: "2027-03-05 10:00", until: "2027-03-05 10:05")
        #expect(!cancelled.isEmpty)
        for message in cancelled {
            let uid = try #require(message.event?.uid)
            let original = try #require(invited.first { $0.event?.uid == uid && $0.to == message.to })
            #expect(message.event?.method == "CANCEL" && message.event?.status == "CANCELLED")
            #expect(message.event?.sequence == (original.event?.sequence ?? 0) + 1)
            #expect(message.plain.contains(reason), "\(message.plain)")
        }
        if edit == "leaver" { #expect(cancelled.map(\.to) == [["dir2@example.gov.uk"]]) }
    }

    @Test func someoneWhoLeavesOneForumButIsStillInvitedThroughAnotherGetsNothing() async throws {
        let talk = Self.talkEvent.replacingOccurrences(of: "forums: [directors]", with: "forums: [directors, cslg]")
        let programme = try Programme(rules: Self.rules(talk: talk), roster: Self.roster)
        try await programme.run(now: "2027-02-01 09:00", until: "2027-03-05 10:00")
        try programme.write(
            roster: Self.roster.replacingOccurrences(
                of: "dir2@example.gov.uk,Bob Director,SCS2", with: "dir2@example.gov.uk,Bob Director,DG"))
        #expect(try await programme.run(now: "2027-03-05 10:00", until: "2027-03-05 10:05").isEmpty)
    }

    /// A journal written by the release before identities survived moves (commit 1b67b4e, the shipped example run
    /// from 1 December to 15 February): the new build keeps every thread's UID and plans exactly what that release
    /// planned next, and sends nothing the files did not change.
    @Test func aJournalWrittenByThePreviousReleaseKeepsWorking() async throws {
        let fixture = CLI.root.appendingPathComponent("Tests/ConveneCLITests/Fixtures/journal-from-1b67b4e")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-upgrade-\(UUID().uuidString)")
        // The dry-run outbox keeps its journal in outbox/state: the old journal goes there.
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("outbox/state"), withIntermediateDirectories: true)
        let rules = try String(contentsOf: fixture.appendingPathComponent("convene.yaml"), encoding: .utf8)
            .replacingOccurrences(
                of: "templates: ../../../../config/templates",
                with: "templates: " + CLI.root.appendingPathComponent("config/templates").path)
        try Data(rules.utf8).write(to: dir.appendingPathComponent("convene.yaml"))
        try FileManager.default.copyItem(
            at: fixture.appendingPathComponent("roster.csv"), to: dir.appendingPathComponent("roster.csv"))
        try FileManager.default.copyItem(
            at: fixture.appendingPathComponent("journal.jsonl"),
            to: dir.appendingPathComponent("outbox/state/journal.jsonl"))
        let config = dir.appendingPathComponent("convene.yaml").path
        let state = dir.appendingPathComponent("outbox/state").path

        let plan = try await CLI.run([
            "plan", "--config", config, "--state", state, "--now", "2027-02-15 18:00", "--json",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let new = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        let old =
            try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("plan-after.json")))
            as? [[String: Any]] ?? []
        // The same messages under the same UIDs. (Kinds are not compared: that release planned a day-before reminder
        // for a Monday 08:00 breakfast at 08:00 Monday and then never sent it; this one plans it for the Friday.)
        func messages(_ actions: [[String: Any]]) -> Set<String> {
            Set(actions.map { "\($0["uid"] ?? "") \($0["message_id"] ?? "")" })
        }
        #expect(old.count > 900)
        #expect(messages(new) == messages(old))
        #expect(!new.contains { ["update", "cancellation"].contains($0["kind"] as? String) })

        let once = try await CLI.run([
            "run", "--config", config, "--now", "2027-02-15 18:00", "--once", "--dry-run",
            dir.appendingPathComponent("outbox").path,
        ])
        #expect(once.status == 0, "\(once.stderr)")
        // 18:00 is the window's closing time: the pass says so, and nothing is due anyway.
        #expect(
            once.stdout.hasPrefix(
                "outside the send window (08:00-18:00 Mon-Fri); it next opens Tuesday 16 February 2027 08:00\n"
                    + "sent 0, failed 0, skipped 0"), "\(once.stdout)")
    }
}
