import ConveneCore
import ConveneService
import Foundation

/// `convene approve`: releases a calendar change held by the change guard (`service.max_calendar_changes`).
enum ApproveCommand {
    static let subcommand = Subcommand(
        name: "approve", abstract: "send a held calendar change (many cancellations or updates) that the files make",
        usage: """
            Usage: convene approve [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM'] [--json]

            When the rules file or roster would cancel or update the calendars of more than
            service.max_calendar_changes (default 10%) of the people holding invitations, convene holds
            that whole change and sends everything else. `convene plan --diff` shows it; this command
            shows it again and approves exactly these files (their hash is recorded in the state folder
            and copied into the journal): the change goes out at once if the daemon is running, or on the
            next `convene run`. Any later edit of the files is judged afresh, and needs its own approval
            if it crosses the limit again. Nothing is recorded when nothing is held.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        guard let directory = options.stateDirectory(workspace) else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        let state = try options.journalState(workspace)
        let plan = workspace.reconciler(state: state).plan(now: now)
        if let refusal = plan.refusal { throw CommandError(exitCode: .dataError, message: refusal) }
        guard let held = plan.held else {
            if options.json {
                Output.json(["approved": false, "files": workspace.fingerprint] as [String: Any])
            } else {
                Output.line(
                    "nothing is held: the current files change no more than max_calendar_changes of the calendars")
            }
            return .ok
        }
        let composer = MessageComposer(config: workspace.config, templates: workspace.templates)
        let groups = PlanDiff.groups(Plan(actions: DueOrderedActions([]), held: held), composer: composer, zone: zone)
        let change = "\(held.cancellations) cancellation(s), \(held.updates) update(s) to \(held.people) people"
        let record = JournalRecord(
            type: .approved, at: now, key: "approval", kind: .update, reason: change, files: workspace.fingerprint)
        do {
            try Approvals.append(record, directory: directory)
        } catch {
            throw CommandError(exitCode: .ioError, message: error.description)
        }
        let daemon = Approvals.signalRunningDaemon(directory: directory)
        if options.json {
            Output.json(
                [
                    "approved": true, "files": workspace.fingerprint, "cancellations": held.cancellations,
                    "updates": held.updates, "people": held.people, "daemon_pid": daemon.map { Int($0) } ?? NSNull(),
                    "changes": groups.map {
                        [
                            "change": $0.verb, "event": $0.eventID, "occurrence": $0.occurrence.description,
                            "detail": $0.detail, "count": $0.count,
                        ] as [String: Any]
                    },
                ] as [String: Any])
        } else {
            for group in groups { Output.line(String(group.line.dropFirst("[held] ".count))) }
            Output.line("approved: \(change) (files \(workspace.fingerprint))")
            Output.line(
                daemon.map { "the running convene (pid \($0)) sends them now" } ?? "the next `convene run` sends them")
        }
        return .ok
    }
}
