import ConveneCore
import ConveneService
import Foundation

/// `convene run`: the daemon, or one pass (`--once`), or a simulated clock (`--now … --until …`).
enum RunCommand {
    static let subcommand = Subcommand(
        name: "run", abstract: "send what is due: as a daemon, once (--once), or on a simulated clock (--until)",
        usage: """
            Usage: convene run [--once | --until 'YYYY-MM-DD HH:MM'] [--dry-run DIR]
                               [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Without --once or --until, runs as a daemon: sleeps until the next action is due, sends it,
            reloads on SIGHUP, stops cleanly on SIGTERM, and speaks sd_notify when NOTIFY_SOCKET is set.

              --once          do what is due now, then exit (for cron): 0 when done, 75 when a message
                              failed temporarily and awaits its retry (run again later). Outside the
                              send window it says when the window next opens and sends nothing (unless
                              a calendar change cannot wait: its event starts before the window opens).
                              With --now T the pass runs in real time from T: rate limits wait real
                              seconds, and stamps, retries and the send window read T plus the time
                              elapsed.
              --until T       with --now, run a simulated clock: carry out every action due up to T in due
                              order (retries too, after their back-off), then exit
              --dry-run DIR   deliver into DIR (one .eml per message, its own journal in DIR/state)
                              instead of SMTP; the real journal is never touched

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let once = arguments.flag("once")
        let untilText = try arguments.option("until")
        let dryRun = try arguments.option("dry-run")
        try arguments.finish()
        if once && untilText != nil { throw .usage("--once and --until cannot be combined") }
        if !once && untilText == nil && options.now != nil {
            throw .usage("--now needs --once or --until: the daemon always runs on the real clock")
        }
        let log = Log()
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        var now = try options.instant(in: zone)
        let until = try untilText.map { text throws(CommandError) -> Date in
            guard let local = LocalDateTime(parsing: text) else {
                throw .usage("--until must be 'YYYY-MM-DD HH:MM'; got '\(text)'")
            }
            return local.instant(in: zone)
        }
        let stateDirectory = dryRun.map { $0 + "/state" } ?? options.stateDirectory(workspace)
        guard let stateDirectory else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        let dispatcher = try makeDispatcher(
            workspace, stateDirectory: stateDirectory, dryRun: dryRun, simulated: until != nil, log: log)
        if once || until != nil {
            // One clock for everything the pass does: with --once --now T, T plus the real time elapsed. On the real
            // clock instead, a failure at T would be stamped with today's date, its retry would fall due before T,
            // and the pass would retry it for ever.
            let realClock: @Sendable () -> Date = { Date() }
            let clock = once && options.now != nil ? Self.clock(startingAt: now) : realClock
            if once, let closed = Self.closedWindow(workspace.config.service, at: now) { Output.line(closed) }
            var plan: Plan
            do throws(RunStop) {
                while true {
                    plan = try dispatcher.runDue(now: now, clock: clock)
                    guard let until, let next = plan.actions.first?.due, next <= until else { break }
                    now = max(now, next)
                }
            } catch {
                throw CommandError(exitCode: ExitCode(error), message: error.description)
            }
            // A dry run's journal is not what calendars hold: it never publishes.
            if dryRun == nil, let directory = workspace.config.service.publish.map(workspace.resolve) {
                do {
                    try Publisher.publish(
                        workspace: workspace, state: dispatcher.state, stateDirectory: stateDirectory, into: directory,
                        now: until ?? clock(), includePrivate: false)
                } catch {
                    // Sending is done and journaled: a folder that cannot be written is reported, not a failed run.
                    Output.error("convene run: \(error.description)")
                }
            }
            let c = dispatcher.counters
            Output.line(
                "sent \(c.sent), failed \(c.failed), skipped \(c.skipped)"
                    + (dryRun.map { "; messages in \($0)" } ?? ""))
            // A pass that leaves a message awaiting its retry is not done: cron (or the admin) should run it again.
            let retries = once ? dispatcher.retries(in: plan) : []
            if let first = retries.map(\.due).min() {
                // Minutes, rounded up: "09:00" for a retry due at 09:00:55 would invite running again too soon.
                let minute = Date(timeIntervalSince1970: (first.timeIntervalSince1970 / 60).rounded(.up) * 60)
                let count = retries.count == 1 ? "1 message awaits" : "\(retries.count) messages await"
                throw CommandError(
                    exitCode: .temporaryFailure,
                    message: "\(count) a retry after a temporary failure; the first can go at "
                        + "\(LocalDateTime(instant: minute, in: zone))",
                    hint: "run 'convene run --once' again after then; 'convene status' shows the SMTP replies")
            }
            return .ok
        }
        // The daemon keeps running through SMTP outages, bad reloads and a refused roster (all shown in STATUS=);
        // only a journal that cannot be written ends it with an error status.
        let daemon = Daemon(
            dispatcher: dispatcher,
            reload: { ConfigLoader.load(configPath: options.config, journal: options.journalProbe) }, log: log,
            clock: .system,
            publish: dryRun != nil
                ? nil
                : { workspace, state, directory, now throws(PublishError) in
                    try Publisher.publish(
                        workspace: workspace, state: state, stateDirectory: stateDirectory, into: directory, now: now,
                        includePrivate: false)
                })
        do {
            try daemon.run()
        } catch {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
        return .ok
    }

    /// `start`, moving on with the real time elapsed since this call (on the monotonic clock, so setting the system
    /// clock during the pass cannot move it).
    static func clock(startingAt start: Date) -> @Sendable () -> Date {
        let origin = DispatchTime.now().uptimeNanoseconds
        return { start.addingTimeInterval(Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9) }
    }

    /// "outside the send window (08:00-18:00 Mon-Fri); it next opens Monday 4 January 2027 08:00", or nil while the
    /// window is open at `now`.
    static func closedWindow(_ service: ServiceSettings, at now: Date) -> String? {
        let opens = DueTime(zone: service.timeZone, window: service.sendWindow).intoWindow(now)
        guard opens > now else { return nil }
        let local = LocalDateTime(instant: opens, in: service.timeZone)
        return "outside the send window (\(describe(service.sendWindow))); "
            + "it next opens \(Phrasing.fullDate(local.date)) \(local.time)"
    }

    /// A send window as an admin writes it: `08:00-18:00 Mon-Fri`, `09:00-17:00 Mon,Wed-Fri`, `08:00-18:00` (every
    /// day).
    static func describe(_ window: SendWindow) -> String {
        let hours = "\(window.opens)-\(window.closes.hour == 24 ? "24:00" : window.closes.description)"
        guard window.days.count < 7 else { return hours }
        // Runs of consecutive days become ranges; a run of two stays a list (Sat,Sun reads better than Sat-Sun).
        var runs: [[Weekday]] = []
        for day in window.days.sorted() {
            if let last = runs.last?.last, last.rawValue + 1 == day.rawValue {
                runs[runs.count - 1].append(day)
            } else {
                runs.append([day])
            }
        }
        let parts = runs.flatMap { run in
            run.count > 2 ? ["\(run[0].shortName)-\(run[run.count - 1].shortName)"] : run.map(\.shortName)
        }
        return hours + " " + parts.joined(separator: ",")
    }

    static func makeDispatcher(
        _ workspace: Workspace, stateDirectory: String, dryRun: String?, simulated: Bool, log: Log
    ) throws(CommandError) -> Dispatcher {
        let journal: FileJournal
        let records: [JournalRecord]
        do {
            journal = try FileJournal(directory: stateDirectory)
            let read = journal.takeLoaded()
            for warning in read.warnings {
                log.warning(warning.message, ["file": warning.file, "line": "\(warning.line)"])
            }
            records = read.records
        } catch {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
        // One transport per connection (`smtp.connections`); the dispatcher runs a lane on each.
        var transports: [MailTransport] = []
        do {
            let count = workspace.config.smtp.connections
            if let dryRun {
                for _ in 0..<count { transports.append(try OutboxTransport(directory: dryRun)) }
            } else {
                let settings = try SMTPTransport.settings(
                    for: workspace, environment: ProcessInfo.processInfo.environment)
                let polls = SMTPTransport.pollsForReplies(connections: count)
                // One token for every connection (auth: xoauth2): the endpoint is asked once per token lifetime.
                let tokens = settings.oauth2.map { TokenCache(settings: $0) }
                for _ in 0..<count {
                    transports.append(try SMTPTransport(settings: settings, pollsForReplies: polls, tokens: tokens))
                }
            }
        } catch let error as TransportFailure {
            throw CommandError(exitCode: ExitCode(error), message: error.message)
        } catch let error as JournalError {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        } catch {
            throw CommandError(exitCode: .unavailable, message: "\(error)")
        }
        return Dispatcher(
            workspace: workspace, journal: journal, records: records, transports: transports, log: log,
            sleeps: !simulated)
    }
}
