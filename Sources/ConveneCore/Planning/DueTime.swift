import Foundation

/// Turns `send:` phrases into absolute instants inside the send window, DST-correct in the service zone.
///
/// The window moves a due time *earlier*, never past the event (`place`): a reminder that would go out after the
/// event has started helps nobody, while one a working day early still does its job. Urgent messages (late
/// joiners, updates, cancellations, retries) go at the next moment the window is open (`intoWindow`).
public struct DueTime: Sendable {
    /// The service time zone send phrases are read in.
    public var zone: TimeZone
    /// The days and hours messages may go out.
    public var window: SendWindow

    /// How many days `place` looks back for an open day. A Mon-Fri window around the English Christmas and New Year
    /// holidays needs 4 at most; a month of closed days means the window is, in effect, never open.
    public static let lookBackDays = 31
    /// How many days `intoWindow` looks ahead for an open day: after a year of closed days it never opens.
    public static let lookAheadDays = 366

    /// Where `place` puts a notification for one occurrence.
    public enum Placement: Sendable, Hashable {
        /// Send at this instant: inside the window and strictly before the occurrence starts.
        case at(Date)
        /// The window has no time for it before the occurrence starts; `reason` says why, in words `plan` can show
        /// an admin.
        case unplaceable(reason: String)

        /// The instant, when placed.
        public var date: Date? {
            if case .at(let date) = self { return date }
            return nil
        }
    }

    /// Due times in `zone` within `window`.
    public init(zone: TimeZone, window: SendWindow) {
        self.zone = zone
        self.window = window
    }

    /// The nominal due instant of a rule for an occurrence starting at `start`, before the window is applied.
    /// Days and weeks count calendar days in the zone (a week before 09:00 is 09:00 on the wall clock across a clock
    /// change); hours count elapsed time.
    public func nominal(_ offset: SendOffset, before start: Date) -> Date {
        let local = LocalDateTime(instant: start, in: zone)
        switch offset.unit {
        case .hours:
            return start.addingTimeInterval(-Double(offset.amount) * 3600)
        case .days, .weeks:
            let days = offset.unit == .weeks ? offset.amount * 7 : offset.amount
            return LocalDateTime(date: local.date.adding(days: -days), time: offset.at ?? local.time).instant(in: zone)
        }
    }

    /// When a rule's notification for an occurrence starting at `start` goes out: its nominal time, moved into the
    /// window earlier, never past the event.
    ///
    /// - A nominal time on a closed day (a weekday outside the window, or a holiday) moves to the same time of day on
    ///   the last open day before it: "1 day before at 08:00" a Monday event goes on the Friday at 08:00.
    /// - A time of day outside the window's hours then moves to its opening if earlier, or to its last minute if
    ///   later (08:00-18:00: 07:00 → 08:00, 19:30 → 17:59).
    /// - If that is not strictly before `start`, or no open day is found within `lookBackDays`, the notification is
    ///   `.unplaceable` with a reason. A time already inside the window is kept to the second.
    public func place(_ offset: SendOffset, before start: Date) -> Placement {
        let nominal = nominal(offset, before: start)
        let local = LocalDateTime(instant: nominal, in: zone)
        var placed = nominal
        if !window.contains(local) {
            var day = local.date
            var looked = 0
            while !window.isOpen(on: day) {
                looked += 1
                guard looked <= Self.lookBackDays else {
                    return .unplaceable(
                        reason:
                            "'\(offset)' is \(local.spelledOut), and the send window (\(window)) has no open day in "
                            + "the \(Self.lookBackDays) days up to it")
                }
                day = day.adding(days: -1)
            }
            // Rebuilt from the wall clock, so a move across a clock change keeps the time of day.
            placed = LocalDateTime(date: day, time: window.clamp(local.time)).instant(in: zone)
        }
        guard placed < start else {
            let starts = LocalDateTime(instant: start, in: zone).spelledOut
            if nominal >= start {
                return .unplaceable(
                    reason: "'\(offset)' is \(local.spelledOut), not before the event starts at \(starts)")
            }
            // Only the move to the opening goes later, so the window has no time between the two.
            return .unplaceable(
                reason:
                    "no time in the send window (\(window)) between '\(offset)' (\(local.spelledOut)) and the start "
                    + "of the event (\(starts))")
        }
        return .at(placed)
    }

    /// `instant` if it is inside the send window, else the next moment the window opens (holidays are closed days);
    /// `Date.distantFuture` if it does not open within `lookAheadDays`, which callers that compare it with a grace
    /// read as "not in time" and send at once.
    public func intoWindow(_ instant: Date) -> Date {
        let local = LocalDateTime(instant: instant, in: zone)
        if window.contains(local) { return instant }
        var date = local.date
        // Today still counts when it is open and the window has yet to open.
        if !(window.isOpen(on: date) && local.time < window.opens) { date = date.adding(days: 1) }
        var looked = 0
        while !window.isOpen(on: date) {
            looked += 1
            guard looked <= Self.lookAheadDays else { return .distantFuture }
            date = date.adding(days: 1)
        }
        return LocalDateTime(date: date, time: window.opens).instant(in: zone)
    }
}
