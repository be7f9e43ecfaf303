import ConveneCore
import Foundation

/// Carries out reconcile's actions in due order with the journal discipline: an `attempt` record before each send
/// and `sent`, `failed` or `skipped` after it. If the journal cannot be written nothing more is sent.
///
/// With `smtp.connections: N` the due actions are split into N lanes by recipient (so one person's messages keep
/// their order), each lane on its own thread with its own connection and renderer. Durability overlaps the network:
/// records are written at once and fsynced by the journal's syncer thread (group commit), and a lane completes a
/// message (SMTP's final dot) only once the previous message's outcome is on disk. A crash therefore loses at most
/// the outcome of the one message in flight per connection: it is resent with the same Message-ID.
///
/// What each send comes to (its record, counts, log lines, an outage) is decided by `DeliveryLedger`; the lanes
/// (`Dispatcher+Lane.swift`) carry it out, and the journal discipline is in `Dispatcher+Journal.swift`.
///
/// Immutable itself: everything that changes (the journal state, counters, the rate limiter, the configuration) is in
/// `shared`, behind one lock, so lane threads and the daemon's main thread can use the dispatcher at once.
public final class Dispatcher: Sendable {
    /// The journal every outcome is written to before it is acted on.
    public let journal: FileJournal
    private let transports: [MailTransport]
    /// (Internal, not private: the lanes and the journal discipline are extensions in files of their own.)
    let log: Log
    /// Real mode waits for the rate limiter; simulated runs (`--until`) do not.
    let sleeps: Bool
    /// Compaction runs once the journal has grown by this many lines since the last one (or by as many lines as
    /// that one kept, if more, so rewriting a journal that stays large costs time in proportion to its growth).
    public let compactionThreshold: Int
    /// Everything that changes, behind one lock (`DispatcherShared`).
    let shared: DispatcherShared

    /// The configuration in use (replaced by a reload).
    public var workspace: Workspace { shared.withLock { $0.workspace } }
    /// What the journal says has happened, including this run's records.
    public var state: JournalState { shared.withLock { $0.journal } }
    /// Sent, failed and skipped so far: safe to read while a batch is sending (the daemon's STATUS=).
    public var counters: Counters { shared.withLock { $0.counters } }

    /// One transport per connection: `transports.count` lanes send at once.
    public init(
        workspace: Workspace, journal: FileJournal, records: [JournalRecord], transports: [MailTransport], log: Log,
        sleeps: Bool, compactionThreshold: Int = 10_000
    ) {
        precondition(!transports.isEmpty, "a dispatcher needs at least one transport")
        self.compactionThreshold = compactionThreshold
        self.journal = journal
        self.transports = transports
        self.log = log
        self.sleeps = sleeps
        self.shared = DispatcherShared(
            .init(workspace: workspace, journal: JournalState(records: records), stateDirectory: journal.directory))
    }

    /// A dispatcher sending over one connection.
    public convenience init(
        workspace: Workspace, journal: FileJournal, records: [JournalRecord], transport: MailTransport, log: Log,
        sleeps: Bool, compactionThreshold: Int = 10_000
    ) {
        self.init(
            workspace: workspace, journal: journal, records: records, transports: [transport], log: log, sleeps: sleeps,
            compactionThreshold: compactionThreshold)
    }

    /// Folds records written outside a batch (a reply pass's answers and bounces) into the journal state, so the
    /// next plan sees them: a decliner gets no further reminder.
    public func absorb(_ records: [JournalRecord]) {
        guard !records.isEmpty else { return }
        shared.withLock {
            for record in records { $0.journal.apply(record) }
        }
    }

    /// Swaps in a newly loaded configuration (SIGHUP); the journal state carries over, and so does the rate limiter's
    /// memory of recent sends (a reload must not allow a fresh burst).
    public func replace(_ workspace: Workspace) {
        let composer = workspace.composer(stateDirectory: journal.directory)
        shared.withLock {
            $0.workspace = workspace
            $0.composer = composer
            $0.pacer.change(to: workspace.config.service.rate)
            $0.gate.change(to: workspace.config.service.rate)
        }
    }

    /// The plan for `now` from the current rules, roster and journal state.
    public func plan(now: Date) -> Plan {
        let (workspace, state) = shared.withLock { ($0.workspace, $0.journal) }
        return workspace.reconciler(state: state).plan(now: now)
    }

    /// The planned actions that retry a message whose last attempt failed temporarily: what is left awaiting a retry
    /// (`run --once` exits 75 while there is any).
    public func retries(in plan: Plan) -> [Action] {
        let failures = state.failures
        guard !failures.isEmpty else { return [] }
        return plan.actions.filter { $0.skipReason == nil && failures[$0.messageID].map { !$0.permanent } == true }
    }

    /// Executes everything due at `now`, re-planning until nothing more is due, and returns that last plan (whose
    /// first action is the next one due). `shouldStop` is asked between messages, never during one;
    /// `heartbeat` is called between messages so a long batch keeps the watchdog fed.
    @discardableResult
    public func runDue(
        now: Date, clock: @escaping @Sendable () -> Date = { Date() }, shouldStop: () -> Bool = { false },
        heartbeat: () -> Void = {}
    ) throws(RunStop) -> Plan {
        defer {
            // Idle from here: the journal drops the padding it reserved while writing (FileJournal). Only cosmetic,
            // so a failure is a warning; the next open cuts it off too.
            do { try journal.trimPadding() } catch {
                log.warning("could not trim the journal's padding", ["error": error.description])
            }
        }
        try compactIfNeeded(now: now)
        try foldApprovals(now: now)
        while true {
            let plan = self.plan(now: now)
            if let refusal = plan.refusal { throw .refused(refusal) }
            let due = plan.actions.prefix { $0.due <= now }
            if due.isEmpty { return plan }
            var sends: [Action] = []
            let composer = shared.withLock { $0.composer }
            for var action in due {
                if action.skipReason == nil, case let missing = composer.missingAttachments(action), !missing.isEmpty {
                    // Never sent without its files, never silently dropped: journaled as skipped, with why.
                    action.skipReason =
                        "its attachment " + missing.map { "\($0.filename) (\($0.sha256))" }.joined(separator: ", ")
                        + " cannot be read from the state folder or the rules' files"
                    log.error("attachment missing", ["key": action.key, "file": missing[0].filename])
                } else if action.skipReason == nil, composer.templates[action.template] == nil {
                    // A one-off's template removed from the folder after it was queued: not sent with another one.
                    action.skipReason = "its template '\(action.template)' is no longer in the templates folder"
                    log.error("template missing", ["key": action.key, "template": action.template])
                }
                if let reason = action.skipReason {
                    try record(action.skippedRecord(at: now))
                    shared.withLock { $0.counters.skipped += 1 }
                    log.info(
                        "skipped: \(reason)",
                        [
                            "key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address,
                            "msgid": action.messageID,
                        ])
                } else {
                    sends.append(action)
                }
            }
            let stopped = try deliver(sends, now: now, clock: clock, shouldStop: shouldStop, heartbeat: heartbeat)
            // When the window closed mid-batch, the caller plans again with its clock (the rest moves to the opening).
            if stopped || shared.withLock({ $0.windowClosed }) { return plan }
            try compactIfNeeded(now: now)
        }
    }

    /// Sends `actions` over the lanes; returns true when stopped early by `shouldStop`.
    func deliver(
        _ actions: [Action], now: Date, clock: @escaping @Sendable () -> Date, shouldStop: () -> Bool,
        heartbeat: () -> Void
    ) throws(RunStop) -> Bool {
        guard !actions.isEmpty else { return false }
        let (firstComposer, workspace) = shared.withLock {
            $0.failure = nil
            $0.stopLanes = false
            $0.windowClosed = false
            if let limit = $0.workspace.config.service.rate?.perDay {
                $0.quota = DailyQuota(limit: limit, handovers: $0.journal.handovers, now: now)
            } else {
                $0.quota = nil
            }
            return ($0.composer, $0.workspace)
        }
        let count = min(transports.count, actions.count)
        var lanes = [[Action]](repeating: [], count: count)
        for action in actions {
            // A stable hash of the recipient: the same person always lands in the same lane, keeping their order.
            lanes[Int(FNV1a.value(action.recipientKey) % UInt64(count))].append(action)
        }
        var userStop = false
        journal.concurrentWriters = count
        let started = DispatchTime.now().uptimeNanoseconds
        let (syncsBefore, syncSecondsBefore) = (journal.syncCount, journal.syncSeconds)
        defer {
            journal.concurrentWriters = 1
            // How the batch went, and how much of it the disk took: what an admin tuning `connections` needs.
            let syncs = journal.syncCount - syncsBefore
            let syncSeconds = journal.syncSeconds - syncSecondsBefore
            log.info(
                "batch done",
                [
                    "due": "\(actions.count)", "connections": "\(count)",
                    "seconds": String(format: "%.3f", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9),
                    "journal_syncs": "\(syncs)",
                    "sync_ms": String(format: "%.3f", syncs == 0 ? 0 : syncSeconds * 1000 / Double(syncs)),
                ])
        }
        if count == 1 {
            runLane(lanes[0], transport: transports[0], composer: firstComposer, now: now, clock: clock) {
                heartbeat()
                if shouldStop() { userStop = true }
                return userStop
            }
        } else {
            let done = LaneCount(count)
            for (index, lane) in lanes.enumerated() {
                let transport = transports[index]
                // DateFormatter is not safe to share between threads: each lane renders with its own composer.
                let composer =
                    index == 0
                    ? firstComposer : workspace.composer(stateDirectory: journal.directory)
                Thread.detachNewThread { [self] in
                    Thread.current.name = "lane-\(index)"
                    runLane(lane, transport: transport, composer: composer, now: now, clock: clock) { false }
                    done.finishOne()
                }
            }
            // This thread stays free for the watchdog and signals while the lanes send.
            while !done.wait(seconds: 0.2) {
                heartbeat()
                if !userStop && shouldStop() {
                    userStop = true
                    shared.withLock { $0.stopLanes = true }
                }
            }
            heartbeat()
        }
        if let failure = shared.withLock({ $0.failure }) { throw failure }
        return userStop
    }
}
