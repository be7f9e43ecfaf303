import Foundation

/// Counts lanes still running; the dispatching thread waits on it in short slices.
final class LaneCount: @unchecked Sendable {
    // @unchecked: `running` is only touched under `condition`.
    private let condition = NSCondition()
    private var running: Int

    init(_ count: Int) { running = count }

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
