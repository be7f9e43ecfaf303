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

              --once          do what is due now, then exit (for cron)
              --until T       with --now, run a simulated clock: carry out every action due up to T in due
                              order, then exit
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
            guard let local = LocalDateTime(parsing: text) else { throw .usage("--until must be 'YYYY-MM-DD HH:MM'; got '\(text)'") }
            return local.instant(in: zone)
        }
        let stateDirectory = dryRun.map { $0 + "/state" } ?? options.stateDirectory(workspace)
        guard let stateDirectory else {
            throw CommandError(exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        let dispatcher = try makeDispatcher(workspace, stateDirectory: stateDirectory, dryRun: dryRun, simulated: until != nil, log: log)
        if once || until != nil {
            do {
                while true {
                    let next = try dispatcher.runDue(now: now).actions.first?.due
                    guard let until, let next, next <= until else { break }
                    now = max(now, next)
                }
            } catch {
                throw CommandError(exitCode: ExitCode(error), message: error.description)
            }
            let c = dispatcher.counters
            Output.line("sent \(c.sent), failed \(c.failed), skipped \(c.skipped)" + (dryRun.map { "; messages in \($0)" } ?? ""))
            return .ok
        }
        // The daemon keeps running through SMTP outages, bad reloads and a refused roster (all shown in STATUS=);
        // only a journal that cannot be written ends it with an error status.
        let daemon = Daemon(dispatcher: dispatcher, reload: { ConfigLoader.load(configPath: options.config) }, log: log)
        do {
            try daemon.run()
        } catch {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
        return .ok
    }

    static func makeDispatcher(_ workspace: Workspace, stateDirectory: String, dryRun: String?, simulated: Bool, log: Log) throws(CommandError) -> Dispatcher {
        let journal: FileJournal
        let records: [JournalRecord]
        do {
            journal = try FileJournal(directory: stateDirectory)
            let read = journal.takeLoaded()
            read.warnings.forEach { log.warning($0.message, ["file": $0.file, "line": "\($0.line)"]) }
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
                let settings = try SMTPTransport.settings(for: workspace, environment: ProcessInfo.processInfo.environment)
                let polls = SMTPTransport.pollsForReplies(connections: count)
                for _ in 0..<count { transports.append(try SMTPTransport(settings: settings, pollsForReplies: polls)) }
            }
        } catch let error as TransportFailure {
            throw CommandError(exitCode: ExitCode(error), message: error.message)
        } catch let error as JournalError {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        } catch {
            throw CommandError(exitCode: .unavailable, message: "\(error)")
        }
        return Dispatcher(workspace: workspace, journal: journal, records: records, transports: transports, log: log, sleeps: !simulated)
    }
}
