import ConveneCore
import Foundation

/// A token bucket for `rate:` (e.g. 30/minute): a burst of up to `count`, then one token every `perSeconds/count`.
/// Pure arithmetic on instants the caller supplies, so simulated runs and tests need no sleeping.
public struct RateLimiter: Sendable {
    public let rate: Rate?
    private var tokens: Double
    private var updated: Date?

    public init(rate: Rate?) {
        self.rate = rate
        self.tokens = Double(rate?.count ?? 0)
    }

    /// The earliest instant at or after `now` when one message may go, and reserves it. Tokens may go below zero:
    /// each caller waiting at the same moment gets the next free slot, so several lanes together keep the rate.
    public mutating func take(now: Date) -> Date {
        guard let rate else { return now }
        let interval = Double(rate.perSeconds) / Double(rate.count)
        if let updated, now > updated {
            tokens = min(Double(rate.count), tokens + now.timeIntervalSince(updated) / interval)
        }
        updated = max(updated ?? now, now)
        tokens -= 1
        return tokens >= 0 ? now : now.addingTimeInterval(-tokens * interval)
    }
}
