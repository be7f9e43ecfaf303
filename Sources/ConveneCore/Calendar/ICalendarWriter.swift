import Foundation

/// Writes a `CalendarInvite` as an RFC 5545 VCALENDAR for iMIP (RFC 6047).
///
/// Output: CRLF line ends, lines folded at 75 octets on UTF-8 boundaries, TEXT escaped, parameter
/// values quoted and caret-encoded, no VALARM. Every TZID used has its VTIMEZONE in the same object.
/// A joining link goes into URL, CONFERENCE, DESCRIPTION and, for an online location, LOCATION (`JoinLink`).
public enum ICalendarWriter {
    /// The product identifier every object carries.
    public static let productID = "-//convene//convene 1.0//EN"

    /// The whole VCALENDAR as CRLF-terminated, folded lines.
    public static func render(_ invite: CalendarInvite) -> String {
        String(decoding: bytes(invite), as: UTF8.self)
    }

    /// The VCALENDAR's bytes. `frame`, when given, must be `frame(for:)` of an invite that differs from this one at
    /// most in its attendees: everyone invited to one occurrence by one notification shares it.
    public static func bytes(_ invite: CalendarInvite, frame: Frame? = nil) -> [UInt8] {
        let frame = frame ?? self.frame(for: invite)
        var output = frame.head
        output.reserveCapacity(frame.head.count + frame.tail.count + 160 * invite.attendees.count)
        for attendee in invite.attendees {
            ICalendarText.appendFolded(
                "ATTENDEE" + commonName(attendee) + ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"
                    + ICalendarText.uri(attendee.address), to: &output)
        }
        output += frame.tail
        return output
    }

    /// Everything in an invite's VCALENDAR except its ATTENDEE lines, which come between `head` and `tail`.
    public struct Frame: Sendable {
        /// VCALENDAR and VTIMEZONE through ORGANIZER, folded and CRLF-terminated, ready for ATTENDEE lines.
        public let head: [UInt8]
        /// STATUS, TRANSP and the END lines that close the VEVENT and the VCALENDAR.
        public let tail: [UInt8]
    }

    /// The frame of `invite` (its attendees are not used).
    public static func frame(for invite: CalendarInvite) -> Frame {
        let zone = invite.timeZone
        let utc = isUTC(zone)
        var head: [UInt8] = []
        for line in [
            "BEGIN:VCALENDAR", "PRODID:" + productID, "VERSION:2.0", "CALSCALE:GREGORIAN",
            "METHOD:" + invite.method.rawValue,
        ] {
            ICalendarText.appendFolded(line, to: &head)
        }
        if !utc { head += vtimezone(for: zone, around: invite.start).utf8 }

        var lines = [
            "BEGIN:VEVENT",
            "UID:" + ICalendarText.text(invite.uid),
            "SEQUENCE:\(max(0, invite.sequence))",
            "DTSTAMP:" + utcStamp(invite.stamp),
        ]
        if utc {
            lines += ["DTSTART:" + utcStamp(invite.start), "DTEND:" + utcStamp(invite.end)]
        } else {
            let tzid = ";TZID=" + ICalendarText.parameter(zone.identifier) + ":"
            lines += [
                "DTSTART" + tzid + localStamp(invite.start, in: zone),
                "DTEND" + tzid + localStamp(invite.end, in: zone),
            ]
        }
        lines.append("SUMMARY:" + ICalendarText.text(invite.summary))
        // The link is made line-safe once, so LOCATION and DESCRIPTION show the same URL that URL and CONFERENCE carry.
        let link = ICalendarText.uri(invite.joinURL?.trimmingBlanks(newlines: true) ?? "")
        let joinURL = link.isEmpty ? nil : link
        if let location = JoinLink.location(invite.location, joinURL: joinURL) {
            lines.append("LOCATION:" + ICalendarText.text(location))
        }
        if let description = JoinLink.description(invite.description, joinURL: joinURL) {
            lines.append("DESCRIPTION:" + ICalendarText.text(description))
        }
        if let joinURL {
            lines.append("URL:" + joinURL)
            // RFC 7986 §5.11: VALUE=URI is required; FEATURE and LABEL tell clients it is a video meeting to join.
            lines.append(
                "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=" + ICalendarText.parameter(JoinLink.label) + ":" + joinURL)
        }
        lines.append(
            "ORGANIZER" + commonName(invite.organizer) + ":mailto:" + ICalendarText.uri(invite.organizer.address))
        for line in lines { ICalendarText.appendFolded(line, to: &head) }
        var tail: [UInt8] = []
        for line in [
            "STATUS:" + (invite.method == .cancel ? "CANCELLED" : "CONFIRMED"),
            "TRANSP:OPAQUE",
            "END:VEVENT",
            "END:VCALENDAR",
        ] {
            ICalendarText.appendFolded(line, to: &tail)
        }
        return Frame(head: head, tail: tail)
    }

    /// The VTIMEZONE block (folded, CRLF-terminated) for `zone` in the year of `date`, or "" for UTC,
    /// which is written as `Z` times instead. Cached per zone and year: rendering thousands of
    /// invitations a second must not walk tzdata each time.
    public static func vtimezone(for zone: TimeZone, around date: Date) -> String {
        if isUTC(zone) { return "" }
        var calendar = VTimeZoneBuilder.utcCalendar
        calendar.timeZone = zone
        let year = calendar.component(.year, from: date)
        let key = VTimeZoneCache.Key(identifier: zone.identifier, year: year)
        return cache.value(for: key) { VTimeZoneBuilder.build(for: zone, year: year) }
    }

    private static let cache = VTimeZoneCache()

    /// Zones that are UTC by definition; a zone that merely has offset 0 in winter is not one of them.
    static func isUTC(_ zone: TimeZone) -> Bool {
        [
            "UTC", "GMT", "UCT", "Zulu", "Universal", "Greenwich", "GMT0", "Etc/UTC", "Etc/GMT", "Etc/UCT",
            "Etc/Zulu", "Etc/Universal", "Etc/Greenwich", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
        ].contains(zone.identifier)
    }

    private static func commonName(_ mailbox: Mailbox) -> String {
        mailbox.name.isEmpty ? "" : ";CN=" + ICalendarText.parameter(mailbox.name)
    }

    /// `yyyyMMddTHHmmssZ`.
    static func utcStamp(_ date: Date) -> String {
        let parts = VTimeZoneBuilder.utcCalendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: date)
        return VTimeZoneBuilder.localStamp(parts) + "Z"
    }

    /// The wall-clock time of `date` in `zone`, as `yyyyMMddTHHmmss` (to go with a TZID).
    static func localStamp(_ date: Date, in zone: TimeZone) -> String {
        var calendar = VTimeZoneBuilder.utcCalendar
        calendar.timeZone = zone
        return VTimeZoneBuilder.localStamp(
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date))
    }
}
