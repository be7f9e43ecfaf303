import ConveneService
import Foundation

/// One subcommand: its name, a one-line abstract, its help text and what it does.
struct Subcommand: Sendable {
    var name: String
    var abstract: String
    var usage: String
    var run: @Sendable (inout Arguments) throws(CommandError) -> ExitCode
}

/// The `convene` tool: dispatches to a subcommand and turns errors into messages and exit codes.
enum CLI {
    static let subcommands: [Subcommand] = [
        ValidateCommand.subcommand,
        RecipientsCommand.subcommand,
        PlanCommand.subcommand,
        PreviewCommand.subcommand,
        RunCommand.subcommand,
        StatusCommand.subcommand,
        RepliesCommand.subcommand,
        AttendanceCommand.subcommand,
        CohortsCommand.subcommand,
        HistoryCommand.subcommand,
        PublishCommand.subcommand,
        ApproveCommand.subcommand,
        SendCommand.subcommand,
        SendTestCommand.subcommand,
    ]

    static var help: String {
        let width = subcommands.map(\.name.count).max() ?? 0
        let list = subcommands.map {
            "  \($0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\($0.abstract)"
        }
        return """
            convene — invitations, calendar updates, cancellations and reminders for leadership-network events

            Usage: convene <command> [options]

            Commands:
            \(list.joined(separator: "\n"))

            Common options:
            \(CommonOptions.help)

            Run 'convene <command> --help' for a command's own options.
            Exit status: 0 ok, 64 usage, 65 bad roster data, 66 input file unreadable, 69 SMTP unavailable, 74 journal I/O,
            75 temporary failure, 77 SMTP auth refused, 78 bad config.
            """
    }

    static func run(_ argv: [String]) -> ExitCode {
        var argv = argv
        guard let name = argv.first else {
            Output.error(help)
            return .usage
        }
        argv.removeFirst()
        switch name {
        case "--help", "-h", "help":
            Output.line(help)
            return .ok
        case "--version":
            Output.line("convene 1.0 (\(libcurlVersion()))")
            return .ok
        default: break
        }
        guard let command = subcommands.first(where: { $0.name == name }) else {
            Output.error("convene: unknown command '\(name)'\n\n\(help)")
            return .usage
        }
        if argv.contains("--help") || argv.contains("-h") {
            Output.line(command.usage)
            return .ok
        }
        var arguments = Arguments(argv)
        do {
            return try command.run(&arguments)
        } catch {
            Output.error("convene \(name): \(error.message)")
            if let hint = error.hint { Output.error("    hint: \(hint)") }
            if error.exitCode == .usage { Output.error("Run 'convene \(name) --help' for usage.") }
            return error.exitCode
        }
    }
}
