import Foundation
import Testing

@testable import ConveneCore

/// An address change inside a hosted series (same `employee_id`, new email) keeps the person's place: an invited
/// guest, a host or someone holding an offer keeps it under the new address, their past meetings and answers count
/// for them, and no one is offered a "freed" place.
struct HostedAddressChangeTests {
    static let roster = """
        employee_id,email,name,grade,department
        H1,host.one@example.gov.uk,Hana One,PS,Cabinet Office
        H2,host.two@example.gov.uk,Hugo Two,DG,Cabinet Office
        H3,host.three@example.gov.uk,Hal Three,PS,Cabinet Office
        E1,d1@example.gov.uk,Dee One,SCS2,HM Treasury
        E2,d2@example.gov.uk,Dee Two,SCS2,Home Office
        E3,d3@example.gov.uk,Dee Three,SCS2,Ministry of Justice
        E4,d4@example.gov.uk,Dee Four,SCS2,Ministry of Defence
        E5,d5@example.gov.uk,Dee Five,SCS2,Department for Education
        E6,d6@example.gov.uk,Dee Six,SCS2,Department for Transport
        E7,d7@example.gov.uk,Dee Seven,SCS2,Department for Work and Pensions
        E8,d8@example.gov.uk,Dee Eight,SCS2,Department of Health

        """

    /// Three breakfasts a fortnight apart (3, 17 and 31 March), three guests each, one per department, a host from
    /// CSLG; eight guests for nine places, so the third table must give someone a second turn.
    static func fixture() -> PlanningFixture {
        var event = PlanningFixture.event(
            "breakfast", "2027-03-03 08:00", forums: ["directors"], repeat: "every 2 weeks for 3 times")
        event.hosting = Hosting(capacity: 3, hosts: ["cslg"], mixDepartments: true)
        // The change guard at 10%: a move of mailbox is not a calendar change an admin must approve.
        return PlanningFixture(events: [event], rosterText: roster, maxCalendarChanges: 0.10)
    }

    /// 4 March 10:00: the first breakfast is past, the second's table is invited (24 February), the third's is not.
    static let now = PlanningFixture.at("2027-03-04 10:00")

    /// The fixture with the series run up to `now`.
    static func invited() -> PlanningFixture {
        var fixture = fixture()
        fixture.run(from: PlanningFixture.at("2027-02-01 00:00"), until: now)
        return fixture
    }

    static func schedule(_ fixture: PlanningFixture, at now: Date) -> CohortSchedule {
        let roster = fixture.roster
        let state = JournalState(records: fixture.records)
        return CohortSchedule(
            event: fixture.config.events[0],
            occurrences: Occurrence.all(in: fixture.config, known: state.identities, now: now),
            config: fixture.config, roster: roster, audience: Audience(config: fixture.config, roster: roster),
            state: state, now: now)!
    }

    /// Every table as one line, with `renaming` applied to addresses: what a move must leave unchanged.
    static func lines(_ schedule: CohortSchedule, renaming: [String: String] = [:]) -> [String] {
        func name(_ key: String) -> String { renaming[key] ?? key }
        return schedule.entries.map { entry in
            let answers = entry.answers.map { "\(name($0.key))=\($0.value)" }.sorted()
            let held = entry.heldUntil.map { "\(name($0.key))@\($0.value.timeIntervalSince1970)" }.sorted()
            return "\(entry.occurrence.date) host \(entry.table.host.map(name) ?? "-")"
                + " guests \(entry.table.guests.map(name)) kept \(entry.table.kept.map(name).sorted())"
                + " out \(entry.slot.out.map(name)) waitlist \(entry.table.waitlist.map(name))"
                + " answers \(answers) held \(held) cost \(entry.table.pairCost) second \(entry.table.secondTurns)"
        }
    }

    /// A reply `partstat` from `address` to the second breakfast, as `convene replies` journals it.
    static func reply(_ partstat: String, from address: String, at now: Date) -> JournalRecord {
        JournalRecord(
            type: .reply, at: now, key: "breakfast/20270317/reply/\(address)", kind: .invitation,
            uid: "breakfast-20270317@example.gov.uk", seq: 0, msgid: "\(address)-\(partstat)@client", to: address,
            reason: partstat.lowercased(), mailbox: "\(address).\(partstat).test", outcome: "applied",
            partstat: partstat)
    }

    static func moving(_ address: String, in text: String = roster) -> String {
        text.replacingOccurrences(of: ",\(address),", with: ",new.\(address),")
    }

    /// Whose move is tried: someone at the past table only (and on the invited table's waitlist), a guest and the
    /// host of the invited table. (Someone the series never wrote to has no old address to be known by: a move
    /// places them afresh, as nothing was promised to them.)
    enum Role: String, CaseIterable, CustomTestStringConvertible {
        case pastGuest, invitedGuest, host
        var testDescription: String { rawValue }

        func address(in schedule: CohortSchedule) -> String {
            let (past, invited) = (schedule.entries[0].table, schedule.entries[1].table)
            switch self {
            case .pastGuest: return past.guests.first { !invited.guests.contains($0) }!
            case .invitedGuest: return invited.guests[1]
            case .host: return invited.host!
            }
        }
    }

    @Test(arguments: Role.allCases)
    func aMoveChangesNothingInTheSeriesButTheAddress(_ role: Role) {
        var fixture = Self.invited()
        let before = Self.schedule(fixture, at: Self.now)
        let address = role.address(in: before)
        fixture.rosterText = Self.moving(address)
        let after = Self.schedule(fixture, at: Self.now)
        #expect(Self.lines(after, renaming: ["new." + address: address]) == Self.lines(before))
        #expect(Self.lines(after).joined().contains("new." + address))
        if role == .pastGuest { #expect(before.entries[1].table.waitlist.contains(address)) }
        // The same once the entry has been re-sent to the new address.
        fixture.run(from: Self.now, until: Self.now)
        #expect(
            Self.lines(Self.schedule(fixture, at: Self.now), renaming: ["new." + address: address])
                == Self.lines(before))
    }

    @Test(arguments: [Role.invitedGuest, .host])
    func anInvitedPersonWhoMovesIsSentTheEntryAgainAndNoOneIsOfferedTheirPlace(_ role: Role) {
        var fixture = Self.invited()
        let address = role.address(in: Self.schedule(fixture, at: Self.now))
        fixture.rosterText = Self.moving(address)
        let plan = fixture.plan(now: Self.now)
        #expect(
            plan.actions.filter { $0.occurrence.compact == "20270317" && $0.kind.isCalendar }.map(\.line) == [
                "2027-03-04 10:00 invitation breakfast/20270317 address-change new.\(address) seq 1"
            ])
        #expect(plan.actions.first?.reason == "address changed from \(address)")
        let done = fixture.run(from: Self.now, until: PlanningFixture.at("2027-03-18 00:00"))
        #expect(!done.contains { $0.recipient.address == address }, "nothing to the old address")
        #expect(!done.contains { $0.notification == Hosting.offerNotification || $0.kind == .cancellation })
        #expect(
            done.filter { $0.occurrence.compact == "20270317" && $0.kind == .reminder }.contains {
                $0.recipient.address == "new." + address
            })
    }

    @Test func anAcceptanceGivenAtTheOldAddressStillCounts() {
        var fixture = Self.invited()
        let address = Role.invitedGuest.address(in: Self.schedule(fixture, at: Self.now))
        fixture.records.append(Self.reply("ACCEPTED", from: address, at: Self.now))
        fixture.rosterText = Self.moving(address)
        #expect(Self.schedule(fixture, at: Self.now).entries[1].answers["new." + address] == "accepted")
        fixture.run(from: Self.now, until: Self.now)
        let state = JournalState(records: fixture.records)
        #expect(
            state.answer(uid: "breakfast-20270317@example.gov.uk", attendee: "new." + address)?.partstat == "ACCEPTED")
        #expect(Self.schedule(fixture, at: Self.now).entries[1].answers["new." + address] == "accepted")
        // Who is coming lists them once, at the address they have now.
        let roster = fixture.roster
        let attendance = Attendance(
            eventID: "breakfast", date: LocalDate(parsing: "2027-03-17")!, state: state, records: fixture.records,
            person: { roster.person($0) }, forumsOf: { _ in [] }, eventForums: ["directors"])
        #expect(attendance.emails(.accepted) == ["new." + address])
        #expect(attendance.entries.count == 4)
    }

    @Test func anOfferMovesWithItsHolderAndPassesOnAtTheSameTime() {
        var fixture = Self.invited()
        let decliner = Role.invitedGuest.address(in: Self.schedule(fixture, at: Self.now))
        fixture.records.append(Self.reply("DECLINED", from: decliner, at: Self.now))
        let offers = fixture.run(from: Self.now, until: Self.now).filter {
            $0.notification == Hosting.offerNotification
        }
        #expect(offers.count == 1)
        let holder = offers[0].recipient.address
        let held = Self.schedule(fixture, at: Self.now).entries[1].heldUntil[holder]
        #expect(held == PlanningFixture.at("2027-03-06 10:00"))

        fixture.rosterText = Self.moving(holder)
        #expect(Self.schedule(fixture, at: Self.now).entries[1].heldUntil["new." + holder] == held)
        #expect(
            fixture.plan(now: Self.now).actions.filter { $0.kind.isCalendar && $0.occurrence.compact == "20270317" }
                .map(\.line) == [
                    "2027-03-04 10:00 invitation breakfast/20270317 address-change new.\(holder) seq 1"
                ])
        fixture.run(from: Self.now, until: Self.now)
        #expect(Self.schedule(fixture, at: Self.now).entries[1].heldUntil["new." + holder] == held)
        // Not accepted in 48 hours: the offer passes on from the new address, and the next person is offered it.
        let later = fixture.run(from: Self.now, until: PlanningFixture.at("2027-03-06 10:00"))
            .filter { $0.kind.isCalendar && $0.occurrence.compact == "20270317" }
        #expect(
            later.filter { $0.kind == .cancellation }.map(\.line) == [
                "2027-03-06 10:00 cancellation breakfast/20270317 offer-passed new.\(holder) seq 2"
            ])
        let next = later.filter { $0.notification == Hosting.offerNotification }
        #expect(next.count == 1 && next[0].due == held && !next[0].recipient.address.hasSuffix(holder))
        #expect(later.count == 2, "nothing to the old address")
    }

    /// A journal written before employee numbers were recorded cannot tell a move from a leaver and a joiner: the
    /// old address's place is freed, as before.
    @Test func withoutEmployeeNumbersInTheJournalTheOldAddressIsOut() {
        var fixture = Self.invited()
        let address = Role.invitedGuest.address(in: Self.schedule(fixture, at: Self.now))
        fixture.records = fixture.records.map { record in
            var old = record
            old.employee = nil
            return old
        }
        fixture.rosterText = Self.moving(address)
        let entry = Self.schedule(fixture, at: Self.now).entries[1]
        #expect(entry.slot.out == [address])
        #expect(!entry.table.guests.contains(address))
    }
}
