import Foundation
import Testing

@testable import ConveneCore

/// A delegate added or changed after the invitations went out gets the principal's current calendar message, to the
/// delegate alone, once: the principal is never sent it again.
struct DelegateCopyPlanningTests {
    /// Dana (a director) is invited on 17 December; her delegate is added on 20 December.
    static func invitedThenDelegated(_ delegate: String = "pa.dana@example.gov.uk") -> PlanningFixture {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-01-07 12:00", forums: ["directors"])]
        )
        fixture.run(from: PlanningFixture.at("2026-12-17 09:00"), until: PlanningFixture.at("2026-12-17 09:00"))
        fixture.rosterText = fixture.rosterText.replacingOccurrences(
            of: "dir1@example.gov.uk,Dana One,SCS2,,,", with: "dir1@example.gov.uk,Dana One,SCS2,,,\(delegate)")
        return fixture
    }

    @Test func aDelegateAddedAfterTheInvitationGetsTheSameCalendarMessageAlone() throws {
        var fixture = Self.invitedThenDelegated()
        let invitation = try #require(fixture.records.last { $0.to == "dir1@example.gov.uk" && $0.type == .sent })
        let now = PlanningFixture.at("2026-12-20 10:00")
        let plan = fixture.plan(now: now)
        let copies = plan.actions.filter(\.isDelegateCopy)
        #expect(
            copies.map(\.line) == [
                "2026-12-20 10:00 delegate copy talk/20270107 \(Action.delegateCopyNotification(for: "pa.dana@example.gov.uk")) dir1@example.gov.uk seq 0"
            ])
        let copy = try #require(copies.first)
        #expect(copy.envelopeRecipients == ["pa.dana@example.gov.uk"], "never the principal again")
        #expect(copy.recipient.address == "dir1@example.gov.uk" && copy.cc.map(\.address) == ["pa.dana@example.gov.uk"])
        #expect(copy.kind == .invitation && copy.uid == invitation.uid && copy.sequence == invitation.seq)
        #expect(copy.snapshot == invitation.event)
        #expect(copy.messageID != invitation.msgid)
        #expect(
            plan.actions.filter { $0.recipientKey == "dir1@example.gov.uk" && $0.kind.isCalendar && !$0.isDelegateCopy }
                .isEmpty)

        // Journaled once, it is done: the calendar thread now has the delegate, and nothing more is planned.
        fixture.run(from: now, until: now)
        #expect(fixture.plan(now: now).actions.filter(\.isDelegateCopy).isEmpty)
        let thread = try #require(
            JournalState(records: fixture.records).thread(uid: copy.uid, recipient: "dir1@example.gov.uk"))
        #expect(thread.cc == ["pa.dana@example.gov.uk"] && thread.sequence == 0 && !thread.cancelled)
    }

    @Test func aChangedDelegateGetsACopyWithAMessageIDOfTheirOwn() throws {
        var fixture = Self.invitedThenDelegated()
        let now = PlanningFixture.at("2026-12-20 10:00")
        let first = fixture.run(from: now, until: now).filter(\.isDelegateCopy)
        fixture.rosterText = fixture.rosterText.replacingOccurrences(of: "pa.dana@", with: "office.dana@")
        let second = fixture.plan(now: now).actions.filter(\.isDelegateCopy)
        #expect(second.map(\.envelopeRecipients) == [["office.dana@example.gov.uk"]])
        #expect(Set((first + second).map(\.messageID)).count == 2)
        // Back to the first delegate: they already have it.
        fixture.run(from: now, until: now)
        fixture.rosterText = fixture.rosterText.replacingOccurrences(of: "office.dana@", with: "pa.dana@")
        #expect(fixture.plan(now: now).actions.filter(\.isDelegateCopy).isEmpty)
    }

    @Test func aDelegateKnownWhenTheInvitationWentOutGetsNoCopy() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-01-07 12:00", forums: ["cslg"])])
        // Pat's delegate po@ is in the roster from the start: copied on the invitation itself.
        fixture.run(from: PlanningFixture.at("2026-12-17 09:00"), until: PlanningFixture.at("2026-12-17 09:00"))
        #expect(fixture.plan(now: PlanningFixture.at("2026-12-20 10:00")).actions.filter(\.isDelegateCopy).isEmpty)
    }
}
