import Foundation

/// Counts lanes still running; the dispatching thread waits on it in short slices.
final class LaneCount: @unchecked Sendable {
    // @unchecked: `running` is private and only read or written inside `condition.withLock`, so every access is
    // serialized by the condition's pthread mutex (which ThreadSanitizer sees); `condition` itself is a `let`.
    private let condition = NSCondition()
    private var running: Int

    /// A count of `count` lanes running.
    init(_ count: Int) { running = count }

    /// One lane has finished: wakes the waiting thread.
    func finishOne() {
        condition.withLock {
            running -= 1
            condition.broadcast()
        }
    }

    /// Waits up to `seconds`; true when every lane has finished.
    func wait(seconds: Double) -> Bool {
        condition.withLock {
            if running > 0 { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
            return running == 0
        }
    }
}
