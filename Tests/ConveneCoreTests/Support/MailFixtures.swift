import ConveneCore
import Foundation

/// Shared sample people, times, invites and messages for the calendar and message tests.
enum MailFixtures {
    static let london = TimeZone(identifier: "Europe/London")!

    /// A wall-clock time `yyyy-MM-dd HH:mm` in `zone`.
    static func date(_ text: String, in zone: TimeZone = london) -> Date {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(
            from: DateComponents(
                year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4]))!
    }

    static let organizer = Mailbox(name: "Collective Leadership Team", address: "collective.leadership@example.gov.uk")
    /// Accents, an apostrophe, a hyphen, a comma and double quotes in one name.
    static let zoe = Mailbox(name: "Zoë O'Brien-Müller, \"Jr\"", address: "zoe.obrien-muller@example.gov.uk")
    static let zoeASCII = Mailbox(name: "Zoe O'Brien-Muller, \"Jr\"", address: "zoe.ascii@example.gov.uk")
    static let party = Mailbox(name: "🎉 Événement Équipe", address: "party@example.gov.uk")
    static let delegate = Mailbox(name: "Private Office (Director, Müller)", address: "private.office@example.gov.uk")

    static func invite(
        method: CalendarInvite.Method = .request, sequence: Int = 0, start: String = "2027-01-07 12:00",
        minutes: Double = 60, zone: TimeZone = london, summary: String = "Your Agenda, Your Conversations 🎉",
        location: String? = "Online; Room 1, \"Main\"",
        description: String? = "Director-led conversations.\nBring a friend: all welcome\\",
        joinURL: String? = "https://meet.example.gov.uk/your-agenda", attendees: [Mailbox] = [zoe]
    ) -> CalendarInvite {
        let begin = date(start, in: zone)
        return CalendarInvite(
            method: method, uid: "your-agenda-20270107@example.gov.uk", sequence: sequence,
            stamp: Date(timeIntervalSince1970: 1_790_000_000), start: begin,
            end: begin.addingTimeInterval(minutes * 60),
            timeZone: zone, summary: summary, location: location, description: description, joinURL: joinURL,
            organizer: organizer, attendees: attendees)
    }

    /// The exact content lines of a REQUEST for one attendee in a zone with DST (Europe/London).
    static let expectedContentLines = [
        "BEGIN", "PRODID", "VERSION", "CALSCALE", "METHOD",
        "BEGIN", "TZID", "BEGIN", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "TZNAME", "END",
        "BEGIN", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "TZNAME", "END", "END",
        "BEGIN", "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL",
        "CONFERENCE", "ORGANIZER", "ATTENDEE", "STATUS", "TRANSP", "END", "END",
    ]

    /// The four kinds of message convene sends.
    enum Kind: String, CaseIterable, Sendable {
        case invitation, update, cancellation, reminder
    }

    static func message(_ kind: Kind, to: [Mailbox] = [zoe], cc: [Mailbox] = [delegate], subject: String? = nil)
        -> MailMessage
    {
        let calendar: CalendarPart? =
            switch kind {
            case .invitation: CalendarPart(invite(attendees: to))
            case .update: CalendarPart(invite(sequence: 1, start: "2027-01-07 14:00", attendees: to))
            case .cancellation: CalendarPart(invite(method: .cancel, sequence: 2, attendees: to))
            case .reminder: nil
            }
        let plain =
            "Dear Zoë,\n\nYou are invited to “Your Agenda” on Thursday 7 January 2027.\n"
            + ".\nA line starting with a dot, and a long one: " + String(repeating: "wörd ", count: 40)
            + "\nThe end.  \n"
        let html =
            "<p>Dear Zoë,</p>\n<p>" + String(repeating: "A very long HTML line with <b>markup</b> = signs. ", count: 10)
            + "</p>\n"
        return MailMessage(
            from: organizer, to: to, cc: cc, replyTo: organizer,
            subject: subject ?? "\(kind.rawValue.capitalized): Your Agenda, Your Conversations — 7 January 2027 🎉",
            date: Date(timeIntervalSince1970: 1_790_000_000), messageID: "\(kind.rawValue)-20270107-zoe@example.gov.uk",
            plain: plain, html: html, calendar: calendar)
    }
}
