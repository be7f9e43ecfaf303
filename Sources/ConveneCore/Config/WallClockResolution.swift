import Foundation

/// What a wall-clock time of the rules file is in the service zone: one instant, none (it falls in the
/// spring-forward gap) or two (it falls in the autumn overlap).
///
/// convene settles the last two the way RFC 5545 (3.3.5) tells calendar programs to read a DTSTART or DTEND
/// with a TZID, so the plan and the invitee's calendar agree: a time in the gap is moved forward by the length
/// of the gap (01:30 on the night London's clocks go from 01:00 to 02:00 is 02:30 BST), and a time in the
/// overlap is the first of the two (01:30 BST, not the 01:30 GMT an hour later).
public enum WallClockResolution: Sendable, Hashable {
    /// The time happens once.
    case unique(Date)
    /// The clocks skip the time; `movedTo` is the instant used, `gap` how many seconds the clocks skip.
    case skipped(movedTo: Date, gap: Int)
    /// The time happens twice; `first` is the instant used, `second` the later one.
    case repeated(first: Date, second: Date)

    /// The instant convene uses for the time.
    public var instant: Date {
        switch self {
        case .unique(let instant), .skipped(let instant, _), .repeated(let instant, _): return instant
        }
    }
}

extension LocalDateTime {
    /// How this wall-clock time maps onto `zone`'s instants. Computed from the zone's offsets rather than
    /// `Calendar`, which is far slower and resolves gaps differently across platforms; `instant(in:)` uses it
    /// for every occurrence the planner builds, so it allocates nothing.
    public func resolution(in zone: TimeZone) -> WallClockResolution {
        let naive = Double(date.dayNumber * 86400 + time.minutesSinceMidnight * 60)
        // The offsets a day either side bracket any transition near this wall time.
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - 86400))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive + 86400))
        let early = Date(timeIntervalSince1970: naive - Double(max(before, after)))
        let late = Date(timeIntervalSince1970: naive - Double(min(before, after)))
        let earlyFits = zone.secondsFromGMT(for: early) == max(before, after)
        let lateFits = before != after && zone.secondsFromGMT(for: late) == min(before, after)
        switch (earlyFits, lateFits) {
        case (true, true): return .repeated(first: early, second: late)
        case (true, false): return .unique(early)
        case (false, true): return .unique(late)
        case (false, false):
            // No offset of the day gives this wall time: the clocks jumped over it. Read with the offset in
            // force before the jump it lands as far past the jump as it was past the jump's start.
            let movedTo = Date(timeIntervalSince1970: naive - Double(before))
            return .skipped(movedTo: movedTo, gap: zone.secondsFromGMT(for: movedTo) - before)
        }
    }
}
