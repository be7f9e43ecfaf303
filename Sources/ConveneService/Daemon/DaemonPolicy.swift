import ConveneCore
import Foundation

/// The daemon's decisions, as a value: whether to send now or wait out a pause, how long to pause after an outage,
/// whether a reloaded configuration replaces the running one, when to wake, and what STATUS= says
/// (`DaemonPolicy+Status.swift`).
///
/// No I/O and no clock: `Daemon` feeds it events (a tick, a batch's end, a reload's result, a signal) with the `now`
/// it read from its `WallClock`, and carries out the action that comes back. So the decisions are tested as
/// transcripts, input → expected action (DaemonPolicyTests), instead of by running the binary and sleeping.
public struct DaemonPolicy: Sendable {
    /// What the loop does next (`tick(now:)`).
    public enum Tick: Sendable, Equatable {
        /// A stop was asked for: leave the loop.
        case stop
        /// A reload was asked for: load the files again, then tick again.
        case reload
        /// Send what is due.
        case sendDue
        /// Sending is paused after an outage: only plan, for the status line and the wake time.
        case waitOutPause
    }

    /// How a batch ended, as the dispatcher reported it.
    public enum BatchEnd: Sendable, Equatable {
        /// It ran to the end (or was interrupted between messages); `sentAny` says whether a message went out.
        case finished(sentAny: Bool)
        /// Reconcile refused to plan, for this reason.
        case refused(String)
        /// The server refused service or could not be reached (`TransportFailure.message`).
        case outage(String)
        /// The relay answered with its own limit (`TransportFailure.relayLimit`), for this reason.
        case relayLimit(RelayLimit, String)
        /// Sending must wait until an instant (the daily cap: `TransportFailure.resumeAt`), for this reason.
        case waitUntil(Date, String)
    }

    /// What the daemon does about a batch's end.
    public enum BatchAction: Sendable, Equatable {
        /// Nothing more: report the status line and sleep until the next wake.
        case carryOn
        /// Hold all sending until a reload, and log why: the reason is new.
        case holdAllSending(String)
        /// Still held for the reason already logged.
        case stillHolding
        /// Pause sending until `until`, `retryIn` whole seconds away (logged as `retry_in`).
        case pause(until: Date, retryIn: Int, reason: String)
        /// Stop sending until a reload: the relay has blocked the mailbox (log it as an error, loudly).
        case stopUntilReload(String)
    }

    /// What loading the files again (SIGHUP) came to.
    public enum ReloadResult: Sendable, Equatable {
        /// The files loaded and the new roster may replace the running one.
        case accepted
        /// The files loaded, but the roster must not replace the running one (`shrinkProblem`, or a refused plan).
        case refused(String)
        /// The files have problems: their diagnostics, errors and warnings.
        case failed([Diagnostic])
    }

    /// What the daemon does with a reload.
    public enum ReloadAction: Sendable, Equatable {
        /// Swap in the new configuration.
        case replace
        /// Keep running on the previous configuration (STATUS= says why).
        case keepPrevious
    }

    /// What the daemon does about a signal.
    public enum SignalAction: Sendable, Equatable {
        /// The first stop: tell systemd (STOPPING=1) and log it.
        case announceStop
        /// Nothing now: the request is acted on at the next tick, or between two messages.
        case none
    }

    /// Where sending stands after outages.
    enum Outage: Sendable, Equatable {
        /// No outage since the last message sent.
        case none
        /// Sending waits until `until`; `count` outages in a row without a message sent between them.
        case paused(count: Int, until: Date, reason: String)
        /// The pause is over but nothing has been sent since: the next outage pauses for twice as long, and
        /// STATUS= keeps showing the reason as the last error.
        case resumed(count: Int, reason: String)
        /// The relay blocked the mailbox: nothing is sent until a reload (an operator has dealt with it).
        case blocked(reason: String)
    }

    /// The first pause after an outage, and the cap the doubling stops at: 30 s rides out a server restart; 15 min
    /// (after 6 outages in a row) keeps a long outage from costing more than a quarter of an hour once it ends.
    public static let defaultFirstPause: TimeInterval = 30
    /// The first pause in force: `defaultFirstPause`, or shorter for tests (`firstPause(environment:)`).
    let firstPause: TimeInterval
    static let longestPause: TimeInterval = 900

    private(set) var outage = Outage.none
    /// Why reconcile refused to plan: nothing is sent until a reload.
    private(set) var refusal: String?
    /// Why the last SIGHUP was not applied; shown in STATUS= until a reload succeeds.
    private(set) var reloadProblem: String?
    private(set) var stopRequested = false
    private(set) var reloadRequested = false
    /// The last STATUS= text and when it was reported.
    /// (Set by `report` and `announced` in DaemonPolicy+Status.swift.)
    var lastStatus: (text: String, at: Date)?
    /// systemd's `WATCHDOG_USEC` halved (`SystemdNotifier.watchdogInterval`); nil without a watchdog.
    let watchdogInterval: TimeInterval?
    private(set) var lastWatchdog = Date.distantPast

    /// A policy for a daemon that has just started; `firstPause` is the first outage pause (30 s unless a test
    /// shortens it).
    public init(watchdogInterval: TimeInterval?, firstPause: TimeInterval = DaemonPolicy.defaultFirstPause) {
        self.watchdogInterval = watchdogInterval
        self.firstPause = firstPause
    }

    /// `$CONVENE_OUTAGE_PAUSE` (whole seconds, 1 to 30) so tests need not wait 30 s for an outage pause to end;
    /// anything else, or nothing, is the default. Never longer than the default.
    public static func firstPause(environment value: String?) -> TimeInterval {
        guard let value, let seconds = Int(value), (1...Int(defaultFirstPause)).contains(seconds) else {
            return defaultFirstPause
        }
        return TimeInterval(seconds)
    }

    /// True while a stop or a reload waits to be acted on: a batch ends after the message in flight.
    public var hasPendingRequest: Bool { stopRequested || reloadRequested }

    /// The loop's next step at `now`: a stop, then a reload, come before sending; a pause that has not ended only
    /// plans. A pause that has ended is over, but its count stays until a message is sent.
    public mutating func tick(now: Date) -> Tick {
        if stopRequested { return .stop }
        if reloadRequested {
            reloadRequested = false
            return .reload
        }
        if case .paused(let count, let until, let reason) = outage {
            if now < until { return .waitOutPause }
            outage = .resumed(count: count, reason: reason)
        }
        if case .blocked = outage { return .waitOutPause }
        return .sendDue
    }

    /// Takes in how a batch ended, at `now` (read after the batch: a pause counts from when the outage was seen).
    public mutating func batchEnded(_ end: BatchEnd, now: Date) -> BatchAction {
        switch end {
        case .finished(let sentAny):
            refusal = nil
            // Only a message actually handed over proves the server is back: a batch of skips does not.
            if sentAny { outage = .none }
            return .carryOn
        case .refused(let reason):
            defer { refusal = reason }
            return refusal == reason ? .stillHolding : .holdAllSending(reason)
        case .waitUntil(let until, let reason):
            outage = .paused(count: 0, until: until, reason: reason)
            return .pause(until: until, retryIn: max(0, Int(until.timeIntervalSince(now).rounded(.up))), reason: reason)
        case .relayLimit(let limit, let reason):
            guard let pause = limit.pause else {
                outage = .blocked(reason: reason)
                return .stopUntilReload(reason)
            }
            // The relay said how long to keep away: its pause, not the doubling of an outage (which starts again
            // from its first step afterwards).
            let until = now.addingTimeInterval(pause)
            outage = .paused(count: 0, until: until, reason: reason)
            return .pause(until: until, retryIn: Int(pause), reason: reason)
        case .outage(let reason):
            let count: Int
            switch outage {
            case .none, .blocked: count = 1
            case .paused(let previous, _, _), .resumed(let previous, _): count = previous + 1
            }
            let delay = Backoff.pause(after: count, first: firstPause, longest: Self.longestPause)
            let until = now.addingTimeInterval(delay)
            outage = .paused(count: count, until: until, reason: reason)
            return .pause(until: until, retryIn: Int(delay), reason: reason)
        }
    }

    /// Takes in a reload's result: anything short of `.accepted` keeps the running configuration, and STATUS= says
    /// why until a reload succeeds. An accepted reload also lifts a refusal: the new files are planned afresh.
    public mutating func reloaded(_ result: ReloadResult) -> ReloadAction {
        switch result {
        case .accepted:
            reloadProblem = nil
            refusal = nil
            if case .blocked = outage { outage = .none }
            return .replace
        case .refused(let problem):
            reloadProblem = "reload refused: \(problem); running on the previous configuration"
            return .keepPrevious
        case .failed(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            let first = errors.first.map { " (first: \($0.file):\($0.line):\($0.column): \($0.message))" } ?? ""
            let count = "\(errors.count) error\(errors.count == 1 ? "" : "s")"
            reloadProblem = "reload failed with \(count)\(first); running on the previous configuration"
            return .keepPrevious
        }
    }

    /// Takes in a signal; a repeated stop is not announced twice.
    public mutating func signalled(_ event: SignalPipe.Event) -> SignalAction {
        switch event {
        case .stop:
            if stopRequested { return .none }
            stopRequested = true
            return .announceStop
        case .reload:
            reloadRequested = true
            return .none
        }
    }

    /// True when a watchdog ping is due at `now`, and then counts it as sent. Due at 90% of the interval, so a ping
    /// made at the end of a long poll is not late.
    public mutating func watchdogPing(now: Date) -> Bool {
        guard let watchdogInterval, now.timeIntervalSince(lastWatchdog) >= watchdogInterval * 0.9 else { return false }
        lastWatchdog = now
        return true
    }

    /// When the loop must next wake for sending: the first due action, but not before a pause ends; nil (until a
    /// signal) when reconcile refused to plan or nothing is planned.
    public func wakeTime(_ plan: PlanSummary) -> Date? {
        guard plan.refusal == nil else { return nil }
        if case .blocked = outage { return nil }
        let next = plan.next?.due
        guard case .paused(_, let until, _) = outage else { return next }
        return max(next ?? until, until)
    }

    /// When the loop's poll must return: the earliest of the next watchdog ping and, when there is no wall-clock
    /// timer to wake it, `wake`. nil: only a signal (or the timer) ends the sleep.
    public func pollDeadline(wake: Date?, wallClockTimer: Bool) -> Date? {
        let watchdog = watchdogInterval.map { lastWatchdog.addingTimeInterval($0) }
        let sending = wallClockTimer ? nil : wake
        return [watchdog, sending].compactMap { $0 }.min()
    }

    /// Why a newly loaded roster must not replace the running one: it lost a larger share of the running one's
    /// `old` people than `limit` (`max_roster_shrink`, e.g. 0.1). The new file's limit applies, so an admin who
    /// means a big change raises the limit in the same edit.
    public static func shrinkProblem(old: Int, new: Int, limit: Double) -> String? {
        guard old > 0, Double(old - new) / Double(old) > limit else { return nil }
        let percent = Int((limit * 100).rounded())
        return "the roster shrank from \(old) to \(new) people, more than max_roster_shrink \(percent)%"
    }
}
