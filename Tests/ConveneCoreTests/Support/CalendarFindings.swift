/// What `check_ical.py` reports about one iCalendar object.
struct CalendarFindings: Decodable {
    struct ComponentErrors: Decodable {
        var component: String
        var errors: [String]
    }
    struct TimeZoneDefinition: Decodable {
        var tzid: String
        var subcomponents: [[String: String]]
    }
    struct Organizer: Decodable {
        var value: String
        var cn: String?
    }
    struct Attendee: Decodable {
        var value: String
        var params: [String: String]
    }
    /// An RFC 7986 CONFERENCE property: the URI and its parameters (VALUE, FEATURE, LABEL).
    struct Conference: Decodable {
        var value: String
        var params: [String: String]
    }
    struct Event: Decodable {
        var properties: [String]
        var uid: String?
        var status: String?
        var summary: String?
        var location: String?
        var description: String?
        var url: String?
        var conference: Conference?
        var transp: String?
        var sequence: Int?
        var dtstamp: String?
        var organizer: Organizer?
        var attendees: [Attendee]
        var dtstartUtc: String?
        var dtendUtc: String?
        var dtstartTzid: String?
        var dtstartLocal: String?
    }
    struct ZoneCheck: Decodable {
        var tzid: String
        var compared: Int
        var mismatches: [[String: String]]
    }

    var bareLf: Int
    var bareCr: Int
    var endsWithCrlf: Bool
    var utf8: Bool
    var splitUtf8Lines: Int
    var maxLineOctets: Int
    var emptyContinuations: Int
    /// Property names of the unfolded content lines, in order (BEGIN/END included).
    var contentLineNames: [String]
    var parseError: String?
    var components: [String]?
    var errors: [ComponentErrors]?
    var method: String?
    var calendarProperties: [String: String]?
    var tzidsUsed: [String]?
    var vtimezones: [TimeZoneDefinition]?
    var events: [Event]?
    /// Our VTIMEZONE's offsets against the system tzdata, sampled every 3 hours over the event's year
    /// and the two after it.
    var zoneChecks: [ZoneCheck]?
}
