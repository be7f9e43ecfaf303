import Foundation

/// When the daemon next reads the mailbox: every `replies.every` while reading works; after a failure, pauses that
/// double from 30 s up to 15 min (the shape of the SMTP outage backoff in the daemon's policy). A success ends the
/// backoff.
public struct ReplyPolling: Sendable, Equatable {
    /// The first pause after a failure, and the cap the doubling stops at.
    public static let firstPause: TimeInterval = 30
    /// The longest pause after failures in a row.
    public static let longestPause: TimeInterval = 900

    /// Seconds between passes while reading works (`replies.every`).
    public let interval: TimeInterval
    /// Failed passes in a row.
    public private(set) var failures = 0
    /// When the next pass is due.
    public private(set) var nextPass: Date
    /// Why the last pass failed, while failures go on; nil after a success.
    public private(set) var lastError: String?

    /// Polling every `interval` seconds (at least 1), with the first pass due at `now`.
    public init(interval: TimeInterval, now: Date) {
        self.interval = max(1, interval)
        nextPass = now
    }

    /// True when a pass is due at `now`.
    public func isDue(now: Date) -> Bool { now >= nextPass }

    /// Seconds from `now` until the next pass (0 when due).
    public func secondsUntilNextPass(now: Date) -> TimeInterval { max(0, nextPass.timeIntervalSince(now)) }

    /// A pass read the mailbox: the next is due one interval after `now`.
    @discardableResult
    public mutating func passSucceeded(now: Date) -> Date {
        failures = 0
        lastError = nil
        nextPass = now.addingTimeInterval(interval)
        return nextPass
    }

    /// A pass failed at `now` with `reason`: the next is due after 30 s, 60 s, 120 s … up to 15 min.
    @discardableResult
    public mutating func passFailed(_ reason: String, now: Date) -> (until: Date, retryIn: Int) {
        failures += 1
        lastError = reason
        let delay = Backoff.pause(after: failures, first: Self.firstPause, longest: Self.longestPause)
        nextPass = now.addingTimeInterval(delay)
        return (nextPass, Int(delay.rounded(.up)))
    }

    /// The status line while reading fails (`replies: 3 failed passes, next at 10:42:00 UTC: why`), nil while it works.
    public func statusLine() -> String? {
        guard failures > 0, let lastError else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.hour, .minute, .second], from: nextPass)
        let time = String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        let passes = failures == 1 ? "1 failed pass" : "\(failures) failed passes"
        return "replies: \(passes), next at \(time) UTC: \(lastError)"
    }
}
