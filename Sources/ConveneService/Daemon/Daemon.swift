import CLinux
import ConveneCore
import Foundation
import Glibc

/// The long-running service: send what is due, then sleep on a wall-clock timer until the next action, a signal,
/// or a watchdog ping is due. No polling: between those the process uses no CPU.
public final class Daemon {
    private let dispatcher: Dispatcher
    private let reload: () -> Result<Workspace, LoadFailure>
    private let log: Log
    private let notifier: SystemdNotifier
    private var lastWatchdog = Date.distantPast
    private var reloadProblem: String?
    private var stopRequested = false

    public init(dispatcher: Dispatcher, reload: @escaping () -> Result<Workspace, LoadFailure>, log: Log, notifier: SystemdNotifier = SystemdNotifier()) {
        self.dispatcher = dispatcher
        self.reload = reload
        self.log = log
        self.notifier = notifier
    }

    /// Runs until SIGTERM/SIGINT. Returns normally on a clean stop; throws what stopped sending otherwise.
    public func run() throws(RunStop) {
        let signals = SignalPipe.install()
        let timer = clinux_wall_timer()
        defer { close(timer) }
        log.info("started", ["config": dispatcher.workspace.config.file, "journal": dispatcher.journal.path])
        var readySent = false
        while !stopRequested {
            let plan = try dispatcher.runDue(now: Date(), shouldStop: { [unowned self] in self.checkSignalsDuringSend() }, heartbeat: { [unowned self] in self.pingWatchdog() })
            if stopRequested { break }
            let next = plan.actions.first?.due
            let status = statusLine(plan)
            if !readySent {
                notifier.ready(status: status)
                readySent = true
            } else {
                notifier.status(status)
            }
            pingWatchdog()
            _ = clinux_arm_wall_timer(timer, next.map { max($0.timeIntervalSince1970, 0.000_001) } ?? 0)
            waitLoop: while true {
                var fds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0), pollfd(fd: timer, events: Int16(POLLIN), revents: 0)]
                let timeout = notifier.watchdogInterval.map { Int32(max(1, ($0 - Date().timeIntervalSince(lastWatchdog)) * 1000)) } ?? -1
                let ready = poll(&fds, 2, timeout)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 {
                    pingWatchdog()
                    continue
                }
                if fds[0].revents != 0 {
                    for event in SignalPipe.drain() {
                        switch event {
                        case .stop: stopRequested = true
                        case .reload: reloadConfiguration()
                        }
                    }
                    break waitLoop
                }
                if fds[1].revents != 0 {
                    // Fired, or the clock was set (ECANCELED on read): either way, re-plan now.
                    var expirations: UInt64 = 0
                    _ = read(timer, &expirations, 8)
                    break waitLoop
                }
            }
        }
        notifier.stopping()
        log.info("stopped", ["sent": "\(dispatcher.counters.sent)", "failed": "\(dispatcher.counters.failed)"])
    }

    /// Called between messages: a SIGTERM lets the message in flight finish, then stops; a SIGHUP waits its turn.
    private func checkSignalsDuringSend() -> Bool {
        var fds = pollfd(fd: SignalPipe.readEnd, events: Int16(POLLIN), revents: 0)
        if poll(&fds, 1, 0) > 0 {
            for event in SignalPipe.drain() {
                switch event {
                case .stop: stopRequested = true
                case .reload: reloadConfiguration()
                }
            }
        }
        return stopRequested
    }

    private func pingWatchdog() {
        guard let interval = notifier.watchdogInterval, Date().timeIntervalSince(lastWatchdog) >= interval * 0.9 else { return }
        notifier.watchdog()
        lastWatchdog = Date()
    }

    /// SIGHUP: load everything again; on any problem keep the running configuration and say so.
    private func reloadConfiguration() {
        notifier.reloading()
        switch reload() {
        case .success(let workspace):
            let old = dispatcher.workspace.roster.people.count
            let new = workspace.roster.people.count
            let limit = workspace.config.service.maxRosterShrink
            if old > 0, Double(old - new) / Double(old) > limit {
                reloadProblem = "roster shrank from \(old) to \(new) people, more than max_roster_shrink \(Int(limit * 100))%; kept the previous roster"
                log.error("reload refused", ["reason": reloadProblem!])
            } else {
                dispatcher.replace(workspace)
                reloadProblem = nil
                for warning in workspace.warnings { log.warning(warning.description) }
                log.info("reloaded", ["config": workspace.config.file, "people": "\(new)"])
            }
        case .failure(let failure):
            let errors = failure.diagnostics.filter { $0.severity == .error }
            for diagnostic in failure.diagnostics { log(diagnostic.severity == .error ? .error : .warning, diagnostic.description) }
            reloadProblem = "reload failed with \(errors.count) error\(errors.count == 1 ? "" : "s"); running on the previous configuration"
            log.error(reloadProblem!)
        }
        notifier.send(["READY=1", "STATUS=\(statusLine(dispatcher.plan(now: Date())))"])
    }

    /// `next: week-before your-agenda 2027-01-07 09:00 (212); sent today 34; failed 0`.
    func statusLine(_ plan: Plan) -> String {
        let zone = dispatcher.workspace.config.service.timeZone
        var parts: [String] = []
        if let first = plan.actions.first {
            let count = plan.actions.filter { $0.due == first.due }.count
            parts.append("next: \(first.notification) \(first.eventID) \(LocalDateTime(instant: first.due, in: zone)) (\(count))")
        } else {
            parts.append("next: nothing planned")
        }
        parts.append("sent today \(dispatcher.counters.sentToday(now: Date(), zone: zone))")
        parts.append("failed \(dispatcher.counters.failed)")
        if let problem = reloadProblem ?? dispatcher.counters.lastError { parts.append("last error: \(problem)") }
        return parts.joined(separator: "; ")
    }
}
