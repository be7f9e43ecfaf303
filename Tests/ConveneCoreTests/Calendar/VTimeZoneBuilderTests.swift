import Foundation
import Testing

@testable import ConveneCore

struct VTimeZoneBuilderTests {
    @Test func londonGetsTheLastSundayRulesDerivedFromTzdata() {
        let block = ICalendarWriter.vtimezone(
            for: TimeZone(identifier: "Europe/London")!, around: MailFixtures.date("2027-06-01 12:00"))
        #expect(
            block
                == [
                    "BEGIN:VTIMEZONE", "TZID:Europe/London",
                    "BEGIN:DAYLIGHT", "DTSTART:20260329T010000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100",
                    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZNAME:BST", "END:DAYLIGHT",
                    "BEGIN:STANDARD", "DTSTART:20261025T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000",
                    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZNAME:GMT", "END:STANDARD",
                    "END:VTIMEZONE", "",
                ].joined(separator: "\r\n"))
    }

    @Test func newYorkUsesSecondAndFirstSundayRules() {
        let block = ICalendarWriter.vtimezone(
            for: TimeZone(identifier: "America/New_York")!, around: MailFixtures.date("2027-06-01 12:00"))
        #expect(
            block.contains(
                "DTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"
                    + "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
            ))
        #expect(
            block.contains(
                "DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
                    + "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
            ))
    }

    @Test func aZoneWithoutDaylightSavingHasOneStandardComponent() {
        let block = ICalendarWriter.vtimezone(
            for: TimeZone(identifier: "Asia/Kolkata")!, around: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(block.components(separatedBy: "BEGIN:STANDARD").count == 2)
        #expect(!block.contains("DAYLIGHT"))
        #expect(block.contains("TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"))
    }

    @Test(arguments: ["UTC", "GMT", "Etc/UTC"])
    func utcNeedsNoVTimeZone(identifier: String) {
        #expect(ICalendarWriter.vtimezone(for: TimeZone(identifier: identifier)!, around: Date()) == "")
    }

    @Test func theBlockIsCachedPerZoneAndYear() {
        let zone = TimeZone(identifier: "Europe/Paris")!
        let first = ICalendarWriter.vtimezone(for: zone, around: MailFixtures.date("2027-02-01 09:00", in: zone))
        let again = ICalendarWriter.vtimezone(for: zone, around: MailFixtures.date("2027-11-30 09:00", in: zone))
        let nextYear = ICalendarWriter.vtimezone(for: zone, around: MailFixtures.date("2028-02-01 09:00", in: zone))
        #expect(first == again)
        #expect(first != nextYear)
        #expect(nextYear.contains("DTSTART:20270328T020000"))
    }

    @Test(arguments: [(0, "+0000"), (3600, "+0100"), (-18000, "-0500"), (19800, "+0530"), (-2670, "-004430")])
    func offsetsAreWrittenAsSignedHoursAndMinutes(seconds: Int, expected: String) {
        #expect(VTimeZoneBuilder.offset(seconds) == expected)
    }
}
