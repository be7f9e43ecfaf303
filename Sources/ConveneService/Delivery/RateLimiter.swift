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

    /// The earliest instant at or after `now` when one message may go; takes the token.
    public mutating func take(now: Date) -> Date {
        guard let rate else { return now }
        let interval = Double(rate.perSeconds) / Double(rate.count)
        if let updated {
            tokens = min(Double(rate.count), tokens + max(0, now.timeIntervalSince(updated)) / interval)
        }
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return now
        }
        let wait = (1 - tokens) * interval
        tokens = 0
        updated = now.addingTimeInterval(wait)
        return now.addingTimeInterval(wait)
    }
}
