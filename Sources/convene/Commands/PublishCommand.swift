import ConveneCore
import ConveneService
import Foundation

/// `convene publish DIR`: the programme as a static site (pages and calendar feeds) any web server can serve.
enum PublishCommand {
    static let subcommand = Subcommand(
        name: "publish", abstract: "write the programme's pages and calendar feeds into a folder (a static site)",
        usage: """
            Usage: convene publish [DIR] [--include-private] [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Writes into DIR (default: service.publish) a static site from the rules file and the journal:
            index.html (the programme, upcoming first, grouped by month, with "Last updated" and every
            change recipients' calendars received), all.ics (a calendar feed of the published events),
            and for each published forum FORUM.html and FORUM.ics. Each file is written atomically.

            Events and forums are private unless marked 'public: true' in the rules file: an event is
            published when it, or one of its forums, is public; its joining link only when the event is.

              --include-private   publish every event, forum and joining link (for an intranet)

            The daemon republishes by itself after every change when service.publish is set.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let includePrivate = arguments.flag("include-private")
        let target = arguments.positional()
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        guard let directory = target ?? workspace.config.service.publish.map(workspace.resolve) else {
            throw .usage("where to? give a folder, or set service.publish in the rules file")
        }
        let now = try options.instant(in: workspace.config.service.timeZone)
        let state = try options.journalState(workspace)
        let files: [String]
        do {
            files = try Publisher.publish(
                workspace: workspace, state: state, stateDirectory: options.stateDirectory(workspace),
                into: directory, now: now, includePrivate: includePrivate)
        } catch {
            switch error {
            case .journal(let journal): throw CommandError(exitCode: ExitCode(journal), message: error.description)
            case .io: throw CommandError(exitCode: .ioError, message: error.description)
            }
        }
        Output.line("published \(files.count) files in \(directory): " + files.joined(separator: ", "))
        Output.line("open \(directory)/index.html")
        return .ok
    }
}
