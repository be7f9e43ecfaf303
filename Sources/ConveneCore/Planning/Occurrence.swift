import Foundation

/// What a calendar entry said when it was sent: kept in the journal so updates can say what changed and
/// cancellations can be built after an event is deleted from the file.
public struct EventSnapshot: Sendable, Hashable, Codable {
    public var title: String
    public var start: Date
    public var end: Date
    public var location: String?
    public var joinURL: String?
    public var description: String?

    public init(title: String, start: Date, end: Date, location: String?, joinURL: String?, description: String?) {
        self.title = title
        self.start = start
        self.end = end
        self.location = location
        self.joinURL = joinURL
        self.description = description
    }

    /// True when the change is one an invitee's calendar must see (title, time, location or join URL).
    public func differsSignificantly(from other: EventSnapshot) -> Bool {
        title != other.title || start != other.start || end != other.end || location != other.location
            || joinURL != other.joinURL
    }
}

/// One dated instance of an event, with absolute instants and its stable calendar UID.
public struct Occurrence: Sendable, Hashable {
    public var eventID: String
    public var date: LocalDate
    public var uid: String
    public var snapshot: EventSnapshot
    /// False when the event is cancelled or this date is excepted.
    public var active: Bool
    public var forums: [String]

    /// `<event-id>-<yyyymmdd>@<organizer domain>`: deterministic, so it survives restarts and edits.
    public static func uid(event: String, date: LocalDate, domain: String) -> String {
        "\(event)-\(date.compact)@\(domain)"
    }

    /// Every occurrence of every event in the file, excepted and cancelled ones included (marked inactive).
    public static func all(in config: Config) -> [Occurrence] {
        let zone = config.service.timeZone
        let domain = config.service.domain
        return config.events.flatMap { event in
            let excepted = Set(event.except)
            return Occurrences.dates(of: event, excluding: false).map { date in
                let start = LocalDateTime(date: date, time: event.start.time).instant(in: zone)
                return Occurrence(
                    eventID: event.id, date: date, uid: uid(event: event.id, date: date, domain: domain),
                    snapshot: EventSnapshot(
                        title: event.title, start: start, end: start.addingTimeInterval(Double(event.duration.minutes) * 60),
                        location: event.location, joinURL: event.joinURL, description: event.description),
                    active: event.status == .confirmed && !excepted.contains(date), forums: event.forums)
            }
        }
    }
}
