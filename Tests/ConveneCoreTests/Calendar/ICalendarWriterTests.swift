import ConveneCore
import Foundation
import Testing

/// Checks every object on the bytes and through Python's icalendar 7.x (`check_ical.py`).
private func check(_ invites: [CalendarInvite]) async throws -> [CalendarFindings] {
    try await PythonChecker.checkCalendars(invites.map(ICalendarWriter.render))
}

/// The checks every object convene writes must pass, whatever it contains.
private func expectWellFormed(_ findings: CalendarFindings, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(findings.parseError == nil, sourceLocation: sourceLocation)
    #expect(
        findings.errors?.isEmpty == true, "icalendar component errors: \(findings.errors ?? [])",
        sourceLocation: sourceLocation)
    #expect(findings.bareLf == 0 && findings.bareCr == 0 && findings.endsWithCrlf, sourceLocation: sourceLocation)
    #expect(findings.maxLineOctets <= 75, sourceLocation: sourceLocation)
    #expect(findings.splitUtf8Lines == 0 && findings.utf8, sourceLocation: sourceLocation)
    #expect(findings.emptyContinuations == 0, sourceLocation: sourceLocation)
    let defined = Set(findings.vtimezones?.map(\.tzid) ?? [])
    #expect(
        Set(findings.tzidsUsed ?? []).isSubset(of: defined), "a TZID without VTIMEZONE", sourceLocation: sourceLocation)
    #expect(!(findings.components ?? []).contains("VALARM"), sourceLocation: sourceLocation)
    for zone in findings.zoneChecks ?? [] {
        #expect(
            zone.mismatches.isEmpty, "VTIMEZONE \(zone.tzid) disagrees with tzdata: \(zone.mismatches)",
            sourceLocation: sourceLocation)
    }
}

struct ICalendarWriterTests {
    @Test func invitationUpdateAndCancellationPassIcalendarWithTheirMethodSequenceAndStatus() async throws {
        let invites = [
            MailFixtures.invite(),
            MailFixtures.invite(sequence: 1, start: "2027-01-07 14:00"),
            MailFixtures.invite(method: .cancel, sequence: 2),
        ]
        let findings = try await check(invites)
        for (found, invite) in zip(findings, invites) {
            expectWellFormed(found)
            #expect(found.contentLineNames == MailFixtures.expectedContentLines)
            #expect(found.method == invite.method.rawValue)
            #expect(found.calendarProperties?["PRODID"] == "-//convene//convene 1.0//EN")
            #expect(found.calendarProperties?["CALSCALE"] == "GREGORIAN")
            let event = try #require(found.events?.first)
            #expect(event.uid == "your-agenda-20270107@example.gov.uk")
            #expect(event.sequence == invite.sequence)
            #expect(event.status == (invite.method == .cancel ? "CANCELLED" : "CONFIRMED"))
            #expect(event.transp == "OPAQUE")
            #expect(event.dtstamp == "2026-09-21T14:13:20+00:00")
            #expect(event.dtstartTzid == "Europe/London")
            #expect(event.summary == "Your Agenda, Your Conversations 🎉")
            #expect(event.location == "Online; Room 1, \"Main\"")
            #expect(
                event.description
                    == "Director-led conversations.\nBring a friend: all welcome\\\n\nJoin: https://meet.example.gov.uk/your-agenda"
            )
            #expect(event.url == "https://meet.example.gov.uk/your-agenda")
            #expect(event.conference?.value == "https://meet.example.gov.uk/your-agenda")
            #expect(event.organizer?.value == "mailto:collective.leadership@example.gov.uk")
            #expect(event.organizer?.cn == "Collective Leadership Team")
            #expect(event.attendees.count == 1)
            #expect(event.attendees.first?.value == "mailto:zoe.obrien-muller@example.gov.uk")
            #expect(
                event.attendees.first?.params == [
                    "CN": "Zoë O'Brien-Müller, \"Jr\"", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION",
                    "RSVP": "TRUE",
                ])
        }
        #expect(try #require(findings[0].events?.first).dtstartUtc == "2027-01-07T12:00:00+00:00")
        #expect(try #require(findings[1].events?.first).dtstartUtc == "2027-01-07T14:00:00+00:00")
    }

    @Test func theSameInviteRendersToTheSameBytes() {
        #expect(ICalendarWriter.render(MailFixtures.invite()) == ICalendarWriter.render(MailFixtures.invite()))
    }

    /// Everyone invited to one occurrence shares the frame (all but the ATTENDEE lines), built once: an invite
    /// rendered into another attendee's frame is byte-identical to one rendered on its own.
    @Test func anInviteInASharedFrameIsTheSameAsOneRenderedAlone() {
        let other = Mailbox(name: "Ayo Bello", address: "ayo.bello@example.gov.uk")
        let frame = ICalendarWriter.frame(for: MailFixtures.invite(attendees: [other]))
        let alone = ICalendarWriter.bytes(MailFixtures.invite())
        #expect(ICalendarWriter.bytes(MailFixtures.invite(), frame: frame) == alone)
        #expect(String(decoding: alone, as: UTF8.self).contains("mailto:\(MailFixtures.zoe.address)\r\n"))
        #expect(!String(decoding: alone, as: UTF8.self).contains(other.address))
    }

    /// Days the clocks change, and the hours around them, through the VTIMEZONE icalendar parsed.
    @Test(arguments: [
        ("Europe/London", "2027-03-28 12:00", "2027-03-28T11:00:00+00:00"),
        ("Europe/London", "2027-03-28 00:30", "2027-03-28T00:30:00+00:00"),
        ("Europe/London", "2027-03-28 03:00", "2027-03-28T02:00:00+00:00"),
        ("Europe/London", "2027-10-31 09:00", "2027-10-31T09:00:00+00:00"),
        ("Europe/London", "2027-10-30 09:00", "2027-10-30T08:00:00+00:00"),
        ("Europe/London", "2027-01-07 12:00", "2027-01-07T12:00:00+00:00"),
        ("America/New_York", "2027-03-14 12:00", "2027-03-14T16:00:00+00:00"),
        ("America/New_York", "2027-11-07 12:00", "2027-11-07T17:00:00+00:00"),
        ("Australia/Sydney", "2027-04-04 12:00", "2027-04-04T02:00:00+00:00"),
        ("Australia/Sydney", "2027-10-03 12:00", "2027-10-03T01:00:00+00:00"),
        ("Asia/Jerusalem", "2027-03-26 12:00", "2027-03-26T09:00:00+00:00"),
        ("Asia/Kolkata", "2027-06-01 12:00", "2027-06-01T06:30:00+00:00"),
        ("Asia/Tokyo", "2027-06-01 12:00", "2027-06-01T03:00:00+00:00"),
        ("Africa/Casablanca", "2027-02-20 12:00", "2027-02-20T12:00:00+00:00"),
        ("UTC", "2027-03-28 12:00", "2027-03-28T12:00:00+00:00"),
    ])
    func startTimesConvertToTheRightInstantThroughTheEmbeddedVTimeZone(
        zone identifier: String, local: String, utc: String
    ) async throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let findings = try #require(try await check([MailFixtures.invite(start: local, zone: zone)]).first)
        expectWellFormed(findings)
        let event = try #require(findings.events?.first)
        #expect(event.dtstartUtc == utc)
        if identifier == "UTC" {
            #expect(findings.vtimezones?.isEmpty == true)
            #expect(event.dtstartTzid == nil)
        } else {
            #expect(findings.vtimezones?.map(\.tzid) == [identifier])
            #expect(findings.zoneChecks?.first?.compared ?? 0 > 8000)
        }
    }

    @Test func londonVTimeZoneHasOneStandardAndOneDaylightRule() async throws {
        let findings = try #require(try await check([MailFixtures.invite(start: "2027-03-28 12:00")]).first)
        let zone = try #require(findings.vtimezones?.first)
        #expect(zone.subcomponents.map { $0["name"] } == ["DAYLIGHT", "STANDARD"])
        // icalendar re-serialises RRULE parts in its own order; compare them as sets.
        let rules = zone.subcomponents.map { Set(($0["rrule"] ?? "").split(separator: ";")) }
        #expect(rules == [["FREQ=YEARLY", "BYMONTH=3", "BYDAY=-1SU"], ["FREQ=YEARLY", "BYMONTH=10", "BYDAY=-1SU"]])
        #expect(zone.subcomponents.map { $0["dtstart"] } == ["20260329T010000", "20261025T020000"])
        #expect(zone.subcomponents.map { $0["tzname"] } == ["BST", "GMT"])
    }

    @Test func manyAttendeesEachGetOneLine() async throws {
        let people = (1...3).map { Mailbox(name: "Person \($0), Esq.", address: "p\($0)@example.gov.uk") }
        let findings = try #require(try await check([MailFixtures.invite(attendees: people)]).first)
        expectWellFormed(findings)
        let event = try #require(findings.events?.first)
        #expect(event.attendees.map { $0.params["CN"] } == people.map(\.name))
        #expect(findings.contentLineNames.filter { $0 == "ATTENDEE" }.count == 3)
    }
}
