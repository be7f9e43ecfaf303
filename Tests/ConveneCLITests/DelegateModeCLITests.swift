import ConveneTesting
import Foundation
import Testing

/// Each `delegate_mode` through the built binary: who received which message in a dry-run outbox (the headers and
/// ATTENDEE as Python's `email` and `icalendar` read them, the envelope as the journal records it), what `recipients`
/// and `plan --json` say, and a mode change that sends the principal the entry they never had, once.
@Suite(.ownThread)
struct DelegateModeCLITests {
    /// Ann's office is copied, Bob's receives in his place, Cat's is copied on calendar messages only.
    static let roster = """
        email,name,grade,delegate,delegate_mode
        ann@example.gov.uk,Ann Ash,SCS2,pa.ann@example.gov.uk,
        bob@example.gov.uk,Bob Birch,SCS2,pa.bob@example.gov.uk,instead
        cat@example.gov.uk,Cat Cole,SCS2,pa.cat@example.gov.uk,Invitations

        """

    static let rules = """
        service:
          timezone: Europe/London
          from: Collective Leadership Team <collective.leadership@example.gov.uk>
          organizer: collective.leadership@example.gov.uk
          roster: roster.csv
          templates: templates
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: SCS2
            name: Director
        forums:
          - id: directors
            name: Directors' Network
            grades: [SCS2]
        events:
          - id: day
            title: Leadership Day
            forums: [directors]
            start: 2027-01-07 12:00
            duration: 60m
            location: Lancaster House
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

    /// What one outbox file came to: its headers and ATTENDEE, and the envelope its journal record gives.
    struct Received: Equatable, CustomStringConvertible {
        var kind: String
        var to: [String]
        var cc: [String]
        var envelope: [String]
        var attendees: [String]
        var description: String { "\(kind) to \(to) cc \(cc) envelope \(envelope) attendees \(attendees)" }
    }

    /// Every outbox message, by the principal whose key its journal record has.
    static func received(_ mail: [OutboxMail], journal: [[String: Any]]) throws -> [String: [Received]] {
        var byPrincipal: [String: [Received]] = [:]
        for message in mail {
            let record = try #require(
                journal.first { $0["type"] as? String == "sent" && $0["msgid"] as? String == message.messageID })
            let principal = try #require(record["to"] as? String)
            let cc = record["cc"] as? [String] ?? []
            let envelope = record["instead"] as? Bool == true ? cc : [principal] + cc
            byPrincipal[principal, default: []].append(
                Received(
                    kind: try #require(record["kind"] as? String), to: message.to, cc: message.cc, envelope: envelope,
                    attendees: message.event?.attendees ?? []))
        }
        return byPrincipal
    }

    @Test func eachModeDeliversToWhomItSays() async throws {
        let programme = try Programme(rules: Self.rules, roster: Self.roster)

        let recipients = try await CLI.run(["recipients", "directors", "--config", programme.rulesPath])
        #expect(recipients.status == 0, "\(recipients.stderr)")
        for line in [
            "delegate pa.ann@example.gov.uk (copy)", "delegate pa.bob@example.gov.uk (instead)",
            "delegate pa.cat@example.gov.uk (invitations)",
        ] {
            #expect(recipients.stdout.contains(line), "\(recipients.stdout)")
        }
        let plan = try await programme.plan(now: "2026-12-01 09:00")
        let envelopes = Dictionary(
            plan.map { ("\($0["recipient"] ?? "") \($0["notification"] ?? "")", $0["envelope"] as? [String] ?? []) },
            uniquingKeysWith: { first, _ in first })
        #expect(
            envelopes == [
                "ann@example.gov.uk invitation": ["ann@example.gov.uk", "pa.ann@example.gov.uk"],
                "ann@example.gov.uk reminder": ["ann@example.gov.uk", "pa.ann@example.gov.uk"],
                "bob@example.gov.uk invitation": ["pa.bob@example.gov.uk"],
                "bob@example.gov.uk reminder": ["pa.bob@example.gov.uk"],
                "cat@example.gov.uk invitation": ["cat@example.gov.uk", "pa.cat@example.gov.uk"],
                "cat@example.gov.uk reminder": ["cat@example.gov.uk"],
            ])

        let mail = try await programme.run(now: "2026-12-01 09:00", until: "2027-01-06 00:00")
        let received = try Self.received(mail, journal: try programme.journal())
        #expect(
            received["ann@example.gov.uk"] == [
                Received(
                    kind: "invitation", to: ["ann@example.gov.uk"], cc: ["pa.ann@example.gov.uk"],
                    envelope: ["ann@example.gov.uk", "pa.ann@example.gov.uk"], attendees: ["ann@example.gov.uk"]),
                Received(
                    kind: "reminder", to: ["ann@example.gov.uk"], cc: ["pa.ann@example.gov.uk"],
                    envelope: ["ann@example.gov.uk", "pa.ann@example.gov.uk"], attendees: []),
            ])
        #expect(
            received["bob@example.gov.uk"] == [
                Received(
                    kind: "invitation", to: ["pa.bob@example.gov.uk"], cc: [], envelope: ["pa.bob@example.gov.uk"],
                    attendees: ["bob@example.gov.uk"]),
                Received(
                    kind: "reminder", to: ["pa.bob@example.gov.uk"], cc: [], envelope: ["pa.bob@example.gov.uk"],
                    attendees: []),
            ])
        #expect(
            received["cat@example.gov.uk"] == [
                Received(
                    kind: "invitation", to: ["cat@example.gov.uk"], cc: ["pa.cat@example.gov.uk"],
                    envelope: ["cat@example.gov.uk", "pa.cat@example.gov.uk"], attendees: ["cat@example.gov.uk"]),
                Received(
                    kind: "reminder", to: ["cat@example.gov.uk"], cc: [], envelope: ["cat@example.gov.uk"],
                    attendees: []),
            ])
        let forBob = mail.filter { $0.to == ["pa.bob@example.gov.uk"] }
        #expect(forBob.count == 2)
        #expect(
            forBob.allSatisfy { $0.plain.hasPrefix("Sent to you as delegate for Bob Birch (bob@example.gov.uk).") },
            "\(forBob.map(\.plain))")
    }

    @Test func leavingInsteadSendsThePrincipalTheInvitationOnceAndCopyToInsteadSendsNothing() async throws {
        let programme = try Programme(rules: Self.rules, roster: Self.roster)
        let invitations = try await programme.run(now: "2026-12-24 09:00", until: "2026-12-24 09:05")
        #expect(invitations.count == 3)

        // Bob now reads his own mail, Ann's office is to receive hers in her place, and Cat has a new office.
        try programme.write(
            roster: Self.roster.replacingOccurrences(
                of: "pa.bob@example.gov.uk,instead", with: "pa.bob@example.gov.uk,copy"
            )
            .replacingOccurrences(of: "pa.ann@example.gov.uk,", with: "pa.ann@example.gov.uk,instead")
            .replacingOccurrences(of: "pa.cat@", with: "office.cat@"))
        let plan = try await programme.plan(now: "2026-12-28 10:00", extra: ["--to", "2026-12-28"])
        #expect(
            plan.map { "\($0["kind"] ?? "") \($0["recipient"] ?? "") \($0["envelope"] as? [String] ?? [])" }.sorted()
                == [
                    #"invitation bob@example.gov.uk ["bob@example.gov.uk"]"#,
                    #"invitation cat@example.gov.uk ["office.cat@example.gov.uk"]"#,
                ])
        let sent = try await programme.run(now: "2026-12-28 10:00", until: "2026-12-28 10:05")
        #expect(sent.count == 2, "\(sent.map(\.to))")
        let catsCopy = try #require(sent.first { $0.to == ["cat@example.gov.uk"] })
        #expect(catsCopy.cc == ["office.cat@example.gov.uk"] && catsCopy.event?.attendees == ["cat@example.gov.uk"])
        let copy = try #require(sent.first { $0.to == ["bob@example.gov.uk"] })
        #expect(copy.to == ["bob@example.gov.uk"] && copy.cc == [])
        #expect(copy.event?.attendees == ["bob@example.gov.uk"])
        let bobsInvitation = try #require(invitations.first { $0.to == ["pa.bob@example.gov.uk"] })
        #expect(copy.event?.uid == bobsInvitation.event?.uid && copy.event?.sequence == 0)
        #expect(copy.messageID != bobsInvitation.messageID)
        let record = try #require(
            try programme.journal().first {
                $0["type"] as? String == "sent" && $0["msgid"] as? String == copy.messageID
            })
        #expect(record["cc"] as? [String] == [] && record["instead"] == nil)

        // Nothing more, to anyone, until the reminders: the reminder then goes to Ann's office alone.
        let later = try await programme.run(now: "2026-12-28 10:05", until: "2027-01-06 00:00")
        #expect(
            later.map { "\($0.to) \($0.cc)" }.sorted() == [
                #"["bob@example.gov.uk"] ["pa.bob@example.gov.uk"]"#, #"["cat@example.gov.uk"] []"#,
                #"["pa.ann@example.gov.uk"] []"#,
            ])
        #expect(later.allSatisfy { $0.event == nil }, "reminders only")
    }

    @Test func anUnknownModeIsARosterErrorAtItsField() async throws {
        let programme = try Programme(
            rules: Self.rules, roster: Self.roster.replacingOccurrences(of: "Invitations", with: "bcc"))
        let result = try await CLI.run(["validate", "--config", programme.rulesPath])
        #expect(result.status == 65)
        #expect(
            result.stderr.contains(
                "roster.csv:4:56: error: delegate_mode must be copy, instead or invitations; got 'bcc'"),
            "\(result.stderr)")
        #expect(result.stderr.contains("instead (the delegate receives the messages in the principal's place)"))
    }
}
