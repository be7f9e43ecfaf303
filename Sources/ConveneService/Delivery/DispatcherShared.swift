import ConveneCore
import Foundation

/// Everything mutable in a `Dispatcher`, owned by one lock.
///
/// During a batch the lanes journal and count outcomes on their own threads, their feeds reserve rate-limit slots,
/// any lane may stop the others, and the daemon's main thread reads the counters for STATUS= in between. Before this
/// type the counters were written under a lock and read without it (the daemon's heartbeat); now a field can only
/// be reached through `withLock`, so an unguarded access does not compile. The configuration lives here too, so that
/// the dispatcher itself is immutable and checked `Sendable`, and a lane thread can hold it without an unchecked box.
///
/// The lock is not reentrant: a `withLock` body must not call back into anything that takes it.
final class DispatcherShared: @unchecked Sendable {
    // @unchecked: `state` is private and only reached through `withLock`, under `lock`. This is what
    // `Synchronization.Mutex` would check for us, but on Linux (Swift 6.3) Mutex locks with futexes inside the
    // uninstrumented runtime, so ThreadSanitizer cannot see it and reports every access as a race; NSLock is a
    // pthread mutex, which it understands, and the ThreadSanitizer pass of scripts/test is what guards this type.

    /// The state itself.
    struct State: Sendable {
        var workspace: Workspace
        /// The composer lane 0 uses (DateFormatter is not safe to share between threads: other lanes make their own).
        var composer: MessageComposer
        /// What the journal says has happened: written by the lanes as they record, read by planning.
        var journal: JournalState
        var counters = Dispatcher.Counters()
        /// The first failure that stops all lanes.
        var failure: RunStop?
        /// Set when the lanes must stop after their current message (SIGTERM, or another lane's failure).
        var stopLanes = false
        /// Set when a lane stopped because the send window closed during the batch.
        var windowClosed = false
        /// Paces the feeds: each prepares (stamps and renders) its next message when this says it may go.
        var pacer: RateLimiter
        /// Admits the actual starts: a lane that fell behind its feed (a slow server) must not then start several
        /// prepared messages in a row faster than the rate.
        var gate: RateLimiter
        /// `rate: …, N/day`: recipients handed over in the last 24 hours, rebuilt from the journal for each batch and
        /// reserved by the feeds as they prepare; nil without a daily cap.
        var quota: DailyQuota?
        /// Lines the last compaction kept; 0 before the first, so a large journal is compacted at start.
        var linesAfterCompaction = 0
        /// The size of `approvals.jsonl` when last read (-1: not yet).
        var approvalsSize = -1

        init(workspace: Workspace, journal: JournalState, stateDirectory: String) {
            self.workspace = workspace
            self.composer = workspace.composer(stateDirectory: stateDirectory)
            self.journal = journal
            self.pacer = RateLimiter(rate: workspace.config.service.rate)
            self.gate = RateLimiter(rate: workspace.config.service.rate)
        }
    }

    private let lock = NSLock()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with the state while holding the lock.
    func withLock<Result>(_ body: (inout State) -> Result) -> Result {
        lock.withLock { body(&state) }
    }
}
