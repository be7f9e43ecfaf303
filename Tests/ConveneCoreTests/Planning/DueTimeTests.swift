import Foundation
import Testing

@testable import ConveneCore

/// One row of the `place` table: a rule, an occurrence start, and where the window puts it (wall clock, London).
struct PlacementCase: Sendable, CustomTestStringConvertible {
    let send: String
    let start: String
    /// `YYYY-MM-DD HH:MM`, or the whole reason when the rule cannot be placed.
    let expected: String
    let why: String

    init(_ send: String, _ start: String, _ expected: String, _ why: String) {
        self.send = send
        self.start = start
        self.expected = expected
        self.why = why
    }

    var testDescription: String { "\(why): '\(send)', event \(start)" }
}

struct DueTimeTests {
    static let london = PlanningFixture.london
    /// The bank holidays of England and Wales these tests need (as in config/holidays-england-and-wales.txt).
    static let englandAndWales = Holidays(
        Dictionary(
            uniqueKeysWithValues: [
                ("2026-04-03", "Good Friday"), ("2026-04-06", "Easter Monday"), ("2027-03-26", "Good Friday"),
                ("2027-03-29", "Easter Monday"), ("2027-05-31", "Spring bank holiday"),
                ("2027-12-27", "Christmas Day (substitute day)"), ("2027-12-28", "Boxing Day (substitute day)"),
            ].map { (LocalDate(parsing: $0.0)!, $0.1) }))
    static let officeHours: DueTime = {
        var window = try! SendWindow.parse("08:00-18:00 Mon-Fri").get()
        window.holidays = englandAndWales
        return DueTime(zone: london, window: window)
    }()

    static func wallClock(_ instant: Date) -> String { LocalDateTime(instant: instant, in: london).description }

    @Test(arguments: [
        PlacementCase("1 day before at 08:00", "2027-01-11 08:00", "2027-01-08 08:00", "Sunday moves to Friday"),
        PlacementCase("7 days before at 09:00", "2027-01-30 10:00", "2027-01-22 09:00", "Saturday moves to Friday"),
        PlacementCase(
            "1 day before at 09:00", "2027-06-01 12:00", "2027-05-28 09:00", "holiday Monday moves to Friday"),
        PlacementCase(
            "1 day before at 09:00", "2027-03-30 10:00", "2027-03-25 09:00", "Easter Monday to Maundy Thursday"),
        PlacementCase("4 days before at 09:00", "2027-03-30 10:00", "2027-03-25 09:00", "Good Friday to Thursday"),
        PlacementCase(
            "1 day before at 09:00", "2027-12-29 10:00", "2027-12-24 09:00", "two substitute days and a weekend"),
        PlacementCase("1 day before at 07:00", "2027-01-13 12:00", "2027-01-12 08:00", "before opening: the opening"),
        PlacementCase(
            "1 day before at 19:30", "2027-01-13 12:00", "2027-01-12 17:59", "after closing: the last minute"),
        PlacementCase("2 days before at 19:30", "2027-01-11 12:00", "2027-01-08 17:59", "Saturday evening"),
        PlacementCase("1 week before", "2027-01-11 12:00", "2027-01-04 12:00", "no 'at': the event's time of day"),
        PlacementCase("1 day before at 09:00", "2026-03-30 10:00", "2026-03-27 09:00", "back across spring forward"),
        PlacementCase(
            "24 hours before", "2026-03-30 10:00", "2026-03-27 10:00", "hours on the Sunday the clocks go forward"),
        PlacementCase(
            "24 hours before", "2026-10-26 10:00", "2026-10-23 10:00", "hours on the Sunday the clocks go back"),
        PlacementCase("168 hours before", "2026-10-28 12:00", "2026-10-21 13:00", "hours are elapsed time, BST then"),
        PlacementCase("2 hours before", "2027-01-04 12:00", "2027-01-04 10:00", "hours inside the window"),
        PlacementCase("3 hours before", "2027-01-04 09:00", "2027-01-04 08:00", "hours before opening, event after it"),
        PlacementCase("1 hour before", "2027-01-04 08:30", "2027-01-04 08:00", "the opening is still before the start"),
        PlacementCase("2 hours before", "2027-01-05 20:00", "2027-01-05 17:59", "an evening event"),
        PlacementCase(
            "1 hour before", "2027-01-04 08:00",
            "no time in the send window (08:00-18:00 Mon-Fri) between '1 hour before' (Monday 4 January 2027 07:00) "
                + "and the start of the event (Monday 4 January 2027 08:00)",
            "the opening is the start"),
        PlacementCase(
            "0 days before at 09:00", "2027-01-04 08:00",
            "'0 days before at 09:00' is Monday 4 January 2027 09:00, not before the event starts at Monday 4 January "
                + "2027 08:00",
            "a rule after the start"),
        PlacementCase(
            "0 hours before", "2027-01-05 10:00",
            "'0 hours before' is Tuesday 5 January 2027 10:00, not before the event starts at Tuesday 5 January 2027 "
                + "10:00",
            "at the start is not before it"),
    ])
    func placeMovesEarlierNeverPastTheEvent(_ row: PlacementCase) throws {
        let offset = try SendOffset.parse(row.send).get()
        let start = PlanningFixture.at(row.start)
        switch Self.officeHours.place(offset, before: start) {
        case .at(let instant):
            #expect(Self.wallClock(instant) == row.expected)
            #expect(instant < start)
            #expect(Self.officeHours.window.contains(LocalDateTime(instant: instant, in: Self.london)))
        case .unplaceable(let reason):
            #expect(reason == row.expected)
        }
    }

    @Test func aMoveAcrossTheClockChangeKeepsTheWallClockTime() throws {
        // Monday 30 March 2026 is BST; the Friday before is GMT, so 09:00 there is 09:00Z.
        let placed = try #require(
            Self.officeHours.place(
                try SendOffset.parse("1 day before at 09:00").get(), before: PlanningFixture.at("2026-03-30 10:00")
            ).date)
        #expect(Int(placed.timeIntervalSince1970) % 86400 == 9 * 3600)
    }

    @Test func aTimeInsideTheWindowIsKeptToTheSecond() throws {
        let start = PlanningFixture.at("2027-01-04 12:00").addingTimeInterval(30)
        let placed = Self.officeHours.place(try SendOffset.parse("2 hours before").get(), before: start)
        #expect(placed == .at(start.addingTimeInterval(-7200)))
    }

    @Test func aWindowClosedForAMonthCannotPlaceAnything() throws {
        // Open on Mondays only, and every Monday of January and February 2027 is a holiday.
        var window = try SendWindow.parse("08:00-18:00 Mon").get()
        window.holidays = Holidays(
            Dictionary(
                uniqueKeysWithValues: (0..<9).map {
                    (LocalDate(year: 2027, month: 1, day: 4).adding(days: 7 * $0), "closed")
                }))
        let times = DueTime(zone: Self.london, window: window)
        let placed = times.place(
            try SendOffset.parse("1 day before at 09:00").get(), before: PlanningFixture.at("2027-02-10 10:00"))
        let reason =
            "'1 day before at 09:00' is Tuesday 9 February 2027 09:00, and the send window (08:00-18:00 Mon) has no "
            + "open day in the 31 days up to it"
        #expect(placed == .unplaceable(reason: reason))
        // An urgent message waits for the first Monday that is not a holiday.
        #expect(times.intoWindow(PlanningFixture.at("2027-01-05 10:00")) == PlanningFixture.at("2027-03-08 08:00"))
    }

    @Test func aWindowThatNeverOpensSendsUrgentMessagesAtOnce() throws {
        var window = try SendWindow.parse("08:00-18:00 Mon").get()
        window.holidays = Holidays(
            Dictionary(
                uniqueKeysWithValues: (0..<60).map {
                    (LocalDate(year: 2027, month: 1, day: 4).adding(days: 7 * $0), "closed")
                }))
        let times = DueTime(zone: Self.london, window: window)
        #expect(times.intoWindow(PlanningFixture.at("2027-01-05 10:00")) == .distantFuture)
    }

    @Test(arguments: [
        ("2027-01-26 19:30", "2027-01-27 08:00"),  // after closing on a weekday: next morning
        ("2027-01-26 06:00", "2027-01-26 08:00"),  // before opening: the same morning
        ("2027-01-26 12:34", "2027-01-26 12:34"),  // inside: unchanged
        ("2027-01-30 10:00", "2027-02-01 08:00"),  // Saturday: Monday
        ("2027-05-31 10:00", "2027-06-01 08:00"),  // a holiday Monday: Tuesday
        ("2027-03-25 18:30", "2027-03-30 08:00"),  // Maundy Thursday evening: over Easter
        ("2027-12-24 07:00", "2027-12-24 08:00"),  // Christmas Eve is a working day
        ("2027-12-24 18:30", "2027-12-29 08:00"),  // then a weekend and two substitute days
    ])
    func intoWindowTreatsHolidaysAsClosedDays(_ now: String, _ expected: String) {
        #expect(Self.wallClock(Self.officeHours.intoWindow(PlanningFixture.at(now))) == expected)
    }

    @Test func dueTimesAreComputedInLocalTimeAcrossTheClockChange() throws {
        let times = DueTime(zone: Self.london, window: .always)
        // Event 2027-04-01 12:00 BST; 7 days before at 09:00 is 25 March, still GMT: 09:00Z.
        let due = try #require(
            times.place(
                SendOffset(amount: 7, unit: .days, at: TimeOfDay(hour: 9, minute: 0)),
                before: PlanningFixture.at("2027-04-01 12:00")
            ).date)
        #expect(Int(due.timeIntervalSince1970) % 86400 == 9 * 3600)
        #expect(Self.wallClock(due) == "2027-03-25 09:00")
    }
}
