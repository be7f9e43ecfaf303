import Foundation
import Testing

@testable import ConveneCore

/// Identity by `employee_id`: a new address for the same employee is a move of mailbox, not a leaver and a joiner.
struct AddressChangePlanningTests {
    static let roster = """
        employee_id,email,name,grade,department
        E1,dir1@example.gov.uk,Dana One,SCS2,Treasury
        E2,dir2@example.gov.uk,Dev Two,SCS2,Home Office
        E3,ps@example.gov.uk,Pat Perm,PS,Cabinet Office

        """
    static let moved = roster.replacingOccurrences(of: "dir1@", with: "dana.one@").replacingOccurrences(
        of: "dir2@", with: "dev.two@")

    static func fixture() -> PlanningFixture {
        // The change guard at 10%: a move of mailbox is not a calendar change an admin must approve.
        PlanningFixture(
            events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])],
            rosterText: roster, maxCalendarChanges: 0.10)
    }

    @Test func aNewAddressGetsTheEntryWithTheSameUIDAndTheNextSequenceAndTheOldOneNothing() {
        var fixture = Self.fixture()
        fixture.run(from: PlanningFixture.at("2027-01-01 00:00"), until: PlanningFixture.at("2027-02-04 00:00"))
        fixture.rosterText = Self.moved
        let plan = fixture.plan(now: PlanningFixture.at("2027-02-04 10:00"))
        #expect(plan.refusal == nil, "a move is not a leaver: max_roster_shrink does not count it")
        #expect(plan.held == nil)
        #expect(
            plan.actions.map(\.line) == [
                "2027-02-04 10:00 invitation talk/20270210 address-change dana.one@example.gov.uk seq 1",
                "2027-02-04 10:00 invitation talk/20270210 address-change dev.two@example.gov.uk seq 1",
                "2027-02-09 08:00 reminder talk/20270210 day-before dana.one@example.gov.uk seq 0",
                "2027-02-09 08:00 reminder talk/20270210 day-before dev.two@example.gov.uk seq 0",
            ])
        let change = plan.actions.first!
        #expect(change.uid == "talk-20270210@example.gov.uk")
        #expect(change.reason == "address changed from dir1@example.gov.uk")
        #expect(change.sentRecord(at: PlanningFixture.at("2027-02-04 10:00")).employee == "E1")

        let done = fixture.run(
            from: PlanningFixture.at("2027-02-04 10:00"), until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(done.allSatisfy { !$0.recipient.address.hasPrefix("dir") }, "nothing to the old addresses")
        #expect(done.allSatisfy { $0.kind != .cancellation })
        #expect(fixture.plan(now: PlanningFixture.at("2027-03-01 00:00")).actions.isEmpty)
        // History keeps both: the first invitation to the old address, the re-sent one to the new.
        let invitations = fixture.records.filter { $0.type == .sent && $0.kind == .invitation && $0.employee == "E1" }
        #expect(invitations.map { "\($0.to!) \($0.seq!)" } == ["dir1@example.gov.uk 0", "dana.one@example.gov.uk 1"])
    }

    @Test func anUpdateAfterTheMoveGoesToTheNewAddressOnly() {
        var fixture = Self.fixture()
        fixture.config.service.maxCalendarChanges = 1.0
        fixture.run(from: PlanningFixture.at("2027-01-01 00:00"), until: PlanningFixture.at("2027-02-04 00:00"))
        fixture.rosterText = Self.moved
        fixture.run(from: PlanningFixture.at("2027-02-04 10:00"), until: PlanningFixture.at("2027-02-04 10:00"))
        fixture.config.events[0].location = "Room 101"
        let plan = fixture.plan(now: PlanningFixture.at("2027-02-05 10:00"))
        #expect(
            plan.actions.filter { $0.kind == .update }.map(\.line) == [
                "2027-02-05 10:00 update talk/20270210 update dana.one@example.gov.uk seq 2",
                "2027-02-05 10:00 update talk/20270210 update dev.two@example.gov.uk seq 2",
            ])
    }

    @Test func someoneWhoMovedAndThenLeftIsCancelledAtTheNewAddressOnly() {
        var fixture = Self.fixture()
        (fixture.config.service.maxRosterShrink, fixture.config.service.maxCalendarChanges) = (1.0, 1.0)
        fixture.run(from: PlanningFixture.at("2027-01-01 00:00"), until: PlanningFixture.at("2027-02-04 00:00"))
        fixture.rosterText = Self.moved
        fixture.run(from: PlanningFixture.at("2027-02-04 10:00"), until: PlanningFixture.at("2027-02-04 10:00"))
        fixture.rosterText = Self.moved.split(separator: "\n").filter { !$0.hasPrefix("E1,") }.joined(separator: "\n")
        #expect(
            fixture.plan(now: PlanningFixture.at("2027-02-05 10:00")).actions.filter { $0.kind == .cancellation }
                .map(\.line) == [
                    "2027-02-05 10:00 cancellation talk/20270210 cancellation dana.one@example.gov.uk seq 2"
                ])
    }

    /// Moving department, or to another grade of the same forum, keeps every message they were to receive.
    @Test func aDepartmentOrGradeChangeInsideTheAudienceChangesNothing() {
        var fixture = PlanningFixture(
            events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["cslg"])], rosterText: Self.roster)
        fixture.run(from: PlanningFixture.at("2027-01-01 00:00"), until: PlanningFixture.at("2027-01-25 00:00"))
        let now = PlanningFixture.at("2027-01-25 00:00")
        let before = fixture.plan(now: now).actions.map(\.line)
        #expect(!before.isEmpty)
        fixture.rosterText = Self.roster.replacingOccurrences(
            of: "E3,ps@example.gov.uk,Pat Perm,PS,Cabinet Office", with: "E3,ps@example.gov.uk,Pat Perm,DG,Treasury")
        #expect(fixture.plan(now: now).actions.map(\.line) == before)
    }

    /// A journal written before employee numbers were recorded still loads; its deliveries are matched by address,
    /// so a move then looks as it always did: a cancellation to the old address and an invitation to the new.
    @Test func aJournalWithoutEmployeeNumbersFallsBackToAddresses() {
        var fixture = Self.fixture()
        (fixture.config.service.maxRosterShrink, fixture.config.service.maxCalendarChanges) = (1.0, 1.0)
        fixture.run(from: PlanningFixture.at("2027-01-01 00:00"), until: PlanningFixture.at("2027-02-04 00:00"))
        fixture.records = fixture.records.map { record in
            var old = record
            old.employee = nil
            return old
        }
        fixture.rosterText = Self.roster.replacingOccurrences(of: "dir1@", with: "dana.one@")
        #expect(
            Set(fixture.plan(now: PlanningFixture.at("2027-02-04 10:00")).actions.map(\.line)).isSuperset(of: [
                "2027-02-04 10:00 cancellation talk/20270210 cancellation dir1@example.gov.uk seq 1",
                "2027-02-04 10:00 invitation (late joiner) talk/20270210 invitation dana.one@example.gov.uk seq 0",
            ]))
    }
}
