import Foundation

/// The occurrence identities the journal already holds, by event and identity date: each with the UID its calendar
/// entries carry. Folded from `sent` calendar records (`JournalState.apply`), so planning can keep a UID through a
/// move: a one-off event keeps the UID it was first sent with, a series occurrence the UID of its scheduled date,
/// and when a whole series shifts (Thursday → Wednesday) its dates pair up with the old ones in order.
public struct OccurrenceIdentities: Sendable {
    /// One identity as the journal knows it.
    public struct Known: Sendable, Hashable {
        /// The UID its calendar entries carry.
        public var uid: String
        /// The start its latest calendar message gave.
        public var start: Date
        /// How many recipients hold a calendar entry for it that is not cancelled.
        public var live: Int
    }

    /// Every known identity, by event id and identity date.
    public private(set) var byEvent: [String: [LocalDate: Known]] = [:]

    /// No identities: nothing sent yet.
    public init() {}

    /// Folds one sent calendar message in: `wasLive`/`isLive` say whether the recipient's entry was and is now live.
    mutating func record(event: String, date: LocalDate, uid: String, start: Date, wasLive: Bool, isLive: Bool) {
        var known = byEvent[event, default: [:]][date] ?? Known(uid: uid, start: start, live: 0)
        known.start = start
        known.live += (isLive ? 1 : 0) - (wasLive ? 1 : 0)
        byEvent[event, default: [:]][date] = known
    }

    /// The identity date and known UID (nil: new) of each scheduled date of `event`, in order. `starts` are the
    /// scheduled dates' starts as the file now has them; only occurrences after `now` are paired up after a shift.
    public func identities(of event: Event, scheduled: [LocalDate], starts: [Date], now: Date?) -> [(
        date: LocalDate, uid: String?
    )] {
        let known = byEvent[event.id] ?? [:]
        var result = scheduled.map { (date: $0, uid: known[$0]?.uid) }
        guard !known.isEmpty else { return result }
        guard let recurrence = event.recurrence else {
            // A one-off event is its event id: whatever date it was first sent with, that entry is this event.
            guard result.count == 1, result[0].uid == nil else { return result }
            let live = known.filter { $0.value.live > 0 }
            let candidates = live.isEmpty ? known : live
            let target = starts.first ?? Date.distantPast
            if let (date, entry) = candidates.min(by: {
                let (a, b) = (
                    abs($0.value.start.timeIntervalSince(target)), abs($1.value.start.timeIntervalSince(target))
                )
                return a != b ? a < b : $0.key < $1.key
            }) {
                result[0] = (date, entry.uid)
            }
            return result
        }
        // A series: dates the file no longer schedules pair with new dates when they all shift the same way.
        let scheduledSet = Set(scheduled)
        let isAhead = { (start: Date) in now.map { start > $0 } ?? true }
        let old = known.filter { !scheduledSet.contains($0.key) && $0.value.live > 0 && isAhead($0.value.start) }.keys
            .sorted()
        let new = scheduled.indices.filter { result[$0].uid == nil && isAhead(starts[$0]) }
        guard !old.isEmpty, !new.isEmpty else { return result }
        // Capped: a series with a huge interval has one date, and the product must not overflow.
        let interval = min(recurrence.interval, 53)
        let period: Int
        switch recurrence.unit {
        case .days: period = interval
        case .weeks: period = 7 * interval
        case .months: period = 28 * interval
        }
        // The shift shared by most dates (ties: the smallest), within less than one period of the series.
        var votes: [Int: Int] = [:]
        let oldDays = Set(old.map(\.dayNumber))
        for index in new {
            let day = scheduled[index].dayNumber
            for offset in (-(period - 1))...(period - 1) where offset != 0 && oldDays.contains(day - offset) {
                votes[offset, default: 0] += 1
            }
        }
        guard let shift = votes.max(by: { $0.value != $1.value ? $0.value < $1.value : abs($0.key) > abs($1.key) })?.key
        else { return result }
        for index in new {
            let from = scheduled[index].adding(days: -shift)
            if let entry = known[from], !scheduledSet.contains(from) { result[index] = (from, entry.uid) }
        }
        return result
    }
}
