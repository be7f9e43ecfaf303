import Foundation

/// One occurrence as an iTIP calendar object (RFC 5546): a REQUEST (invitation or update) or a CANCEL.
///
/// Each occurrence is its own object with its own UID (no RRULE series), so moving or cancelling one
/// date touches only that date.
public struct CalendarInvite: Sendable, Hashable {
    /// The iTIP method, written both as `METHOD:` and as the MIME part's `method=`.
    public enum Method: String, Sendable, Hashable, Codable {
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    /// REQUEST for invitations and updates, CANCEL for cancellations; it also sets STATUS (CONFIRMED or CANCELLED).
    public var method: Method
    /// Stable per occurrence; a CANCEL reuses the UID of the REQUEST.
    public var uid: String
    /// 0 at first, +1 on every significant change and on CANCEL.
    public var sequence: Int
    /// DTSTAMP: when the message was generated (written in UTC).
    public var stamp: Date
    /// Absolute instants, written as wall-clock times in `timeZone` with a TZID and matching VTIMEZONE.
    public var start: Date
    /// DTEND, an absolute instant after `start`; written like `start`.
    public var end: Date
    /// The zone of DTSTART/DTEND's TZID and of the VTIMEZONE written; a UTC zone writes `Z` times and no VTIMEZONE.
    public var timeZone: TimeZone
    /// SUMMARY, the event's title as calendars show it; escaped and folded by the writer.
    public var summary: String
    /// LOCATION as the admin wrote it; nil writes none unless an online joining link takes its place.
    public var location: String?
    /// DESCRIPTION before `Join: URL` is appended; nil with no link writes none.
    public var description: String?
    /// The link to join online (http or https). Written as URL and as CONFERENCE (RFC 7986), appended to
    /// DESCRIPTION, and put in LOCATION when the location names no physical place (see `JoinLink`).
    public var joinURL: String?
    /// A mailbox that receives replies (no SENT-BY: Gmail then shows "Unknown Organizer").
    public var organizer: Mailbox
    /// The principal(s), each written with ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE.
    public var attendees: [Mailbox]

    /// Takes the fields as given: the composer, not this initializer, decides UID, SEQUENCE and attendees.
    public init(
        method: Method, uid: String, sequence: Int, stamp: Date, start: Date, end: Date, timeZone: TimeZone,
        summary: String, location: String? = nil, description: String? = nil, joinURL: String? = nil,
        organizer: Mailbox, attendees: [Mailbox]
    ) {
        self.method = method
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.summary = summary
        self.location = location
        self.description = description
        self.joinURL = joinURL
        self.organizer = organizer
        self.attendees = attendees
    }
}
