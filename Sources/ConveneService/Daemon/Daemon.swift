import CLinux
import ConveneCore
import Foundation
import Glibc

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
    private var lastWatchdog = Date.distantPast
    private var lastStatus: (text: String, at: Date)?
    /// Why the last SIGHUP was not applied; shown in STATUS= until a reload succeeds.
    private var reloadProblem: String?
    /// Reconcile refused to plan (the roster dropped too many invited people): nothing is sent until a reload.
    private var refusal: String?
    /// After a failure that stops all sending (server unreachable, credentials refused), sending waits until then.
    private var pausedUntil: Date?
    private var pauses = 0
    private var pauseReason: String?
    private var stopRequested = false
    private var reloadRequested = false

    public init(
        dispatcher: Dispatcher, reload: @escaping () -> Result<Workspace, LoadFailure>, log: Log,
        notifier: SystemdNotifier = SystemdNotifier()
    ) {
        self.dispatcher = dispatcher
        self.reload = reload
        self.log = log
        self.notifier = notifier
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
        let status = "planning for \(dispatcher.workspace.roster.people.count) people"
        notifier.ready(status: status)
        lastStatus = (status, Date())
        while !stopRequested {
            if reloadRequested {
                reloadRequested = false
                reloadConfiguration()
            }
            let wake: Date?
            do {
                // Only the status line and the wake time outlive the plan: a national plan is hundreds of
                // megabytes, and the daemon should not sleep on it.
                let plan = try sendDue()
                if stopRequested { break }
                if reloadRequested { continue }
                report(statusLine(plan))
                wake = wakeTime(plan)
            } catch {
                // The journal cannot be written: say why before exiting, so `systemctl status` shows it.
                notifier.send(["STATUS=stopped: \(Log.clean(error.description))", "STOPPING=1"])
                throw error
            }
            clinux_release_free_memory()
            pingWatchdog()
            sleep(until: wake, signals: signals, timer: timer)
        }
        log.info("stopped", ["sent": "\(dispatcher.counters.sent)", "failed": "\(dispatcher.counters.failed)"])
    }

    /// One batch of due actions. Signals are looked at between messages, never during one: a stop or a reload
    /// ends the batch after the message in flight and its journal record.
    private func sendDue() throws(RunStop) -> Plan {
        let now = Date()
        if let pausedUntil, now < pausedUntil { return dispatcher.plan(now: now) }
        pausedUntil = nil
        let sentBefore = dispatcher.counters.sent
        do {
            let plan = try dispatcher.runDue(
                now: now,
                shouldStop: { [unowned self] in
                    if SignalPipe.hasPending { takeSignals() }
                    return stopRequested || reloadRequested
                },
                heartbeat: { [unowned self] in
                    pingWatchdog()
                    // A long batch still tells systemd what it is doing, a few times a minute at most.
                    if Date().timeIntervalSince(lastStatus?.at ?? .distantPast) >= 5 {
                        report("sending due messages; sent today \(sentToday); failed \(dispatcher.counters.failed)")
                    }
                })
            refusal = nil
            if dispatcher.counters.sent > sentBefore {
                pauses = 0
                pauseReason = nil
            }
            return plan
        } catch {
            switch error {
            case .journal:
                throw error
            case .refused(let reason):
                if refusal != reason { log.error("holding all sending until a reload", ["reason": reason]) }
                refusal = reason
                return dispatcher.plan(now: now)  // carries the same refusal and no actions
            case .transport(let failure):
                pauses += 1
                let delay = min(30 * pow(2, Double(pauses - 1)), 900)
                pausedUntil = Date().addingTimeInterval(delay)
                pauseReason = failure.message
                log.error("sending paused", ["error": failure.message, "retry_in": "\(Int(delay))s"])
                return dispatcher.plan(now: Date())
            }
        }
    }

    /// When the loop must next wake for sending: the first due action, but not before a pause ends.
    private func wakeTime(_ plan: Plan) -> Date? {
        guard plan.refusal == nil else { return nil }
        let next = plan.actions.first?.due
        guard let pausedUntil else { return next }
        return max(next ?? pausedUntil, pausedUntil)
    }

    /// Sleeps until `wake` (on the wall clock: a clock change or a resume from suspend wakes it too), a signal, or
    /// the next watchdog ping. With no watchdog and nothing planned it sleeps until a signal.
    private func sleep(until wake: Date?, signals: Int32, timer: Int32) {
        if timer >= 0 { _ = clinux_arm_wall_timer(timer, wake.map { max($0.timeIntervalSince1970, 0.000_001) } ?? 0) }
        while true {
            var timeout =
                notifier.watchdogInterval.map { milliseconds($0 - Date().timeIntervalSince(lastWatchdog)) } ?? -1
            if timer < 0, let wake {
                let untilWake = milliseconds(wake.timeIntervalSinceNow)
                timeout = timeout < 0 ? untilWake : min(timeout, untilWake)
            }
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
            if timer < 0, let wake, Date() >= wake { return }
        }
    }

    private func milliseconds(_ seconds: TimeInterval) -> Int32 {
        Int32(min(max(1, (seconds * 1000).rounded(.up)), Double(Int32.max)))
    }

    /// Turns pending signals into requests; STOPPING=1 goes out as soon as a stop is seen.
    private func takeSignals() {
        for event in SignalPipe.drain() {
            switch event {
            case .stop:
                if !stopRequested {
                    stopRequested = true
                    notifier.stopping()
                    log.info("stopping")
                }
            case .reload:
                reloadRequested = true
            }
        }
    }

    private func pingWatchdog() {
        guard let interval = notifier.watchdogInterval, Date().timeIntervalSince(lastWatchdog) >= interval * 0.9 else {
            return
        }
        notifier.watchdog()
        lastWatchdog = Date()
    }

    /// Sends STATUS= when it changed.
    private func report(_ status: String) {
        if status != lastStatus?.text { notifier.status(status) }
        lastStatus = (status, Date())
    }

    /// SIGHUP: load everything again; on any problem keep the running configuration and say so.
    private func reloadConfiguration() {
        notifier.reloading()
        switch reload() {
        case .success(let workspace):
            if let problem = shrinkProblem(workspace) {
                reloadProblem = "reload refused: \(problem); running on the previous configuration"
                log.error("reload refused; running on the previous configuration", ["reason": problem])
            } else {
                if workspace.config.smtp != dispatcher.workspace.config.smtp {
                    log.warning("smtp settings changed; they take effect when convene restarts")
                }
                dispatcher.replace(workspace)
                reloadProblem = nil
                refusal = nil
                for warning in workspace.warnings { log.warning(warning.description) }
                log.info("reloaded", ["config": workspace.config.file, "people": "\(workspace.roster.people.count)"])
            }
        case .failure(let failure):
            for d in failure.diagnostics {
                // Compiler-style, one line per diagnostic; the hint becomes a field so the line stays readable.
                let text = "\(d.file):\(d.line):\(d.column): \(d.severity.rawValue): \(d.message)"
                log(d.severity == .error ? .error : .warning, text, d.hint.map { ["hint": $0] } ?? [:])
            }
            let errors = failure.diagnostics.filter { $0.severity == .error }
            let first = errors.first.map { " (first: \($0.file):\($0.line):\($0.column): \($0.message))" } ?? ""
            let count = "\(errors.count) error\(errors.count == 1 ? "" : "s")"
            reloadProblem = "reload failed with \(count)\(first); running on the previous configuration"
            log.error(
                "reload failed; running on the previous configuration",
                ["config": dispatcher.workspace.config.file, "errors": "\(errors.count)"])
        }
        let status = statusLine(dispatcher.plan(now: Date()))
        notifier.send(["READY=1", "STATUS=\(status)"])
        lastStatus = (status, Date())
    }

    /// Why a newly loaded roster must not replace the running one: it lost more people than `max_roster_shrink`
    /// allows, or reconcile would refuse it (too many invited people gone). The new file's limit applies, so an
    /// admin who means a big change raises the limit in the same edit.
    private func shrinkProblem(_ workspace: Workspace) -> String? {
        let old = dispatcher.workspace.roster.people.count
        let new = workspace.roster.people.count
        let limit = workspace.config.service.maxRosterShrink
        if old > 0, Double(old - new) / Double(old) > limit {
            let percent = Int((limit * 100).rounded())
            return "the roster shrank from \(old) to \(new) people, more than max_roster_shrink \(percent)%"
        }
        let trial = Reconciler(
            config: workspace.config, roster: workspace.roster, audience: workspace.audience, state: dispatcher.state)
        return trial.plan(now: Date()).refusal
    }

    private var sentToday: Int {
        dispatcher.counters.sentToday(now: Date(), zone: dispatcher.workspace.config.service.timeZone)
    }

    /// `next: week-before your-agenda 2027-01-07 09:00 (212); sent today 34; failed 0`, plus what is wrong, if
    /// anything. Always one line: sd_notify fields are newline-separated.
    func statusLine(_ plan: Plan) -> String {
        let zone = dispatcher.workspace.config.service.timeZone
        var parts: [String] = []
        if let reason = plan.refusal ?? refusal {
            parts.append("holding: \(reason)")
        } else if let first = plan.actions.first {
            let count = plan.actions.prefix { $0.due == first.due }.count
            parts.append(
                "next: \(first.notification) \(first.eventID) \(LocalDateTime(instant: first.due, in: zone)) (\(count))"
            )
        } else {
            parts.append("next: nothing planned")
        }
        if let held = plan.held { parts.append(held.summary) }
        if let pausedUntil, pausedUntil > Date() {
            parts.append("paused until \(LocalDateTime(instant: pausedUntil, in: zone).time)")
        }
        parts.append("sent today \(sentToday)")
        parts.append("failed \(dispatcher.counters.failed)")
        if let reloadProblem { parts.append(reloadProblem) }
        if let error = pauseReason ?? dispatcher.counters.lastError { parts.append("last error: \(error)") }
        return Log.clean(parts.joined(separator: "; "))
    }
}
