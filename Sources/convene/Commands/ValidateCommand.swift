import ConveneCore
import ConveneService
import Foundation

/// `convene validate`: check the rules file, roster and templates; report every problem at once.
enum ValidateCommand {
    static let subcommand = Subcommand(
        name: "validate", abstract: "check the rules file, roster and templates; report every problem",
        usage: """
            Usage: convene validate [--config PATH] [--state DIR] [--print | --json]

            Parses and checks the rules file, the holidays file, the roster, the team's people file and the
            templates, and prints
            every problem as file:line:col: error: message. Exit 0 when all is well, 65 for roster data
            errors, 78 for rules-file, holidays-file or template errors. When a hosted series cannot be filled
            from the roster and the journal (--state) shows the roster lost more of the invited people than
            max_roster_shrink allows, that is reported as the roster error it is (65).

              --print         print the resolved configuration as JSON
              --json          print the outcome as JSON: {"ok", "exit", "diagnostics": [{"file", "line",
                              "column", "severity", "message", "hint"}]} (same exit status)

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let print = arguments.flag("print")
        try arguments.finish()
        if options.json && !print {
            return json(ConfigLoader.load(configPath: options.config, journal: options.journalProbe))
        }
        let workspace = try options.loadWorkspace()
        if print {
            Output.json(workspace.config.jsonObject)
            return .ok
        }
        let config = workspace.config
        let warnings = workspace.warnings.count
        let holidays = config.service.sendWindow.holidays.count
        Output.line(
            "\(options.config): OK — \(config.forums.count) forums, \(config.events.count) events, "
                + "\(config.notifications.count) notifications, \(workspace.roster.people.count) people"
                + (workspace.roster.overlay.map { overlay in
                    let name = (overlay.file as NSString).lastPathComponent
                    return " (\(name): \(overlay.applied) row\(overlay.applied == 1 ? "" : "s") applied)"
                } ?? "")
                + (config.service.holidays != nil ? ", \(holidays) holiday\(holidays == 1 ? "" : "s")" : "")
                + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
        return .ok
    }

    /// `validate --json`: every diagnostic as data, for scripts and editors, with the usual exit status.
    static func json(_ result: Result<Workspace, LoadFailure>) -> ExitCode {
        let (status, diagnostics): (ExitCode, [Diagnostic]) =
            switch result {
            case .success(let workspace): (.ok, workspace.warnings)
            case .failure(let failure): (ExitCode(failure), failure.diagnostics)
            }
        Output.json([
            "ok": status == .ok, "exit": Int(status.rawValue),
            "diagnostics": diagnostics.sortedByLocation().map { d -> [String: Any] in
                [
                    "file": d.file, "line": d.line, "column": d.column, "severity": d.severity.rawValue,
                    "message": d.message, "hint": d.hint ?? NSNull(),
                ]
            },
        ])
        return status
    }
}
