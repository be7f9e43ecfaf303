import ConveneCore
import Foundation

/// Prepares a lane's messages ahead, on a thread of its own: while the lane's connection carries message k, the feed
/// waits out the send window and rate limit for the next ones, stamps them and renders them. Rendering then costs
/// the connection no time, and the lane thread does only what must happen in order around the send (the journal's
/// `attempt` and outcome records and the SMTP dialogue).
///
/// Nothing is written for a prepared message until the lane takes it and writes its `attempt`: a message prepared
/// but never taken (the lane stopped) leaves no trace and is planned again.
final class LaneFeed: @unchecked Sendable {
    // @unchecked: `ready`, `end` and `cancelled` are only touched while holding `condition`; the preparing closure
    // runs on the feed's thread alone.

    /// A message ready to go: the action, the instant it was stamped with (Date header, DTSTAMP, journal time) and its
    /// bytes.
    struct Prepared {
        let action: Action
        let stamp: Date
        let mail: OutgoingMail
    }

    /// Why the feed has no more messages.
    enum End: Equatable {
        /// Every action was prepared.
        case exhausted
        /// The send window closed before the next action; the rest waits for the window's next opening.
        case windowClosed
        /// The lane cancelled the feed.
        case cancelled
        /// The daily cap leaves no room for the next action until this instant, too far off to wait within a batch.
        case dailyCapReached(Date)
    }

    /// What `next(waitingAtMost:)` found.
    enum Next {
        case ready(Prepared)
        /// Nothing more will come (`finish` says why).
        case finished
        /// Nothing yet: the feed is still waiting (a rate limit) or preparing.
        case waiting
    }

    /// What `prepare` decides for one action.
    enum Step {
        case send(Prepared)
        case stop(End)
    }

    private let condition = NSCondition()
    private var ready: [Prepared] = []
    private var end: End?
    private var cancelled = false
    private var running = true
    /// How many prepared messages may wait for the lane: enough to hide the rendering, few enough that a stamp stays
    /// within milliseconds of the moment its message goes. A full feed sleeps until the lane has taken half, so it
    /// wakes once per `depth / 2` messages rather than once per message.
    private let depth: Int

    /// Starts preparing `actions` in order. `prepare` may call `sleep(until:clock:)` (rate limit) and is never called
    /// again after it returns `.stop` or the feed is cancelled.
    init(_ actions: [Action], depth: Int = 8, prepare: @escaping @Sendable (Action, LaneFeed) -> Step) {
        self.depth = depth
        Thread.detachNewThread { [self] in
            Thread.current.name = "lane-feed"
            var end = End.exhausted
            for action in actions {
                if isCancelled {
                    end = .cancelled
                    break
                }
                switch prepare(action, self) {
                case .send(let prepared):
                    if !push(prepared) { end = .cancelled }
                case .stop(let reason):
                    end = reason
                }
                if end != .exhausted { break }
            }
            condition.withLock {
                self.end = end
                running = false
                condition.broadcast()
            }
        }
    }

    /// The next prepared message in order, waiting for it if need be; nil at the end (`end` says why).
    func next() -> Prepared? {
        condition.withLock {
            while ready.isEmpty && end == nil { condition.wait() }
            guard !ready.isEmpty else { return nil }
            if ready.count == depth / 2 + 1 { condition.broadcast() }  // now half empty: let a waiting feed go on
            return ready.removeFirst()
        }
    }

    /// As `next()`, but waits at most `seconds`, so that a lane waiting out a long rate-limit slot can still look at
    /// its stop flag and feed the watchdog.
    func next(waitingAtMost seconds: Double) -> Next {
        condition.withLock {
            if ready.isEmpty && end == nil { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
            guard !ready.isEmpty else { return end == nil ? .waiting : .finished }
            if ready.count == depth / 2 + 1 { condition.broadcast() }  // now half empty: let a waiting feed go on
            return .ready(ready.removeFirst())
        }
    }

    /// Why `next()` returned nil.
    var finish: End { condition.withLock { end ?? .exhausted } }

    /// Stops preparing and waits until the feed's thread has let go of everything it uses (the lane's composer is
    /// used again by the next batch). Messages prepared but not taken are dropped: nothing was journaled for them.
    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
            while running { condition.wait() }
            ready = []
        }
    }

    private var isCancelled: Bool { condition.withLock { cancelled } }

    /// Waits, on the feed's thread, until `instant` by `clock`; false if the feed was cancelled meanwhile.
    func sleep(until instant: Date, clock: () -> Date) -> Bool {
        condition.withLock {
            while !cancelled {
                let wait = instant.timeIntervalSince(clock())
                if wait <= 0 { return true }
                _ = condition.wait(until: Date().addingTimeInterval(wait))
            }
            return false
        }
    }

    /// Queues a prepared message, waiting while `depth` are already queued; false if cancelled.
    private func push(_ prepared: Prepared) -> Bool {
        condition.withLock {
            if ready.count >= depth {
                while ready.count > depth / 2 && !cancelled { condition.wait() }
            }
            if cancelled { return false }
            ready.append(prepared)
            condition.broadcast()
            return true
        }
    }
}
