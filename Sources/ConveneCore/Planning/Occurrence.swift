import Foundation

/// One dated instance of an event, with absolute instants and its stable calendar UID.
///
/// An occurrence's **identity** survives a move: a one-off event is identified by its event id, a series occurrence
/// by its *scheduled* date (what `repeat:` generates, before `moved:`). The identity date (`identity`) is what keys,
/// Message-IDs and the UID carry; `date` is the day it actually takes place. Once a UID has been sent the journal
/// keeps it, and planning takes it from there (see `OccurrenceIdentities`).
public struct Occurrence: Sendable, Hashable {
    /// The event it belongs to.
    public var eventID: String
    /// The local date it takes place on (after any move).
    public var date: LocalDate
    /// The date in its keys, Message-IDs and UID: the scheduled date of a series occurrence (or the date it was paired
    /// with when the whole series shifted), the date of a one-off event when it was first sent.
    public var identity: LocalDate
    /// Its stable calendar UID.
    public var uid: String
    /// What its calendar entry says.
    public var snapshot: EventSnapshot
    /// False when the event is cancelled or this date is excepted.
    public var active: Bool
    /// The forums whose members are its audience.
    public var forums: [String]
    /// Why an inactive occurrence is off (for its cancellations): convene's words and the admin's `reason:`.
    public var inactiveReason: String?

    /// An occurrence; `identity` defaults to `date`.
    public init(
        eventID: String, date: LocalDate, identity: LocalDate? = nil, uid: String, snapshot: EventSnapshot,
        active: Bool,
        forums: [String], inactiveReason: String? = nil
    ) {
        self.eventID = eventID
        self.date = date
        self.identity = identity ?? date
        self.uid = uid
        self.snapshot = snapshot
        self.active = active
        self.forums = forums
        self.inactiveReason = inactiveReason
    }

    /// `<event-id>-<yyyymmdd>@<organizer domain>` for an identity date: deterministic, so it survives restarts; and
    /// once sent it is taken from the journal, so it survives moves too.
    public static func uid(event: String, date: LocalDate, domain: String) -> String {
        "\(event)-\(date.compact)@\(domain)"
    }

    /// Every occurrence of every event in the file, excepted and cancelled ones included (marked inactive), with the
    /// identities and UIDs the journal already holds. Without a journal each identity is new.
    public static func all(in config: Config, known: OccurrenceIdentities = .init(), now: Date? = nil) -> [Occurrence] {
        let zone = config.service.timeZone
        let domain = config.service.domain
        return config.events.flatMap { event in
            let excepted = Set(event.except)
            let scheduled = Occurrences.dates(of: event, excluding: false)
            let starts = scheduled.map { event.moved[$0] ?? LocalDateTime(date: $0, time: event.start.time) }
            let identities = known.identities(
                of: event, scheduled: scheduled, starts: starts.map { $0.instant(in: zone) }, now: now)
            return scheduled.indices.map { index in
                let date = scheduled[index]
                let start = starts[index].instant(in: zone)
                let identity = identities[index]
                var reason: String?
                if event.status == .cancelled {
                    reason = "this event has been cancelled" + (event.reason.map { ": " + $0 } ?? "")
                } else if excepted.contains(date) {
                    reason =
                        "this date, \(Phrasing.dayAndMonth(starts[index].date)), has been removed from the series"
                        + (event.exceptReasons[date].map { ": " + $0 } ?? "")
                }
                return Occurrence(
                    eventID: event.id, date: starts[index].date, identity: identity.date,
                    uid: identity.uid ?? uid(event: event.id, date: identity.date, domain: domain),
                    snapshot: EventSnapshot(
                        title: event.title, start: start,
                        end: start.addingTimeInterval(Double(event.duration.minutes) * 60),
                        location: event.location, joinURL: event.joinURL, description: event.description),
                    active: reason == nil, forums: event.forums, inactiveReason: reason)
            }
        }
    }
}

/// Dates as convene's messages write them.
public enum Phrasing {
    /// "Thursday 25 March".
    public static func dayAndMonth(_ date: LocalDate) -> String {
        "\(date.weekday.fullName) \(date.day) \(LocalDate.monthNames[date.month - 1])"
    }

    /// "Thursday 25 March 2027".
    public static func fullDate(_ date: LocalDate) -> String { date.longDescription }
}
