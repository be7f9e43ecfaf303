import Foundation

/// The pause after failures in a row, shared by the SMTP outage policy and the mailbox poll: `first`, doubling with
/// each further failure, capped at `longest` (30 s, 60 s, 120 s … 15 min).
public enum Backoff {
    /// The pause after the `failures`-th failure in a row (1 is the first).
    public static func pause(after failures: Int, first: TimeInterval, longest: TimeInterval) -> TimeInterval {
        min(first * pow(2, Double(min(max(failures, 1) - 1, 30))), longest)
    }
}
