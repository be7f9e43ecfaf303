import ConveneTesting
import Foundation
import Testing

/// The team's `people.csv` beside HR's roster, and people known by employee number, through the built binary.
@Suite(.ownThread)
struct PeopleFileCLITests {
    static func rules(people: Bool) -> String {
        """
        service:
          timezone: Europe/London
          from: Collective Leadership Team <collective.leadership@example.gov.uk>
          organizer: collective.leadership@example.gov.uk
          roster: roster.csv
        \(people ? "  people: people.csv" : "")
          max_calendar_changes: 100%   # five people: any change is a large share (the guard has its own tests)
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: PS
            name: Permanent Secretary
          - id: DG
            name: Director General
          - id: SCS2
            name: Director
        forums:
          - id: cslg
            name: Civil Service Leadership Group
            grades: [PS, DG]
          - id: directors
            name: Directors' Network
            grades: [SCS2]
          - id: hod
            name: Heads of Department
            roles: [head-of-department]
        events:
          - id: day
            title: Leadership Day
            forums: [cslg, hod]
            start: 2027-01-07 12:00
            duration: 60m
          - id: talk
            title: Your Agenda
            forums: [directors]
            start: 2027-01-14 12:00
            duration: 60m
            repeat: every 2 weeks for 3 times
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

    /// HR's export as it was, with the team's facts in HR's columns.
    static let rosterWithTeamColumns = """
        employee_id,email,name,first_name,grade,department,roles,forums,interim,delegate,opt_out,notes
        E1,ps@example.gov.uk,Pat Perm,,PS,Treasury,head-of-department,,,po.ps@example.gov.uk,,Diary via private office
        E2,dg@example.gov.uk,Dee Gee,Dee,DG,Home Office,,directors,yes,,reminders,
        E3,dir1@example.gov.uk,Ann Director,,SCS2,Cabinet Office,,-directors,,,,
        E4,dir2@example.gov.uk,Bob Director,Bobby,SCS2,Cabinet Office,,,,,all,
        E5,dir3@example.gov.uk,Cat Director,,SCS2,Cabinet Office,,,,,,

        """

    /// A fresh HR export: none of the team's columns, one HR column convene does not read.
    static let freshExport = """
        employee_id,email,name,grade,department,roles,cost_centre
        E1,ps@example.gov.uk,Pat Perm,PS,Treasury,head-of-department,CC1
        E2,dg@example.gov.uk,Dee Gee,DG,Home Office,,CC2
        E3,dir1@example.gov.uk,Ann Director,SCS2,Cabinet Office,,CC3
        E4,dir2@example.gov.uk,Bob Director,SCS2,Cabinet Office,,CC3
        E5,dir3@example.gov.uk,Cat Director,SCS2,Cabinet Office,,CC3

        """

    /// The team's facts in the team's own file, keyed by employee number (an address there may be stale), with a
    /// column HR owns and a row for someone HR no longer lists.
    static let people = """
        employee_id,email,name,first_name,forums,interim,delegate,opt_out,notes
        E1,ps@example.gov.uk,Pat Perm,,,,po.ps@example.gov.uk,,Diary via private office
        E2,dee.gee@old.example.gov.uk,Dee Gee,Dee,directors,yes,,reminders,
        E3,,,,-directors,,,,
        E4,,,Bobby,,,,all,
        E9,gone@example.gov.uk,Gone Person,,,,,all,

        """

    @Test func aFreshHRExportWithoutTheTeamsColumnsChangesNobodysMessages() async throws {
        let programme = try Programme(rules: Self.rules(people: false), roster: Self.rosterWithTeamColumns)
        let now = "2026-12-01 09:00"
        let before = try await CLI.run([
            "plan", "--config", programme.rulesPath, "--state", programme.state, "--now", now, "--json",
        ])
        #expect(before.status == 0, "\(before.stderr)")
        let recipientsBefore = try await CLI.run(["recipients", "cslg", "--config", programme.rulesPath])
        #expect(recipientsBefore.stdout.contains("from delegate: roster.csv:2"), "\(recipientsBefore.stdout)")

        try programme.write(rules: Self.rules(people: true))
        try programme.write(roster: Self.freshExport)
        try Data(Self.people.utf8).write(to: programme.directory.appendingPathComponent("people.csv"))
        let after = try await CLI.run([
            "plan", "--config", programme.rulesPath, "--state", programme.state, "--now", now, "--json",
        ])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == before.stdout, "the same messages to the same people")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]])
        #expect(actions.contains { ($0["cc"] as? [String]) == ["po.ps@example.gov.uk"] }, "the delegate is kept")
        #expect(!actions.contains { $0["recipient"] as? String == "dir2@example.gov.uk" }, "the opt-out is kept")

        let validate = try await CLI.run(["validate", "--config", programme.rulesPath])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("5 people (people.csv: 4 rows applied)"), "\(validate.stdout)")
        let people = programme.directory.appendingPathComponent("people.csv").path
        #expect(
            validate.stderr.contains(
                "\(people):1:19: warning: column 'name' is ignored: HR's roster owns it, not the team's file"),
            "\(validate.stderr)")
        #expect(
            validate.stderr.contains(
                "\(people):6:1: warning: no one in the roster has employee_id 'E9': the row is ignored"),
            "\(validate.stderr)")

        let recipients = try await CLI.run(["recipients", "cslg", "--config", programme.rulesPath, "--json"])
        #expect(recipients.status == 0, "\(recipients.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(recipients.stdout.utf8)) as? [String: Any])
        let members = try #require(object["members"] as? [[String: Any]])
        let dee = try #require(members.first { $0["email"] as? String == "dg@example.gov.uk" })
        #expect(
            dee["sources"] as? [String: String] == [
                "opt_out": "people.csv:3", "interim": "people.csv:3", "forums": "people.csv:3",
                "first_name": "people.csv:3",
            ])
        let text = try await CLI.run(["recipients", "cslg", "--config", programme.rulesPath])
        #expect(text.stdout.contains("from delegate: people.csv:2, notes: people.csv:2"), "\(text.stdout)")
        #expect(text.stdout.contains("      notes: Diary via private office\n"), "\(text.stdout)")
    }

    @Test func aBrokenPeopleFileIsADataErrorAtItsCell() async throws {
        let programme = try Programme(rules: Self.rules(people: true), roster: Self.freshExport)
        try Data("employee_id,opt_out\nE2,sometimes\n".utf8).write(
            to: programme.directory.appendingPathComponent("people.csv"))
        let validate = try await CLI.run(["validate", "--config", programme.rulesPath])
        #expect(validate.status == 65)
        #expect(
            validate.stderr.contains(
                "people.csv:2:4: error: opt_out must be empty, 'none', 'reminders' or 'all'; got 'sometimes'"),
            "\(validate.stderr)")
    }

    @Test func anEmailChangeByEmployeeNumberReinvitesTheNewAddressWithNoCancellation() async throws {
        let programme = try Programme(rules: Self.rules(people: false), roster: Self.freshExport)
        let first = try await programme.run(now: "2026-12-01 09:00", until: "2026-12-25 00:00")
        let invitation = try #require(first.first { $0.to == ["dg@example.gov.uk"] && $0.event != nil })
        #expect(invitation.event?.method == "REQUEST" && invitation.event?.sequence == 0)

        try programme.write(
            roster: Self.freshExport.replacingOccurrences(of: "dg@example.gov.uk", with: "dee.gee@example.gov.uk"))
        let plan = try await programme.plan(now: "2026-12-26 10:00")
        let change = try #require(plan.first { $0["notification"] as? String == "address-change" })
        #expect(change["recipient"] as? String == "dee.gee@example.gov.uk")
        #expect(change["reason"] as? String == "address changed from dg@example.gov.uk")
        #expect(!plan.contains { $0["kind"] as? String == "cancellation" })

        let second = try await programme.run(now: "2026-12-26 10:00", until: "2026-12-26 10:05")
        #expect(second.count == 1, "one message, to the new address: \(second.map(\.to))")
        let moved = try #require(second.first)
        #expect(moved.to == ["dee.gee@example.gov.uk"])
        #expect(moved.event?.method == "REQUEST")
        #expect(moved.event?.uid == invitation.event?.uid)
        #expect(moved.event?.sequence == 1)

        // The rest of the programme goes to the new address only, and never cancels anything.
        let rest = try await programme.run(now: "2026-12-26 10:05", until: "2027-02-28 00:00")
        #expect(!rest.contains { $0.to.contains("dg@example.gov.uk") })
        #expect(!rest.contains { $0.event?.method == "CANCEL" })
        #expect(rest.contains { $0.to == ["dee.gee@example.gov.uk"] && $0.subject.hasPrefix("Reminder") })

        // History keeps both: the invitation to the old address, and the one re-sent to the new.
        let sent = try programme.journal().filter {
            $0["type"] as? String == "sent" && $0["kind"] as? String == "invitation"
                && $0["employee"] as? String == "E2"
        }
        #expect(sent.map { $0["to"] as? String ?? "" } == ["dg@example.gov.uk", "dee.gee@example.gov.uk"])
        let history = try await CLI.run([
            "history", "--event", "day", "--config", programme.rulesPath, "--state", programme.state,
        ])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("dg@example.gov.uk") && history.stdout.contains("dee.gee@example.gov.uk"))
    }
}
