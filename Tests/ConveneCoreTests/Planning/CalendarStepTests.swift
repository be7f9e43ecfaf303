import Foundation
import Testing

@testable import ConveneCore

/// `CalendarStep` as a table: the journal's state of one person's calendar entry and what the files now want, to the
/// one step reconcile takes (and the SEQUENCE it sends); then what `preview` shows for a kind that is not due.
struct CalendarStepTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let booked = EventSnapshot(
        title: "CSLG", start: start, end: start.addingTimeInterval(3600), location: "Room 1", joinURL: nil,
        description: nil)

    static func changed(_ change: (inout EventSnapshot) -> Void) -> EventSnapshot {
        var snapshot = booked
        change(&snapshot)
        return snapshot
    }

    /// The journal's thread: the entry as last sent, with its SEQUENCE, live or cancelled.
    static func thread(sequence: Int, cancelled: Bool = false, shows snapshot: EventSnapshot = booked)
        -> JournalState.CalendarThread
    {
        JournalState.CalendarThread(
            uid: "cslg-20270107@example.gov.uk", eventID: "cslg", date: LocalDate(year: 2027, month: 1, day: 7),
            recipient: "dir1@example.gov.uk", name: "Dana One", cc: [], sequence: sequence, snapshot: snapshot,
            cancelled: cancelled, invitedAt: start.addingTimeInterval(-21 * 86_400))
    }

    /// One row: what the journal says the calendar shows, what the files want now, the step.
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var sent: JournalState.CalendarThread?
        var wanted: EventSnapshot?
        var step: CalendarStep
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "nothing sent, not wanted → nothing", sent: nil, wanted: nil, step: .nothing),
        Row(name: "nothing sent, wanted → invite", sent: nil, wanted: booked, step: .invite),
        Row(name: "live entry, unchanged → nothing", sent: thread(sequence: 0), wanted: booked, step: .nothing),
        Row(
            name: "live entry, start moved → update SEQUENCE 1", sent: thread(sequence: 0),
            wanted: changed { $0.start += 1800 }, step: .update(sequence: 1, previous: booked)),
        Row(
            name: "live entry at SEQUENCE 2, title changed → update SEQUENCE 3", sent: thread(sequence: 2),
            wanted: changed { $0.title = "CSLG (moved)" }, step: .update(sequence: 3, previous: booked)),
        Row(
            name: "live entry, joining link added → update", sent: thread(sequence: 0),
            wanted: changed { $0.joinURL = "https://teams.example/x" }, step: .update(sequence: 1, previous: booked)),
        Row(
            name: "live entry, description changed → update", sent: thread(sequence: 1),
            wanted: changed { $0.description = "Agenda attached" }, step: .update(sequence: 2, previous: booked)),
        Row(
            name: "live entry, location removed → update", sent: thread(sequence: 0),
            wanted: changed { $0.location = nil }, step: .update(sequence: 1, previous: booked)),
        Row(
            name: "live entry at SEQUENCE 1, no longer wanted → cancel SEQUENCE 2", sent: thread(sequence: 1),
            wanted: nil, step: .cancel(sequence: 2, reason: "why not")),
        Row(
            name: "cancelled entry, not wanted → nothing", sent: thread(sequence: 3, cancelled: true), wanted: nil,
            step: .nothing),
        Row(
            name: "cancelled entry at SEQUENCE 3, wanted again → reinvite SEQUENCE 4",
            sent: thread(sequence: 3, cancelled: true), wanted: booked, step: .reinvite(sequence: 4)),
        Row(
            name: "cancelled entry, wanted again with changes → reinvite, not update",
            sent: thread(sequence: 1, cancelled: true), wanted: changed { $0.end += 600 },
            step: .reinvite(sequence: 2)),
    ]

    @Test(arguments: rows)
    func theNextStepFollowsFromTheJournalAndTheFiles(row: Row) {
        let step = CalendarStep.next(sent: row.sent, wanted: row.wanted, whyNot: "why not")
        #expect(step == row.step)
    }

    @Test func theSequenceIsTheOneTheStepSends() {
        #expect(CalendarStep.nothing.sequence == 0)
        #expect(CalendarStep.invite.sequence == 0)
        #expect(CalendarStep.reinvite(sequence: 4).sequence == 4)
        #expect(CalendarStep.update(sequence: 3, previous: Self.booked).sequence == 3)
        #expect(CalendarStep.cancel(sequence: 2, reason: "").sequence == 2)
    }

    /// One row of `forced`: a kind `preview` is asked for (whether or not it is due), the journal's thread, the step.
    struct ForcedRow: Sendable, CustomTestStringConvertible {
        var name: String
        var kind: MessageKind
        var reinvite = false
        var sent: JournalState.CalendarThread?
        var step: CalendarStep
        var testDescription: String { name }
    }

    static let forcedRows: [ForcedRow] = [
        ForcedRow(name: "invitation → invite, SEQUENCE 0", kind: .invitation, sent: thread(sequence: 2), step: .invite),
        ForcedRow(
            name: "reminder → no calendar, SEQUENCE 0", kind: .reminder, sent: thread(sequence: 2), step: .nothing),
        ForcedRow(
            name: "update with nothing sent → SEQUENCE 1 against the files' own snapshot", kind: .update, sent: nil,
            step: .update(sequence: 1, previous: changed { $0.title = "now" })),
        ForcedRow(
            name: "update after SEQUENCE 2 → SEQUENCE 3 against what was sent", kind: .update,
            sent: thread(sequence: 2),
            step: .update(sequence: 3, previous: booked)),
        ForcedRow(
            name: "cancellation after SEQUENCE 0 → SEQUENCE 1", kind: .cancellation, sent: thread(sequence: 0),
            step: .cancel(sequence: 1, reason: "")),
        ForcedRow(
            name: "reinvite after a cancellation at SEQUENCE 3 → SEQUENCE 4", kind: .invitation, reinvite: true,
            sent: thread(sequence: 3, cancelled: true), step: .reinvite(sequence: 4)),
        ForcedRow(
            name: "reinvite with nothing sent → SEQUENCE 1", kind: .invitation, reinvite: true, sent: nil,
            step: .reinvite(sequence: 1)),
    ]

    @Test(arguments: forcedRows)
    func aForcedStepGivesPreviewTheSequenceRunWouldSend(row: ForcedRow) {
        let step = CalendarStep.forced(
            row.kind, reinvite: row.reinvite, sent: row.sent, wanted: Self.changed { $0.title = "now" })
        #expect(step == row.step)
    }

    /// Where both apply, `forced` agrees with `next`: an update or re-invitation previewed before it is due carries
    /// the SEQUENCE reconcile will give it.
    @Test func forcedAgreesWithNextWhereTheStepIsDue() {
        let moved = Self.changed { $0.start += 3600 }
        let live = Self.thread(sequence: 1)
        #expect(
            CalendarStep.forced(.update, reinvite: false, sent: live, wanted: moved)
                == CalendarStep.next(sent: live, wanted: moved, whyNot: ""))
        let cancelled = Self.thread(sequence: 2, cancelled: true)
        #expect(
            CalendarStep.forced(.invitation, reinvite: true, sent: cancelled, wanted: Self.booked)
                == CalendarStep.next(sent: cancelled, wanted: Self.booked, whyNot: ""))
        #expect(
            CalendarStep.forced(.cancellation, reinvite: false, sent: live, wanted: Self.booked).sequence
                == CalendarStep.next(sent: live, wanted: nil, whyNot: "gone").sequence)
    }
}
