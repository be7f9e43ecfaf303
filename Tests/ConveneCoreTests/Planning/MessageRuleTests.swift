import Foundation
import Testing

@testable import ConveneCore

/// A `kind: message` rule sends plain mail (no calendar part) with its files on its own schedule, to the audience of
/// the events it names, once per recipient and occurrence; opting out of reminders or of everything stops it.
struct MessageRuleTests {
    static let agenda = AttachedFile(filename: "agenda.pdf", bytes: Array("%PDF-1.4 agenda".utf8))

    static func fixture() -> PlanningFixture {
        PlanningFixture(
            events: [
                PlanningFixture.event("leadership-day", "2027-06-10 10:00", forums: ["cslg"]),
                PlanningFixture.event("cslg-talk", "2027-06-17 12:00", forums: ["cslg"]),
            ],
            notifications: [
                NotificationRule(
                    id: "invitation", kind: .invitation,
                    send: SendOffset(amount: 21, unit: .days, at: TimeOfDay(hour: 9, minute: 0)), template: "invitation"
                ),
                NotificationRule(
                    id: "agenda", kind: .message,
                    send: SendOffset(amount: 6, unit: .weeks, at: TimeOfDay(hour: 9, minute: 0)), template: "agenda",
                    events: ["leadership-day"], attachments: [agenda]),
            ])
    }

    @Test func theMessageGoesOnItsDateBeforeTheInvitationToTheEventsAudienceWithItsFiles() {
        let plan = Self.fixture().plan(now: PlanningFixture.at("2027-04-01 09:00"))
        let messages = plan.actions.filter { $0.kind == .message }
        // CSLG is the PS (with a delegate) and the DG, who opted out of reminders: the PS alone.
        #expect(messages.map(\.recipient.address) == ["ps@example.gov.uk"])
        #expect(messages.allSatisfy { $0.eventID == "leadership-day" && $0.notification == "agenda" })
        // Six weeks before 10 June is 29 April, three weeks before the invitation (20 May).
        #expect(messages.first?.due == PlanningFixture.at("2027-04-29 09:00"))
        #expect(messages.first?.attachments == [Self.agenda])
        #expect(messages.first?.cc.map(\.address) == ["po@example.gov.uk"])
    }

    @Test func itIsSentOncePerRecipientAndNeverAgain() {
        var fixture = Self.fixture()
        let done = fixture.run(
            from: PlanningFixture.at("2027-04-01 09:00"), until: PlanningFixture.at("2027-06-10 09:00"))
        let messages = done.filter { $0.kind == .message && $0.skipReason == nil }
        #expect(messages.count == 1)
        let again = fixture.plan(now: PlanningFixture.at("2027-06-10 09:00")).actions.filter { $0.kind == .message }
        #expect(again.isEmpty)
    }

    @Test func aPlainMessageHasNoCalendarPart() throws {
        let plan = Self.fixture().plan(now: PlanningFixture.at("2027-04-01 09:00"))
        let action = try #require(plan.actions.first { $0.kind == .message })
        let composer = MessageComposer(
            config: Self.fixture().config,
            templates: [
                "agenda": MessageTemplate.parse(
                    "subject: Agenda\n---\nHello ((first name))\n", name: "agenda", file: "agenda.txt"
                ).0!
            ],
            attachments: AttachmentBytes([Self.agenda.sha256: Array("%PDF-1.4 agenda".utf8)]))
        let message = composer.message(for: action, now: action.due)
        #expect(message.calendar == nil)
        #expect(message.attachments.map(\.filename) == ["agenda.pdf"])
        #expect(composer.missingAttachments(action).isEmpty)
        let bare = MessageComposer(config: Self.fixture().config, templates: composer.templates)
        #expect(bare.missingAttachments(action) == [Self.agenda])
    }

    @Test(arguments: ["invitation", "reminder"])
    func attachOnAnyOtherKindIsAnErrorAtItsPlace(kind: String) {
        let text = """
            service:
              timezone: Europe/London
              from: Team <team@example.gov.uk>
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
              - id: day
                title: Day
                forums: [cslg]
                start: 2027-06-10 10:00
                duration: 60m
            notifications:
              - id: papers
                kind: \(kind)
                send: 3 days before at 09:00
                template: papers
                attach: [papers/agenda.pdf]
            """
        let (_, diagnostics) = ConfigParser.parse(text, file: "convene.yaml")
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.line) == [24])
        #expect(errors.first?.message.contains("'attach' sends files with a plain message") == true)
    }
}
