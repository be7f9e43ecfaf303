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

/// Carries out reconcile's actions in due order with the journal discipline: `attempt` (fsynced) before each send,
/// then `sent`, `failed` or `skipped`. If the journal cannot be written nothing more is sent.
public final class Dispatcher {
    public private(set) var workspace: Workspace
    private var composer: MessageComposer
    public let journal: FileJournal
    public private(set) var state: JournalState
    private let transport: MailTransport
    private let log: Log
    private var limiter: RateLimiter
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

    public init(
        workspace: Workspace, journal: FileJournal, records: [JournalRecord], transport: MailTransport, log: Log, sleeps: Bool,
        compactionThreshold: Int = 10_000
    ) {
        self.compactionThreshold = compactionThreshold
        self.workspace = workspace
        self.composer = MessageComposer(config: workspace.config, templates: workspace.templates)
        self.journal = journal
        self.state = JournalState(records: records)
        self.transport = transport
        self.log = log
        self.limiter = RateLimiter(rate: workspace.config.service.rate)
        self.sleeps = sleeps
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
        now: Date, clock: () -> Date = Date.init, shouldStop: () -> Bool = { false }, heartbeat: () -> Void = {}
    ) throws(RunStop) -> Plan {
        try compactIfNeeded(now: now)
        while true {
            let plan = self.plan(now: now)
            if let refusal = plan.refusal { throw .refused(refusal) }
            let due = plan.actions.prefix { $0.due <= now }
            if due.isEmpty { return plan }
            for action in due {
                if shouldStop() { return plan }
                try compactIfNeeded(now: now)
                try execute(action, now: now, clock: clock)
                heartbeat()
            }
        }
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

    func execute(_ action: Action, now: Date, clock: () -> Date) throws(RunStop) {
        let fields: KeyValuePairs<String, String> = ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "msgid": action.messageID]
        if let reason = action.skipReason {
            try record(action.skippedRecord(at: now))
            counters.skipped += 1
            log.info("skipped: \(reason)", fields)
            return
        }
        if sleeps {
            let slot = limiter.take(now: clock())
            let wait = slot.timeIntervalSince(clock())
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        let stamp = sleeps ? clock() : now
        let mail = composer.outgoing(for: action, now: stamp)
        try record(action.attemptRecord(at: stamp))
        let report: DeliveryReport
        do {
            report = try transport.send(mail)
        } catch {
            // Nothing was handed over: record it as a temporary failure so the attempt is closed, then stop.
            try record(action.failedRecord(at: stamp, code: nil, permanent: false, reply: error.message))
            counters.lastError = error.message
            log.error("sending stopped: \(error.message)", fields)
            throw .transport(error)
        }
        let principal = report.results.first { $0.address.lowercased() == action.recipient.address.lowercased() }
            ?? RecipientResult(address: action.recipient.address, outcome: .temporary, code: nil, reply: report.transportError ?? "no result")
        for other in report.results where other.address != principal.address && other.outcome != .delivered {
            log.warning("delegate copy not delivered", ["key": action.key, "cc": other.address, "smtp": other.reply])
        }
        let finished = sleeps ? clock() : now
        switch principal.outcome {
        case .delivered:
            try record(action.sentRecord(at: finished, reply: principal.reply))
            counters.countSent(at: finished, zone: workspace.config.service.timeZone)
            log.info("sent", ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "smtp": principal.reply, "msgid": action.messageID])
        case .permanent:
            try record(action.failedRecord(at: finished, code: principal.code, permanent: true, reply: principal.reply))
            counters.failed += 1
            counters.lastError = principal.reply
            log.error("failed permanently", ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "smtp": principal.reply, "msgid": action.messageID])
        case .temporary, .unknown:
            try record(action.failedRecord(at: finished, code: principal.code, permanent: false, reply: principal.reply.isEmpty ? (report.transportError ?? "") : principal.reply))
            counters.failed += 1
            counters.lastError = principal.reply.isEmpty ? report.transportError : principal.reply
            log.warning(principal.outcome == .unknown ? "delivery unknown; will resend with the same Message-ID" : "failed; will retry",
                ["key": action.key, "kind": action.kind.rawValue, "to": action.recipient.address, "smtp": principal.reply.isEmpty ? (report.transportError ?? "") : principal.reply, "msgid": action.messageID])
        }
    }
}
