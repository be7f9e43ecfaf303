import CLinux
import ConveneCore
import Foundation
import Glibc

/// Writes the programme's site into a folder at `now` from the files and the journal's state; returns the files
/// written (`Publisher.publish` with the daemon's state folder).
public typealias Republisher = (Workspace, JournalState, String, Date) throws(PublishError) -> [String]

/// The long-running service: send what is due, then sleep on a wall-clock timer until the next action, a signal,
/// or a watchdog ping is due. No polling: between those the process uses no CPU.
///
/// Only a journal that cannot be written stops it (nothing may be sent that cannot be recorded). Everything else
/// is reported in `STATUS=` and the log while it keeps running: a reload with errors keeps the previous
/// configuration, a refused roster holds all sending until a reload fixes it, and an unreachable SMTP server
/// pauses sending with a capped backoff instead of exiting into a restart loop.
public final class Daemon {
    private let dispatcher: Dispatcher
    private let reload: () -> Result<Workspace, LoadFailure>
    private let log: Log
    private let notifier: SystemdNotifier
    private let clock: WallClock
    /// Every decision and everything the loop remembers between iterations; this class only carries them out.
    private var policy: DaemonPolicy
    /// When the organizer's mailbox is next read (`replies:`), and how the last passes went; nil without the block.
    private var replyPolling: ReplyPolling?
    /// The process environment, for the IMAP password's systemd credential.
    private let environment: [String: String]
    /// Writes the programme's site after a change (`service.publish`); nil publishes nothing.
    private let publish: Republisher?
    /// True when the programme may have changed since the site was last written: at start, after an accepted reload,
    /// and after a batch that sent calendar messages.
    private var publishPending = true

    /// A daemon sending with `dispatcher`; `reload` loads the files again on SIGHUP, `clock` is the one source of
    /// the current time (`.system` in the binary); `publish`, when given, writes the programme's site into
    /// `service.publish` at start and after every accepted reload and every batch that sent calendar messages.
    public init(
        dispatcher: Dispatcher, reload: @escaping () -> Result<Workspace, LoadFailure>, log: Log,
        notifier: SystemdNotifier = SystemdNotifier(), clock: WallClock = .system,
        environment: [String: String] = ProcessInfo.processInfo.environment, publish: Republisher? = nil
    ) {
        self.environment = environment
        self.publish = publish
        self.dispatcher = dispatcher
        self.reload = reload
        self.log = log
        self.notifier = notifier
        self.clock = clock
        self.policy = DaemonPolicy(
            watchdogInterval: notifier.watchdogInterval,
            firstPause: DaemonPolicy.firstPause(environment: environment["CONVENE_OUTAGE_PAUSE"]))
    }

    /// Runs until SIGTERM/SIGINT and returns normally then; throws only when the journal cannot be written.
    public func run() throws(RunStop) {
        let signals = SignalPipe.install()
        let timer = clinux_wall_timer()
        defer { if timer >= 0 { close(timer) } }
        if timer < 0 {
            log.warning(
                "no wall-clock timer; sleeping on the monotonic clock", ["error": String(cString: strerror(errno))])
        }
        log.info(
            "started",
            [
                "config": dispatcher.workspace.config.file, "journal": dispatcher.journal.path,
                "watchdog": notifier.watchdogInterval.map { "\(Int($0 * 2_000))ms" } ?? "off",
            ])
        // READY as soon as the files are loaded, before the first plan: planning a national roster takes seconds,
        // and a backlog at 30 messages a minute can outlast systemd's start timeout. The first batch's STATUS=
        // follows. (A refusal is logged by the first sendDue.)
        let status = DaemonPolicy.startingLine(people: dispatcher.workspace.roster.people.count)
        notifier.ready(status: status)
        policy.announced(status, now: clock.now())
        loop: while true {
            do {
                try readRepliesIfDue()
            } catch {
                notifier.send(["STATUS=\(DaemonPolicy.stoppedLine(error))", "STOPPING=1"])
                throw error
            }
            let plan: PlanSummary
            switch policy.tick(now: clock.now()) {
            case .stop:
                break loop
            case .reload:
                reloadConfiguration()
                continue loop
            case .waitOutPause:
                plan = PlanSummary(dispatcher.plan(now: clock.now()))
            case .sendDue:
                do {
                    plan = try sendDue()
                } catch {
                    // The journal cannot be written: say why before exiting, so `systemctl status` shows it.
                    notifier.send(["STATUS=\(DaemonPolicy.stoppedLine(error))", "STOPPING=1"])
                    throw error
                }
                if policy.hasPendingRequest { continue loop }
            }
            republishIfPending()
            report(withReplies(policy.statusLine(plan, tally, zone: zone, now: clock.now())))
            let wake = [policy.wakeTime(plan), replyPolling?.nextPass].compactMap { $0 }.min()
            clinux_release_free_memory()
            pingWatchdog()
            sleep(until: wake, signals: signals, timer: timer)
        }
        log.info("stopped", ["sent": "\(dispatcher.counters.sent)", "failed": "\(dispatcher.counters.failed)"])
    }

    /// One batch of due actions. Signals are looked at between messages, never during one: a stop or a reload
    /// ends the batch after the message in flight and its journal record. Only the summary outlives the plan: a
    /// national plan is hundreds of megabytes, and the daemon should not sleep on it.
    private func sendDue() throws(RunStop) -> PlanSummary {
        let now = clock.now()
        let sentBefore = dispatcher.counters.sent
        do {
            let plan = try dispatcher.runDue(
                now: now, clock: clock.now,
                shouldStop: { [unowned self] in
                    if SignalPipe.hasPending { takeSignals() }
                    return policy.hasPendingRequest
                },
                heartbeat: { [unowned self] in
                    pingWatchdog()
                    // A long batch still tells systemd what it is doing, a few times a minute at most.
                    if policy.progressDue(now: clock.now()) { report(DaemonPolicy.progressLine(tally)) }
                })
            let sentAny = dispatcher.counters.sent > sentBefore
            // Only calendar messages change the programme (a reminder batch would re-read the journal and history
            // and rewrite the same site).
            if sentAny && plan.actions.prefix(while: { $0.due <= now }).contains(where: { $0.kind.isCalendar }) {
                publishPending = true
            }
            _ = policy.batchEnded(.finished(sentAny: sentAny), now: clock.now())
            return PlanSummary(plan)
        } catch {
            switch error {
            case .journal:
                throw error
            case .refused(let reason):
                if case .holdAllSending = policy.batchEnded(.refused(reason), now: clock.now()) {
                    log.error("holding all sending until a reload", ["reason": reason])
                }
                return PlanSummary(dispatcher.plan(now: now))  // carries the same refusal and no actions
            case .transport(let failure):
                let after = clock.now()
                let end: DaemonPolicy.BatchEnd =
                    failure.resumeAt.map { .waitUntil($0, failure.message) }
                    ?? failure.relayLimit.map { .relayLimit($0, failure.message) } ?? .outage(failure.message)
                switch policy.batchEnded(end, now: after) {
                case .pause(_, let retryIn, _):
                    log.error("sending paused", ["error": failure.message, "retry_in": "\(retryIn)s"])
                case .stopUntilReload(let reason):
                    log.error(
                        "sending stopped until a reload: the relay has blocked the mailbox; find the cause (see the "
                            + "failures in `convene status`), ask the relay's admin to lift the block, then "
                            + "`systemctl reload convene`", ["error": reason])
                default:
                    break
                }
                return PlanSummary(dispatcher.plan(now: after))
            }
        }
    }

    /// Reads the organizer's mailbox when a pass is due (`replies:`, every `replies.every`, backing off after a
    /// failure as `ReplyPolling` says). Runs between batches on this thread, so its journal records never meet a
    /// compaction; what it journals is folded into the dispatcher's state before the next plan. A mailbox that cannot
    /// be read is a status line and a log line, never a stop; only a journal that cannot be written stops the daemon.
    private func readRepliesIfDue() throws(RunStop) {
        let workspace = dispatcher.workspace
        guard let replies = workspace.config.replies else {
            replyPolling = nil
            return
        }
        let now = clock.now()
        if replyPolling?.interval != TimeInterval(max(1, replies.every)) {
            replyPolling = ReplyPolling(interval: TimeInterval(replies.every), now: now)
        }
        guard var polling = replyPolling, polling.isDue(now: now) else { return }
        defer { replyPolling = polling }
        func failed(_ reason: String) {
            let (_, retryIn) = polling.passFailed(reason, now: clock.now())
            log.error("reading replies failed", ["error": reason, "retry_in": "\(retryIn)s"])
        }
        let handled: [RepliesReader.Handled]
        let failure: RepliesReader.Failure?
        do throws(MailboxError) {
            let settings = try IMAPSettings.settings(for: workspace, environment: environment)
            let reader = RepliesReader(processed: settings.processed, needsAttention: settings.needsAttention)
            let directory = dispatcher.journal.directory
            (handled, failure) = reader.pass(
                source: try IMAPMailbox(settings: settings), journal: dispatcher.journal,
                records: { () throws(JournalError) in try FileJournal.read(directory: directory).records },
                people: workspace.roster.people, now: now)
        } catch {
            failed(error.description)
            return
        }
        dispatcher.absorb(handled.flatMap(\.records))
        for item in handled where !item.records.isEmpty {
            log.info(
                "reply", ["outcome": item.outcome, "attendee": item.reply?.attendee ?? "", "mail": item.id])
        }
        switch failure {
        case .none:
            polling.passSucceeded(now: clock.now())
            if !handled.isEmpty { log.info("replies read", ["messages": "\(handled.count)"]) }
        case .mailbox(let error):
            failed(error.description)
        case .journal(let error):
            log.error("the journal failed while reading replies; sending stops", ["error": error.description])
            throw .journal(error)
        }
    }

    /// The status line with the mailbox's trouble after it, while reading replies fails.
    private func withReplies(_ status: String) -> String {
        guard let line = replyPolling?.statusLine() else { return status }
        return status + "; " + line
    }

    /// Sleeps until `wake` (on the wall clock: a clock change or a resume from suspend wakes it too), a signal, or
    /// the next watchdog ping. With no watchdog and nothing planned it sleeps until a signal.
    private func sleep(until wake: Date?, signals: Int32, timer: Int32) {
        if timer >= 0 { _ = clinux_arm_wall_timer(timer, wake.map { max($0.timeIntervalSince1970, 0.000_001) } ?? 0) }
        while true {
            let deadline = policy.pollDeadline(wake: wake, wallClockTimer: timer >= 0)
            let timeout = deadline.map { milliseconds($0.timeIntervalSince(clock.now())) } ?? -1
            var fds = [
                pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                pollfd(fd: timer, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                log.error("poll failed", ["error": String(cString: strerror(errno))])
                return
            }
            if fds[0].revents != 0 {
                takeSignals()
                return
            }
            if fds[1].revents != 0 {
                // Fired, or the clock was set (ECANCELED on read): either way, plan again now.
                var expirations: UInt64 = 0
                _ = read(timer, &expirations, 8)
                return
            }
            pingWatchdog()
            if timer < 0, let wake, clock.now() >= wake { return }
        }
    }

    /// Whole milliseconds for poll(2): at least 1, so a deadline a moment away is not a busy loop.
    private func milliseconds(_ seconds: TimeInterval) -> Int32 {
        Int32(min(max(1, (seconds * 1000).rounded(.up)), Double(Int32.max)))
    }

    /// Turns pending signals into requests; STOPPING=1 goes out as soon as a stop is seen.
    private func takeSignals() {
        for event in SignalPipe.drain() {
            guard policy.signalled(event) == .announceStop else { continue }
            notifier.stopping()
            log.info("stopping")
        }
    }

    /// Writes the site when the programme may have changed; a failure is logged and tried again after the next
    /// change (sending never waits on publishing).
    private func republishIfPending() {
        guard publishPending, let publish else { return }
        publishPending = false
        let workspace = dispatcher.workspace
        guard let directory = workspace.config.service.publish.map(workspace.resolve) else { return }
        do {
            let files = try publish(workspace, dispatcher.state, directory, clock.now())
            log.info("published", ["directory": directory, "files": "\(files.count)"])
        } catch {
            log.error("publishing failed", ["directory": directory, "error": error.description])
        }
    }

    private func pingWatchdog() {
        if policy.watchdogPing(now: clock.now()) { notifier.watchdog() }
    }

    /// Sends STATUS= when it changed.
    private func report(_ status: String) {
        if let changed = policy.report(status, now: clock.now()) { notifier.status(changed) }
    }

    /// SIGHUP: load everything again; on any problem keep the running configuration and say so.
    private func reloadConfiguration() {
        notifier.reloading()
        switch reload() {
        case .success(let workspace):
            if let problem = shrinkProblem(workspace) {
                _ = policy.reloaded(.refused(problem))
                log.error("reload refused; running on the previous configuration", ["reason": problem])
            } else {
                if workspace.config.smtp != dispatcher.workspace.config.smtp {
                    log.warning("smtp settings changed; they take effect when convene restarts")
                }
                _ = policy.reloaded(.accepted)
                dispatcher.replace(workspace)
                publishPending = true
                for warning in workspace.warnings { log.warning(warning.description) }
                log.info("reloaded", ["config": workspace.config.file, "people": "\(workspace.roster.people.count)"])
            }
        case .failure(let failure):
            for d in failure.diagnostics {
                // Compiler-style, one line per diagnostic; the hint becomes a field so the line stays readable.
                let text = "\(d.file):\(d.line):\(d.column): \(d.severity.rawValue): \(d.message)"
                log(d.severity == .error ? .error : .warning, text, d.hint.map { ["hint": $0] } ?? [:])
            }
            _ = policy.reloaded(.failed(failure.diagnostics))
            let errors = failure.diagnostics.count { $0.severity == .error }
            log.error(
                "reload failed; running on the previous configuration",
                ["config": dispatcher.workspace.config.file, "errors": "\(errors)"])
        }
        let now = clock.now()
        let status = policy.statusLine(PlanSummary(dispatcher.plan(now: now)), tally, zone: zone, now: now)
        notifier.send(["READY=1", "STATUS=\(status)"])
        policy.announced(status, now: now)
    }

    /// Why a newly loaded roster must not replace the running one: it shrank more than `max_roster_shrink` allows
    /// (`DaemonPolicy.shrinkProblem`), or reconcile would refuse it (too many invited people gone).
    private func shrinkProblem(_ workspace: Workspace) -> String? {
        if let problem = DaemonPolicy.shrinkProblem(
            old: dispatcher.workspace.roster.people.count, new: workspace.roster.people.count,
            limit: workspace.config.service.maxRosterShrink)
        {
            return problem
        }
        let trial = Reconciler(
            config: workspace.config, roster: workspace.roster, audience: workspace.audience, state: dispatcher.state)
        return trial.plan(now: clock.now()).refusal
    }

    private var zone: TimeZone { dispatcher.workspace.config.service.timeZone }

    /// The counters as the status line shows them, read now.
    private var tally: DaemonPolicy.Tally {
        let counters = dispatcher.counters
        return DaemonPolicy.Tally(
            sentToday: counters.sentToday(now: clock.now(), zone: zone), failed: counters.failed,
            lastError: counters.lastError)
    }
}
