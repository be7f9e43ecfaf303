import Foundation
import Testing

@testable import ConveneCore

/// A notification rule with `events:` applies to those events only: an invitation rule naming an event is that
/// event's own schedule (it wins over the general rule whatever their order), and a reminder naming an event is sent
/// for it alone, beside the general reminders.
struct EventScopedRuleTests {
    static func rule(
        _ id: String, _ kind: NotificationKind, days: Int, events: [String] = []
    ) -> NotificationRule {
        NotificationRule(
            id: id, kind: kind, send: SendOffset(amount: days, unit: .days, at: TimeOfDay(hour: 9, minute: 0)),
            template: kind == .invitation ? "invitation" : "reminder", events: events)
    }

    static let fixture = PlanningFixture(
        events: [
            PlanningFixture.event("leadership-day", "2027-06-10 10:00", forums: ["cslg"]),
            PlanningFixture.event("cslg-talk", "2027-06-17 12:00", forums: ["cslg"]),
        ],
        notifications: [
            rule("invitation", .invitation, days: 21),
            rule("leadership-day-invitation", .invitation, days: 42, events: ["leadership-day"]),
            rule("week-before", .reminder, days: 7),
            rule("papers", .reminder, days: 3, events: ["leadership-day"]),
        ])

    /// (event, notification) → the days before the start it is due, for everyone's actions.
    static func schedule() -> [String: Set<String>] {
        let plan = fixture.plan(now: PlanningFixture.at("2027-01-04 09:00"))
        var found: [String: Set<String>] = [:]
        for action in plan.actions {
            found[action.eventID, default: []].insert(action.notification)
        }
        return found
    }

    @Test func anEventsOwnInvitationRuleWinsAndOtherEventsKeepTheGeneralOne() throws {
        let plan = Self.fixture.plan(now: PlanningFixture.at("2027-01-04 09:00"))
        let invitations = plan.actions.filter { $0.kind == .invitation }
        let day = invitations.filter { $0.eventID == "leadership-day" }
        let talk = invitations.filter { $0.eventID == "cslg-talk" }
        #expect(!day.isEmpty && !talk.isEmpty)
        #expect(Set(day.map(\.notification)) == ["leadership-day-invitation"])
        #expect(Set(talk.map(\.notification)) == ["invitation"])
        // Six weeks before 10 June is 29 April; three weeks before 17 June is 27 May.
        #expect(day.allSatisfy { $0.due == PlanningFixture.at("2027-04-29 09:00") })
        #expect(talk.allSatisfy { $0.due == PlanningFixture.at("2027-05-27 09:00") })
    }

    @Test func anEventScopedReminderGoesForThatEventAlone() {
        let schedule = Self.schedule()
        #expect(schedule["leadership-day"]?.contains("papers") == true)
        #expect(schedule["leadership-day"]?.contains("week-before") == true)
        #expect(schedule["cslg-talk"]?.contains("papers") == false)
        #expect(schedule["cslg-talk"]?.contains("week-before") == true)
    }

    @Test func aRuleForAnUnknownEventIsAnErrorAtItsPlace() throws {
        let text = """
            service:
              timezone: Europe/London
              from: Team <team@example.gov.uk>
              roster: roster.csv
              templates: templates
            smtp:
              url: smtp://localhost:25
            grades:
              - id: PS
                name: Permanent Secretary
            forums:
              - id: cslg
                name: CSLG
                grades: [PS]
            events:
              - id: leadership-day
                title: Leadership Day
                forums: [cslg]
                start: 2027-06-10 10:00
                duration: 60m
            notifications:
              - id: papers
                kind: reminder
                send: 3 days before at 09:00
                template: reminder
                events: [leadership-day, leadersihp-day]

            """
        let diagnostics = ConfigParser.parse(text, file: "convene.yaml").diagnostics
        #expect(diagnostics.hasErrors)
        #expect(
            diagnostics.map(\.description) == [
                "convene.yaml:26:30: error: notification 'papers' is for unknown event 'leadersihp-day'"
            ])
    }
}
