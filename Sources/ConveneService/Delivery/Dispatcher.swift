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
public final class Dispatcher {
    public private(set) var workspace: Workspace
    private var composer: MessageComposer
    public let journal: FileJournal
    public private(set) var state: JournalState
    private let transports: [MailTransport]
    private let log: Log
    private var limiter: RateLimiter
    /// Guards `state`, `counters`, `limiter` and `failure` while lanes run.
    private let lock = NSLock()
    /// The first failure that stops all lanes.
    private var failure: RunStop?
    /// Set when the lanes must stop after their current message (SIGTERM, or another lane's failure).
    private var stopLanes = false
    /// Set when a lane stopped because the send window closed during the batch.
    private var windowClosed = false
    /// Real mode waits for the rate limiter; simulated runs (`--until`) do not.
    private let sleeps: Bool
    public private(set) var counters = Counters()
    /// Compaction runs once the journal has grown by this many lines since the last one (or by as many lines as
    /// that one kept, if more, so rewriting a journal that stays large costs time in proportion to its growth).
    public let compactionThreshold: Int
    /// Lines the last compaction kept; 0 before the first, so a large journal is compacted at start.
    private var linesAfterCompaction = 0

    /// What the daemon reports in STATUS= and `run` prints at the end.
    public struct Counters: Sendable {
        public var sent = 0
        public var failed = 0
        public var skipped = 0
        public var lastError: String?
        /// Local day and count of messages sent on it, for "sent today".
        var today: (LocalDate, Int)?

        mutating func countSent(at time: Date, zone: TimeZone) {
            sent += 1
            let day = LocalDateTime(instant: time, in: zone).date
            today = (day, today?.0 == day ? today!.1 + 1 : 1)
        }

        public func sentToday(now: Date, zone: TimeZone) -> Int {
            guard let today, today.0 == LocalDateTime(instant: now, in: zone).date else { return 0 }
            return today.1
        }
    }

    /// One transport per connection: `transports.count` lanes send at once.
    public init(
        workspace: Workspace, journal: FileJournal, records: [JournalRecord], transports: [MailTransport], log: Log,
        sleeps: Bool, compactionThreshold: Int = 10_000
    ) {
        precondition(!transports.isEmpty, "a dispatcher needs at least one transport")
        self.compactionThreshold = compactionThreshold
        self.workspace = workspace
        self.composer = MessageComposer(config: workspace.config, templates: workspace.templates)
        self.journal = journal
        self.state = JournalState(records: records)
        self.transports = transports
        self.log = log
        self.limiter = RateLimiter(rate: workspace.config.service.rate)
        self.sleeps = sleeps
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

    /// Swaps in a newly loaded configuration (SIGHUP); the journal state carries over.
    public func replace(_ workspace: Workspace) {
        self.workspace = workspace
        self.composer = MessageComposer(config: workspace.config, templates: workspace.templates)
        self.limiter = RateLimiter(rate: workspace.config.service.rate)
    }

    public func plan(now: Date) -> Plan {
        Reconciler(config: workspace.config, roster: workspace.roster, audience: workspace.audience, state: state).plan(now: now)
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
        while true {
            let plan = self.plan(now: now)
            if let refusal = plan.refusal { throw .refused(refusal) }
            let due = plan.actions.prefix { $0.due <= now }
            if due.isEmpty { return plan }
            var sends: [Action] = []
            for action in due {
                if let reason = action.skipReason {
                    try record(action.skippedRecord(at: now))
                    counters.skipped += 1
                    log.info("skipped: \(reason)", ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "msgid": action.messageID])
                } else {
                    sends.append(action)
                }
            }
            let stopped = try deliver(sends, now: now, clock: clock, shouldStop: shouldStop, heartbeat: heartbeat)
            // When the window closed mid-batch, the caller plans again with its clock (the rest moves to the opening).
            if stopped || lock.withLock({ windowClosed }) { return plan }
            try compactIfNeeded(now: now)
        }
    }

    /// Sends `actions` over the lanes; returns true when stopped early by `shouldStop`.
    func deliver(
        _ actions: [Action], now: Date, clock: @escaping @Sendable () -> Date, shouldStop: () -> Bool,
        heartbeat: () -> Void
    ) throws(RunStop) -> Bool {
        guard !actions.isEmpty else { return false }
        failure = nil
        stopLanes = false
        windowClosed = false
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
            runLane(lanes[0], transport: transports[0], composer: composer, now: now, clock: clock) {
                heartbeat()
                if shouldStop() { userStop = true }
                return userStop
            }
        } else {
            let done = LaneCount(count)
            let config = workspace.config
            let templates = workspace.templates
            for (index, lane) in lanes.enumerated() {
                let transport = transports[index]
                // DateFormatter is not safe to share between threads: each lane renders with its own composer.
                let composer = index == 0 ? self.composer : MessageComposer(config: config, templates: templates)
                let box = UncheckedBox((lane, transport, composer, self))
                Thread.detachNewThread {
                    Thread.current.name = "lane-\(index)"
                    let (lane, transport, composer, dispatcher) = box.value
                    dispatcher.runLane(lane, transport: transport, composer: composer, now: now, clock: clock) { false }
                    done.finishOne()
                }
            }
            // This thread stays free for the watchdog and signals while the lanes send.
            while !done.wait(seconds: 0.2) {
                heartbeat()
                if !userStop && shouldStop() {
                    userStop = true
                    lock.withLock { stopLanes = true }
                }
            }
            heartbeat()
        }
        if let failure = lock.withLock({ failure }) { throw failure }
        return userStop
    }

    /// Rewrites the journal with only what planning still needs (`JournalCompaction`) once it has grown enough.
    /// Runs between messages, never between an attempt and its outcome. A failure stops sending: the journal
    /// cannot be trusted to take the next record.
    func compactIfNeeded(now: Date) throws(RunStop) {
        let grown = journal.lineCount - linesAfterCompaction
        guard grown >= max(compactionThreshold, linesAfterCompaction) else { return }
        let before = journal.lineCount
        do {
            let records = try FileJournal.read(directory: journal.directory).records
            let kept = JournalCompaction.compacted(records, now: now)
            try journal.compact(to: kept)
            // The fold of what was kept plans the same as the full journal, without the past's memory.
            state = JournalState(records: kept)
            linesAfterCompaction = kept.count
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
        state.apply(record)
    }

    /// Records the first failure and tells every lane to stop after its current message.
    private func stop(_ reason: RunStop) {
        lock.withLock {
            if failure == nil { failure = reason }
            stopLanes = true
        }
    }

    /// Writes a record for a lane without waiting for the disk; nil (after stopping everything) if it failed.
    private func write(_ record: JournalRecord, lazy: Bool = false) -> UInt64? {
        do {
            let ticket = try journal.write([record], lazy: lazy)
            lock.withLock { state.apply(record) }
            return ticket
        } catch {
            log.error("journal write failed; sending stops", ["error": error.description])
            stop(.journal(error))
            return nil
        }
    }

    /// One connection's share of the due messages, in due order. `between` is asked before each message whether
    /// to stop (never during one). The lane's feed prepares each message (window, rate limit, rendering) one step
    /// ahead on its own thread, so this thread only journals and sends.
    func runLane(
        _ actions: [Action], transport: MailTransport, composer: MessageComposer, now: Date,
        clock: @escaping @Sendable () -> Date, between: () -> Bool
    ) {
        var lastTicket: UInt64 = 0
        var unansweredInARow = 0
        let feed = prepareAhead(actions, composer: composer, now: now, clock: clock)
        defer {
            feed.cancel()
            // Everything this lane wrote is on disk before it reports done.
            do { try journal.waitDurable(lastTicket) } catch { stop(.journal(error)) }
        }
        while true {
            if between() || lock.withLock({ stopLanes }) { return }
            guard let prepared = feed.next() else {
                if feed.finish == .windowClosed { lock.withLock { windowClosed = true } }
                return
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
            let report: DeliveryReport
            do {
                report = try transport.send(prepared.mail) { [journal] in (try? journal.waitDurable(previousOutcome)) != nil }
            } catch {
                // Nothing was handed over: close the attempt as a temporary failure, then stop.
                if let ticket = write(action.failedRecord(at: stamp, code: nil, permanent: false, reply: error.message)) { lastTicket = ticket }
                lock.withLock { counters.lastError = error.message }
                log.error("sending stopped: \(error.message)", ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "msgid": action.messageID])
                stop(.transport(error))
                return
            }
            // The outcome goes to the journal first: its sync is what the next message's final dot waits for.
            let finished = sleeps ? clock() : now
            let result = outcome(of: action, report, at: finished)
            let written = write(result.record)
            account(for: action, report, result, at: finished)
            guard let ticket = written else { return }
            lastTicket = ticket
            // A server that never answers (refused, unreachable, timed out before any reply) is an outage, not a
            // problem with these messages: after a few in a row, stop and let the caller pause, rather than
            // failing every due message one by one.
            let unanswered = report.results.allSatisfy { $0.outcome == .temporary && $0.code == nil }
            unansweredInARow = unanswered ? unansweredInARow + 1 : 0
            if unansweredInARow >= Dispatcher.outageThreshold {
                let reason = report.transportError ?? "no reply"
                log.error("the SMTP server cannot be reached; sending stops", ["error": reason])
                stop(.transport(TransportFailure(kind: .temporary, message: "the SMTP server cannot be reached: \(reason)")))
                return
            }
        }
    }

    /// The lane's feed. In real time (`sleeps`) each message first waits for the send window — a long batch (a rate
    /// limit, a big roster) stops when the window closes, and what is left is planned again for its next opening — and
    /// for the rate limiter, then is stamped with the clock; a simulated run stamps everything `now`.
    private func prepareAhead(
        _ actions: [Action], composer: MessageComposer, now: Date, clock: @escaping @Sendable () -> Date
    ) -> LaneFeed {
        let window = DueTime(zone: workspace.config.service.timeZone, window: workspace.config.service.sendWindow)
        let sleeps = self.sleeps
        let box = UncheckedBox((composer, self))
        return LaneFeed(actions) { action, feed in
            let (composer, dispatcher) = box.value
            if sleeps {
                let time = clock()
                // Closed: wait for the opening, unless it comes only after the grace. Then reconcile plans the message
                // at once, and stopping here would have the daemon plan it, due now, again and again until the grace.
                let opens = window.intoWindow(time)
                if opens > time, opens < action.grace { return .stop(.windowClosed) }
                let slot = dispatcher.lock.withLock { dispatcher.limiter.take(now: clock()) }
                if !feed.sleep(until: slot, clock: clock) { return .stop(.cancelled) }
            }
            let stamp = sleeps ? clock() : now
            return .send(.init(action: action, stamp: stamp, mail: composer.outgoing(for: action, now: stamp)))
        }
    }

    /// Messages in a row without any SMTP reply after which a lane treats the server as down.
    static let outageThreshold = 5

    /// What a send came to for its principal recipient: the journal record, the recipient's result and the reply text.
    private struct Outcome {
        let record: JournalRecord
        let principal: RecipientResult
        let reply: String
    }

    /// The outcome for the principal recipient.
    private func outcome(of action: Action, _ report: DeliveryReport, at finished: Date) -> Outcome {
        let principal = report.results.first { $0.address.lowercased() == action.recipient.address.lowercased() }
            ?? RecipientResult(address: action.recipient.address, outcome: .temporary, code: nil, reply: report.transportError ?? "no result")
        let reply = principal.reply.isEmpty ? (report.transportError ?? "") : principal.reply
        let record: JournalRecord
        switch principal.outcome {
        case .delivered: record = action.sentRecord(at: finished, reply: principal.reply)
        case .permanent: record = action.failedRecord(at: finished, code: principal.code, permanent: true, reply: reply)
        case .temporary, .unknown: record = action.failedRecord(at: finished, code: principal.code, permanent: false, reply: reply)
        }
        return Outcome(record: record, principal: principal, reply: reply)
    }

    /// Counters and log lines for an outcome (logged even if its record could not be written: the server's verdict
    /// is a fact the admin needs either way).
    private func account(for action: Action, _ report: DeliveryReport, _ result: Outcome, at finished: Date) {
        let (principal, reply) = (result.principal, result.reply)
        for other in report.results where other.address != principal.address && other.outcome != .delivered {
            log.warning("delegate copy not delivered", ["key": action.key, "cc": other.address, "smtp": other.reply])
        }
        let fields: KeyValuePairs<String, String> = ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "smtp": reply, "msgid": action.messageID]
        switch principal.outcome {
        case .delivered:
            lock.withLock { counters.countSent(at: finished, zone: workspace.config.service.timeZone) }
            log.info("sent", fields)
        case .permanent:
            lock.withLock {
                counters.failed += 1
                counters.lastError = reply
            }
            log.error("failed permanently", fields)
        case .temporary, .unknown:
            lock.withLock {
                counters.failed += 1
                counters.lastError = reply
            }
            log.warning(principal.outcome == .unknown ? "delivery unknown; will resend with the same Message-ID" : "failed; will retry", fields)
        }
    }
}

/// Counts lanes still running; the dispatching thread waits on it in short slices.
private final class LaneCount: @unchecked Sendable {
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
