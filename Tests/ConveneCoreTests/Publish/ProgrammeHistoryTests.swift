import Foundation
import Testing

@testable import ConveneCore

/// The programme's history is what calendars received, each change once however many people it reached.
struct ProgrammeHistoryTests {
    static let zone = TimeZone(identifier: "Europe/London")!

    static func instant(_ text: String) -> Date { LocalDateTime(parsing: text)!.instant(in: zone) }

    static func snapshot(_ start: String, title: String = "Your Agenda, Your Conversations") -> EventSnapshot {
        let begin = instant(start)
        return EventSnapshot(
            title: title, start: begin, end: begin.addingTimeInterval(3600), location: "Online", joinURL: nil,
            description: nil)
    }

    static func sent(
        _ kind: MessageKind, at: String, to person: String, uid: String = "talk-20270325@example.gov.uk",
        event: EventSnapshot?, reason: String? = nil, seq: Int = 0
    ) -> JournalRecord {
        JournalRecord(
            type: .sent, at: instant(at), key: "talk/20270325/\(kind.rawValue)/\(person)", kind: kind, uid: uid,
            seq: seq, msgid: UUID().uuidString, to: person, event: event, reason: reason)
    }

    @Test func eachChangeIsListedOnceWithWhatCalendarsReceived() {
        let first = Self.snapshot("2027-03-25 12:00")
        let moved = Self.snapshot("2027-03-26 12:00")
        let people = ["a@example.gov.uk", "b@example.gov.uk", "c@example.gov.uk"]
        var records: [JournalRecord] = []
        for person in people {
            records.append(Self.sent(.invitation, at: "2027-03-11 09:00", to: person, event: first))
        }
        // A reminder is not a change; an update that repeats what calendars hold is not either.
        records.append(Self.sent(.reminder, at: "2027-03-12 09:00", to: people[0], event: nil))
        for person in people {
            records.append(Self.sent(.update, at: "2027-03-15 09:00", to: person, event: moved, seq: 1))
        }
        // A late joiner's invitation to the moved date adds nothing.
        records.append(Self.sent(.invitation, at: "2027-03-16 09:00", to: "d@example.gov.uk", event: moved))
        // One person left the forum: their cancellation is not the programme's.
        records.append(
            Self.sent(
                .cancellation, at: "2027-03-17 09:00", to: people[2], event: moved,
                reason: "you are no longer a member of the Directors' Network", seq: 2))
        for person in people.prefix(2) {
            records.append(
                Self.sent(
                    .cancellation, at: "2027-03-20 09:00", to: person, event: moved,
                    reason: "this date, Friday 26 March, has been removed from the series: the spending review",
                    seq: 2))
        }
        let changes = ProgrammeHistory.changes(records)
        #expect(changes.map(\.kind) == [.added, .moved, .removed])
        #expect(
            changes.map { $0.text(in: Self.zone) } == [
                "Added event: Your Agenda, Your Conversations on 25 March 2027",
                "Moved event: Your Agenda, Your Conversations from 25 March to 26 March 2027",
                "Removed event: Your Agenda, Your Conversations on 26 March 2027",
            ])
        #expect(
            changes.map(\.at) == [
                Self.instant("2027-03-11 09:00"), Self.instant("2027-03-15 09:00"), Self.instant("2027-03-20 09:00"),
            ])
    }

    @Test func aCancelledEventAndAMoveWithinTheDayAndAcrossYearsAreWorded() {
        let climate = Self.snapshot("2027-10-14 10:00", title: "Climate: Achieving More Together")
        let records = [
            Self.sent(.invitation, at: "2027-09-30 09:00", to: "a@example.gov.uk", uid: "climate@x", event: climate),
            Self.sent(
                .cancellation, at: "2027-10-05 09:00", to: "a@example.gov.uk", uid: "climate@x", event: climate,
                reason: "this event has been cancelled: it is postponed", seq: 1),
            Self.sent(
                .invitation, at: "2027-12-01 09:00", to: "a@example.gov.uk", uid: "late@x",
                event: Self.snapshot("2027-12-30 12:00")),
            Self.sent(
                .update, at: "2027-12-02 09:00", to: "a@example.gov.uk", uid: "late@x",
                event: Self.snapshot("2028-01-04 12:00"), seq: 1),
            Self.sent(
                .update, at: "2027-12-03 09:00", to: "a@example.gov.uk", uid: "late@x",
                event: Self.snapshot("2028-01-04 14:30"), seq: 2),
        ]
        #expect(
            ProgrammeHistory.changes(records).map { $0.text(in: Self.zone) } == [
                "Added event: Climate: Achieving More Together on 14 October 2027",
                "Cancelled: Climate: Achieving More Together on 14 October 2027",
                "Added event: Your Agenda, Your Conversations on 30 December 2027",
                "Moved event: Your Agenda, Your Conversations from 30 December 2027 to 4 January 2028",
                "Moved event: Your Agenda, Your Conversations on 4 January 2028 from 12pm to 2:30pm",
            ])
    }

    @Test func datesAndTimesAreWrittenAsGOVUKWritesThem() {
        #expect(
            GOVUKDate.span(
                start: Self.instant("2027-01-07 12:00"), end: Self.instant("2027-01-07 13:00"), in: Self.zone)
                == "Thursday 7 January 2027, 12pm to 1pm")
        #expect(
            GOVUKDate.span(
                start: Self.instant("2027-03-18 09:30"), end: Self.instant("2027-03-19 00:00"), in: Self.zone)
                == "Thursday 18 March 2027, 9:30am to Friday 19 March 2027, 12am")
        #expect(GOVUKDate.time(TimeOfDay(hour: 0, minute: 5)) == "12:05am")
        #expect(GOVUKDate.time(TimeOfDay(hour: 16, minute: 0)) == "4pm")
    }
}
