import Foundation
import Testing

@testable import ConveneCore

/// Wall times around clock changes read as RFC 5545 has calendars read a local time with a TZID.
struct WallClockResolutionTests {
    /// `YYYY-MM-DD HH:MM` in UTC, as an instant.
    static func utc(_ text: String) -> Date { LocalDateTime(parsing: text)!.instant(in: TimeZone(identifier: "UTC")!) }

    @Test(arguments: [
        // London: 01:00 GMT → 02:00 BST on 28 March 2027, 02:00 BST → 01:00 GMT on 31 October 2027.
        ("Europe/London", "2027-03-28 00:59", "unique", "2027-03-28 00:59", nil as String?),
        ("Europe/London", "2027-03-28 01:00", "skipped 3600", "2027-03-28 01:00", nil),
        ("Europe/London", "2027-03-28 01:30", "skipped 3600", "2027-03-28 01:30", nil),
        ("Europe/London", "2027-03-28 02:00", "unique", "2027-03-28 01:00", nil),
        ("Europe/London", "2027-10-31 00:59", "unique", "2027-10-30 23:59", nil),
        ("Europe/London", "2027-10-31 01:00", "repeated", "2027-10-31 00:00", "2027-10-31 01:00"),
        ("Europe/London", "2027-10-31 01:30", "repeated", "2027-10-31 00:30", "2027-10-31 01:30"),
        ("Europe/London", "2027-10-31 02:00", "unique", "2027-10-31 02:00", nil),
        ("Europe/London", "2027-07-01 12:00", "unique", "2027-07-01 11:00", nil),
        // New York springs forward at 02:00 local; Lord Howe Island moves by half an hour.
        ("America/New_York", "2027-03-14 02:30", "skipped 3600", "2027-03-14 07:30", nil),
        ("America/New_York", "2027-11-07 01:30", "repeated", "2027-11-07 05:30", "2027-11-07 06:30"),
        ("Australia/Lord_Howe", "2027-10-03 02:15", "skipped 1800", "2027-10-02 15:45", nil),
        ("Asia/Tokyo", "2027-03-28 01:30", "unique", "2027-03-27 16:30", nil),
    ])
    func gapsMoveForwardAndOverlapsTakeTheFirst(
        zone: String, wall: String, kind: String, first: String, second: String?
    ) {
        let zone = TimeZone(identifier: zone)!
        let time = LocalDateTime(parsing: wall)!
        let resolution = time.resolution(in: zone)
        switch resolution {
        case .unique(let instant):
            #expect(kind == "unique")
            #expect(instant == Self.utc(first))
        case .skipped(let movedTo, let gap):
            #expect(kind == "skipped \(gap)")
            #expect(movedTo == Self.utc(first))
        case .repeated(let early, let late):
            #expect(kind == "repeated")
            #expect(early == Self.utc(first))
            #expect(late == second.map(Self.utc))
        }
        #expect(time.instant(in: zone) == resolution.instant)
    }
}
