import Foundation
import Testing

@testable import ConveneCore

/// The change guard: cancellations, updates and re-invitations reaching more than `max_calendar_changes` of the people
/// holding invitations are held until an admin approves exactly these files.
struct ChangeGuardTests {
    static let start = PlanningFixture.at("2027-01-04 09:00")
    static let afterInvitations = PlanningFixture.at("2027-01-25 10:00")

    /// Four events, one per forum; everyone (five people) invited by 25 January.
    static func invitedFixture(limit: Double) -> PlanningFixture {
        var fixture = PlanningFixture(
            events: [
                PlanningFixture.event("cslg-day", "2027-02-10 12:00", forums: ["cslg"]),
                PlanningFixture.event("talk", "2027-02-11 12:00", forums: ["directors"]),
                PlanningFixture.event("pslg-day", "2027-02-12 12:00", forums: ["pslg"]),
            ], maxCalendarChanges: limit)
        fixture.run(from: start, until: afterInvitations.addingTimeInterval(-3600))
        return fixture
    }

    /// Each edit, the limit, and what is held (nil: nothing held, the change goes out).
    static let cases: [(edit: String, limit: Double, held: String?)] = [
        ("every event removed", 0.10, "held: 7 cancellations, 0 updates — run `convene approve` to send them"),
        ("every event removed", 1.00, nil),
        ("talk moved an hour", 0.10, "held: 0 cancellations, 2 updates — run `convene approve` to send them"),
        ("talk moved an hour", 0.50, nil),  // 2 of 5 people: 40%
        (
            "a director becomes a chief executive", 0.10,
            "held: 1 cancellation, 0 updates — run `convene approve` to send them"
        ),
        ("a director becomes a chief executive", 0.20, nil),  // 1 of 5 people: exactly 20% is not more than 20%
    ]

    @Test(arguments: cases)
    func aLargeChangeIsHeldAndTheRestGoesOut(edit: String, limit: Double, held: String?) {
        var fixture = Self.invitedFixture(limit: limit)
        switch edit {
        case "every event removed": fixture.config.events = []
        case "talk moved an hour": fixture.config.events[1].start = LocalDateTime(parsing: "2027-02-11 13:00")!
        default:
            fixture.rosterText = fixture.rosterText.replacingOccurrences(
                of: "dir2@example.gov.uk,Dev Two,SCS2", with: "dir2@example.gov.uk,Dev Two,CE")
        }
        let plan = fixture.plan(now: Self.afterInvitations)
        #expect(plan.held?.summary == held)
        let changes = plan.actions.filter { $0.kind == .cancellation || $0.kind == .update }
        #expect(held == nil ? !changes.isEmpty : changes.isEmpty, "a held change sends none of itself")
        if held != nil {
            // Everything else still goes: the reminders of the events that stay.
            #expect(edit == "every event removed" || plan.actions.contains { $0.kind == .reminder })
        }
    }

    @Test func approvingTheseFilesReleasesExactlyThisChangeAndAFurtherEditNeedsItsOwn() {
        var fixture = Self.invitedFixture(limit: 0.10)
        fixture.config.events.removeAll { $0.id != "cslg-day" }
        fixture.fingerprint = "files-1"
        // The directors' talk (2 people) and the PSLG day (3) go: 5 cancellations to 5 of 5 people.
        #expect(fixture.plan(now: Self.afterInvitations).held?.cancellations == 5)

        fixture.records.append(
            JournalRecord(type: .approved, at: Self.afterInvitations, key: "approval", kind: .update, files: "files-1"))
        let approved = fixture.plan(now: Self.afterInvitations)
        #expect(approved.held == nil)
        #expect(approved.actions.filter { $0.kind == .cancellation }.count == 5)
        let sent = fixture.run(from: Self.afterInvitations, until: Self.afterInvitations.addingTimeInterval(60))
        #expect(sent.filter { $0.kind == .cancellation }.count == 5)

        // The next save cancels the last event too: other files, its own approval.
        fixture.config.events = []
        fixture.fingerprint = "files-2"
        #expect(fixture.plan(now: Self.afterInvitations.addingTimeInterval(120)).held?.cancellations == 2)
    }

    @Test func aJournalRecordOfAnApprovalRoundTrips() throws {
        let record = JournalRecord(
            type: .approved, at: Self.afterInvitations, key: "approval", kind: .update, reason: "4 cancellation(s)",
            files: "0123456789abcdef")
        let line = JournalCodec.encode(record)
        #expect(line.contains(#""files":"0123456789abcdef""#) && line.contains(#""type":"approved""#))
        #expect(try JournalCodec.decode(Array(line.utf8)).get() == record)
        #expect(JournalState(records: [record]).approvals == ["0123456789abcdef"])
    }
}
