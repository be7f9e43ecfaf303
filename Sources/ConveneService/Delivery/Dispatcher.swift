import ConveneCore
import Foundation

/// Why a run stopped, mapped to an exit status by the executable.
public enum RunStop: Error, Sendable, CustomStringConvertible {
    case journal(JournalError)
    case transport(TransportFailure)
    case refused(String)

    public var description: String {
        switch self {
        case .journal(let error): return error.description
        case .transport(let failure): return failure.message
        case .refused(let reason): return reason
        }
    }
}

/// Carries out reconcile's actions in due order with the journal discipline: an `attempt` record before each send
/// and `sent`, `failed` or `skipped` after it. If the journal cannot be written nothing more is sent.
///
/// With `smtp.connections: N` the due actions are split into N lanes by recipient (so one person's messages keep
/// their order), each lane on its own thread with its own connection and renderer. Durability overlaps the network:
/// records are written at once and fsynced by the journal's syncer thread (group commit), and a lane completes a
/// message (SMTP's final dot) only once the previous message's outcome is on disk. A crash therefore loses at most
/// the outcome of the one message in flight per connection: it is resent with the same Message-ID.
///
/// Immutable itself: everything that changes (the journal state, counters, the rate limiter, the configuration) is in
/// `shared`, behind one lock, so lane threads and the daemon's main thread can use the dispatcher at once.
public final class Dispatcher: Sendable {
    public let journal: FileJournal
    private let transports: [MailTransport]
    private let log: Log
    /// Real mode waits for the rate limiter; simulated runs (`--until`) do not.
    private let sleeps: Bool
    /// Compaction runs once the journal has grown by this many lines since the last one (or by as many lines as
    /// that one kept, if more, so rewriting a journal that stays large costs time in proportion to its growth).
    public let compactionThreshold: Int
    private let shared: DispatcherShared

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
        self.shared = DispatcherShared(.init(workspace: workspace, journal: JournalState(records: records)))
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

    /// Swaps in a newly loaded configuration (SIGHUP); the journal state carries over, and so does the rate limiter's
    /// memory of recent sends (a reload must not allow a fresh burst).
    public func replace(_ workspace: Workspace) {
        let composer = MessageComposer(config: workspace.config, templates: workspace.templates)
        shared.withLock {
            $0.workspace = workspace
            $0.composer = composer
            $0.pacer.change(to: workspace.config.service.rate)
            $0.gate.change(to: workspace.config.service.rate)
        }
    }

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
            do { try journal.trimPadding() } catch { log.warning("could not trim the journal's padding", ["error": error.description]) }
        }
        try compactIfNeeded(now: now)
        try foldApprovals(now: now)
        while true {
            let plan = self.plan(now: now)
            if let refusal = plan.refusal { throw .refused(refusal) }
            let due = plan.actions.prefix { $0.due <= now }
            if due.isEmpty { return plan }
            var sends: [Action] = []
            for action in due {
                if let reason = action.skipReason {
                    try record(action.skippedRecord(at: now))
                    shared.withLock { $0.counters.skipped += 1 }
                    log.info("skipped: \(reason)", ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "msgid": action.messageID])
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
            return ($0.composer, $0.workspace)
        }
        let count = min(transports.count, actions.count)
        var lanes = [[Action]](repeating: [], count: count)
        for action in actions {
            // A stable hash of the recipient: the same person always lands in the same lane, keeping their order.
            lanes[Int(DeliveryKey.fnv1aValue(action.recipientKey) % UInt64(count))].append(action)
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
            log.info("batch done", [
                "due": "\(actions.count)", "connections": "\(count)",
                "seconds": String(format: "%.3f", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9),
                "journal_syncs": "\(syncs)", "sync_ms": String(format: "%.3f", syncs == 0 ? 0 : syncSeconds * 1000 / Double(syncs)),
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
                    index == 0 ? firstComposer : MessageComposer(config: workspace.config, templates: workspace.templates)
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

    /// Takes in approvals `convene approve` recorded beside the journal since the last look (`Approvals`), copying
    /// each new one into the journal so it stays with the rest of the record.
    func foldApprovals(now: Date) throws(RunStop) {
        let size = Approvals.size(directory: journal.directory)
        let seen = shared.withLock { state in
            defer { state.approvalsSize = size }
            return state.approvalsSize == size
        }
        guard !seen else { return }
        for approval in Approvals.read(directory: journal.directory) where !state.approvals.contains(approval.files ?? "") {
            try record(approval)
            log.info("approved calendar change", ["files": approval.files ?? "", "change": approval.reason ?? ""])
        }
    }

    /// Rewrites the journal with only what planning still needs (`JournalCompaction`) once it has grown enough.
    /// Runs between messages, never between an attempt and its outcome. A failure stops sending: the journal
    /// cannot be trusted to take the next record.
    func compactIfNeeded(now: Date) throws(RunStop) {
        let linesAfterCompaction = shared.withLock { $0.linesAfterCompaction }
        let grown = journal.lineCount - linesAfterCompaction
        guard grown >= max(compactionThreshold, linesAfterCompaction) else { return }
        let before = journal.lineCount
        do {
            let records = try FileJournal.read(directory: journal.directory).records
            let (kept, dropped) = JournalCompaction.partitioned(records, now: now)
            guard kept.count < records.count else {
                // Nothing to drop (compaction only drops): rewriting the same records would replace the file (a new
                // inode and mtime, a full write and two fsyncs) at every start for nothing. Wait for new growth.
                shared.withLock { $0.linesAfterCompaction = records.count }
                log.info("journal compaction: nothing to drop", ["records": "\(records.count)", "journal": journal.path])
                return
            }
            // What the journal forgets stays in the history: `convene history` still shows who was sent what.
            try journal.compact(to: kept, archiving: dropped)
            // The fold of what was kept plans the same as the full journal, without the past's memory.
            let folded = JournalState(records: kept)
            shared.withLock {
                $0.journal = folded
                $0.linesAfterCompaction = kept.count
            }
            log.info("journal compacted", ["records": "\(before)", "kept": "\(kept.count)", "journal": journal.path])
        } catch {
            log.error("journal compaction failed; sending stops", ["error": error.description])
            throw .journal(error)
        }
    }

    private func record(_ record: JournalRecord) throws(RunStop) {
        do {
            try journal.append(record)
        } catch {
            log.error("journal write failed; sending stops", ["error": error.description])
            throw .journal(error)
        }
        shared.withLock { $0.journal.apply(record) }
    }

    /// Records the first failure and tells every lane to stop after its current message.
    private func stop(_ reason: RunStop) {
        shared.withLock {
            if $0.failure == nil { $0.failure = reason }
            $0.stopLanes = true
        }
    }

    /// Writes a record for a lane without waiting for the disk; nil (after stopping everything) if it failed.
    private func write(_ record: JournalRecord, lazy: Bool = false) -> UInt64? {
        do {
            let ticket = try journal.write([record], lazy: lazy)
            shared.withLock { $0.journal.apply(record) }
            return ticket
        } catch {
            log.error("journal write failed; sending stops", ["error": error.description])
            stop(.journal(error))
            return nil
        }
    }

    /// One connection's share of the due messages, in due order. `between` is asked before each message whether
    /// to stop (never during one), and every fifth of a second while the lane waits (a rate limit can hold the next
    /// message for a whole period): on the daemon's thread it also feeds the watchdog. The lane's feed prepares each
    /// message (window, rate limit, rendering) one step ahead on its own thread, so this thread only journals and
    /// sends.
    func runLane(
        _ actions: [Action], transport: MailTransport, composer: MessageComposer, now: Date,
        clock: @escaping @Sendable () -> Date, between: () -> Bool
    ) {
        var lastTicket: UInt64 = 0
        var ledger = DeliveryLedger()
        let feed = prepareAhead(actions, composer: composer, now: now, clock: clock)
        let rateLimited = sleeps && shared.withLock { $0.gate.rate != nil }
        defer {
            feed.cancel()
            // Everything this lane wrote is on disk before it reports done.
            do { try journal.waitDurable(lastTicket) } catch { stop(.journal(error)) }
        }
        while true {
            var next = LaneFeed.Next.waiting
            while case .waiting = next {
                if between() || shared.withLock({ $0.stopLanes }) { return }
                next = feed.next(waitingAtMost: 0.2)
            }
            guard case .ready(let prepared) = next else {
                if feed.finish == .windowClosed { shared.withLock { $0.windowClosed = true } }
                return
            }
            if rateLimited {
                // The feed stamped this message when the pacer let it go; a lane that fell behind its feed (a slow
                // server) would then start the queued messages back to back. The gate counts actual starts.
                let time = clock()
                let slot = shared.withLock { $0.gate.take(now: time) }
                guard wait(until: slot, clock: clock, between: between) else { return }
            }
            let action = prepared.action
            let stamp = prepared.stamp
            // The previous message's outcome must be on disk before this one can be completed: then a crash leaves
            // at most this one message to resend per connection. Its fsync, started when the outcome was written,
            // runs while this message's SMTP dialogue proceeds. This attempt rides along with it or the next fsync;
            // if a crash loses it, the message is re-planned and resent with the same Message-ID.
            let previousOutcome = lastTicket
            guard let attempt = write(action.attemptRecord(at: stamp), lazy: true) else { return }
            lastTicket = attempt
            let entry: DeliveryLedger.Entry
            let finished: Date
            do {
                let report = try transport.send(prepared.mail) { [journal] in
                    (try? journal.waitDurable(previousOutcome)) != nil
                }
                // Never stamped before `now`: a failure's retry is due a back-off after it, so it cannot fall due
                // again when the caller plans once more at `now` (a `--once` pass, a clock set back during the batch).
                finished = sleeps ? max(clock(), now) : now
                entry = ledger.settle(action, with: report, at: finished)
            } catch {
                finished = stamp
                entry = ledger.settle(action, refusedWith: error, at: stamp)
            }
            // The outcome goes to the journal first: its sync is what the next message's final dot waits for.
            let written = write(entry.record)
            shared.withLock { $0.counters.count(entry.count, at: finished, zone: $0.workspace.config.service.timeZone) }
            for line in entry.log { log(line) }
            guard let ticket = written else { return }
            lastTicket = ticket
            if let stop = entry.stop {
                if let line = stop.log { log(line) }
                self.stop(.transport(stop.failure))
                return
            }
        }
    }

    /// Sleeps until `instant` by `clock`, a fifth of a second at a time so that `between` (the watchdog, a stop) is
    /// heard meanwhile; false when told to stop.
    private func wait(until instant: Date, clock: () -> Date, between: () -> Bool) -> Bool {
        while true {
            let left = instant.timeIntervalSince(clock())
            if left <= 0 { return true }
            if between() || shared.withLock({ $0.stopLanes }) { return false }
            Thread.sleep(forTimeInterval: min(left, 0.2))
        }
    }

    /// The lane's feed. In real time (`sleeps`) each message first waits for the send window — a long batch (a rate
    /// limit, a big roster) stops when the window closes, and what is left is planned again for its next opening — and
    /// for the rate limiter, then is stamped with the clock; a simulated run stamps everything `now`.
    ///
    /// The window is judged as reconcile judges it, so `plan` and `run` agree: a closed window stops the feed when it
    /// opens again before the message's grace; when it opens only after, a calendar message goes now (a calendar must
    /// not stay wrong) and a reminder is left for planning to skip. (Stopping for a calendar message that planning
    /// says is due now had the daemon plan and stop in a loop until the event began.)
    private func prepareAhead(
        _ actions: [Action], composer: MessageComposer, now: Date, clock: @escaping @Sendable () -> Date
    ) -> LaneFeed {
        let config = workspace.config
        let window = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        let sleeps = self.sleeps
        return LaneFeed(actions) { [self] action, feed in
            if sleeps {
                let time = clock()
                let opens = window.intoWindow(time)
                if opens > time, opens < action.grace || action.kind == .reminder { return .stop(.windowClosed) }
                let slot = shared.withLock { $0.pacer.take(now: clock()) }
                if !feed.sleep(until: slot, clock: clock) { return .stop(.cancelled) }
            }
            let stamp = sleeps ? clock() : now
            var mail = composer.outgoing(for: action, now: stamp)
            if mail.recipients.count > 1 {
                // A retry goes only to those still owed the message: same bytes and Message-ID, smaller envelope.
                mail.recipients = shared.withLock { $0.journal.envelope(for: action.messageID, mail.recipients) }
            }
            return .send(.init(action: action, stamp: stamp, mail: mail))
        }
    }
}
