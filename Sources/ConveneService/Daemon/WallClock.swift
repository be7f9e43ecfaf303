import Foundation

/// The daemon's one source of the current time, given to `Daemon` at construction: the system clock in the binary,
/// a fixed or stepped one in tests. Every decision receives `now` from it (`DaemonPolicy` never reads a clock), so
/// a test can put the daemon at any instant without sleeping.
public struct WallClock: Sendable {
    /// Reads the current instant.
    public let now: @Sendable () -> Date

    /// A clock that answers with `now()`.
    public init(_ now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The system's real-time clock: it follows `date -s` and NTP steps, as the daemon's wall-clock timer does.
    public static let system = WallClock { Date() }

    /// A clock stopped at `instant`.
    public static func fixed(_ instant: Date) -> WallClock {
        WallClock { instant }
    }
}
