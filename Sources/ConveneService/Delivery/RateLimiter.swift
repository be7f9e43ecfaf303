import ConveneCore
import Foundation

/// `rate:` (e.g. 30/minute) as a sliding window: at most `count` messages start in any `perSeconds`-long interval,
/// the first one included. Up to `count` go at once; the next waits until the oldest of the last `count` is a whole
/// period old. Pure arithmetic on instants the caller supplies, so simulated runs and tests need no sleeping.
///
/// (A token bucket — a burst of `count`, then refilling at `count` per period — lets up to `2 × count` start in the
/// first period, and Exchange Online's 30 a minute holds for every minute.)
public struct RateLimiter: Sendable {
    /// The configured rate; nil means no limit.
    public private(set) var rate: Rate?
    /// The last `rate.count` slots handed out, oldest first, never decreasing: a ring of `rate.count` instants.
    private var slots: [Date] = []
    /// Where the oldest slot is once the ring is full.
    private var oldest = 0

    /// A limiter for `rate` (nil: every slot is now).
    public init(rate: Rate?) {
        self.rate = rate
    }

    /// The earliest instant at or after `now` when one more message may start, and reserves it. Each caller gets the
    /// next free slot, so several lanes asking at the same moment keep the rate between them.
    public mutating func take(now: Date) -> Date {
        guard let rate else { return now }
        // Slots never go back in time (lanes may read the clock a moment apart), which keeps the ring in order: the
        // slot `count` places back is then the oldest one kept.
        var slot = max(now, newest ?? now)
        if slots.count == rate.count {
            slot = max(slot, slots[oldest].addingTimeInterval(Double(rate.perSeconds)))
            slots[oldest] = slot
            oldest = (oldest + 1) % slots.count
        } else {
            slots.append(slot)
        }
        return slot
    }

    /// A new rate (a reload) keeps what was sent recently, so a reload mid-batch cannot start a fresh burst.
    public mutating func change(to rate: Rate?) {
        guard rate != self.rate else { return }
        let recent = Array(slots[oldest...] + slots[..<oldest])
        self.rate = rate
        slots = Array(recent.suffix(rate?.count ?? 0))
        oldest = 0
    }

    private var newest: Date? {
        guard !slots.isEmpty else { return nil }
        return slots[(oldest + slots.count - 1) % slots.count]
    }
}
