import ConveneCore
import ConveneService
import Foundation

/// The options every subcommand takes (DESIGN.md, "The command line").
struct CommonOptions {
    var config: String
    var state: String?
    var now: String?
    var json: Bool

    static let help = """
          --config PATH   the rules file (default $CONVENE_CONFIG, then /etc/convene/convene.yaml)
          --state DIR     the journal folder (default $STATE_DIRECTORY, then service.state)
          --now 'YYYY-MM-DD HH:MM'
                          pretend the clock reads this, in the service time zone
          --json          stable machine-readable output
        """

    init(_ arguments: inout Arguments) throws(CommandError) {
        config = ConfigLoader.configPath(
            option: try arguments.option("config"), environment: ProcessInfo.processInfo.environment)
        state = try arguments.option("state")
        now = try arguments.option("now")
        json = arguments.flag("json")
    }

    /// Loads the workspace, printing every diagnostic (warnings too) to stderr; a failure maps to 65 or 78.
    func loadWorkspace() throws(CommandError) -> Workspace {
        switch ConfigLoader.load(configPath: config, journal: journalProbe) {
        case .success(let workspace):
            Output.diagnostics(workspace.warnings)
            return workspace
        case .failure(let failure):
            Output.diagnostics(failure.diagnostics)
            let errors = failure.diagnostics.filter { $0.severity == .error }.count
            throw CommandError(
                exitCode: ExitCode(failure), message: "\(errors) error\(errors == 1 ? "" : "s") found; nothing was done"
            )
        }
    }

    /// `--state`, else `$STATE_DIRECTORY` (the first, if systemd lists several), else `service.state`.
    func stateDirectory(_ workspace: Workspace) -> String? {
        stateDirectory(configured: workspace.config.service.state, relativeTo: workspace.configDirectory)
    }

    /// As `stateDirectory(_:)`, from `service.state` as written (relative to the rules file's folder): for `status`,
    /// which reads the journal even when the rules file has errors elsewhere.
    func stateDirectory(configured: String?, relativeTo configDirectory: String) -> String? {
        if let state { return state }
        if let env = ProcessInfo.processInfo.environment["STATE_DIRECTORY"], let first = env.split(separator: ":").first
        {
            return String(first)
        }
        guard let configured else { return nil }
        if configured.hasPrefix("/") || configDirectory.isEmpty { return configured }
        return (configDirectory as NSString).appendingPathComponent(configured)
    }

    /// The journal a load checks a roster that broke a hosted series against (`ConfigLoader.JournalProbe`): the state
    /// folder's, at `--now` or the clock; nil when there is none or it cannot be read (the load says what it can).
    var journalProbe: ConfigLoader.JournalProbe {
        let options = self
        return { config, directory in
            guard
                let folder = options.stateDirectory(configured: config.service.state, relativeTo: directory),
                FileManager.default.fileExists(atPath: folder),
                let read = try? FileJournal.read(directory: folder)
            else { return nil }
            let now = (try? options.instant(in: config.service.timeZone)) ?? Date()
            return (JournalState(records: read.records + Approvals.read(directory: folder)), now)
        }
    }

    /// The journal's records (empty when there is no journal yet); warnings such as a torn last line go to stderr.
    func journalState(_ workspace: Workspace) throws(CommandError) -> JournalState {
        guard let directory = stateDirectory(workspace) else { return JournalState() }
        do {
            let (records, warnings) = try FileJournal.read(directory: directory)
            Output.diagnostics(warnings)
            // Approvals a running daemon has not copied into the journal yet count already.
            return JournalState(records: records + Approvals.read(directory: directory))
        } catch {
            throw CommandError(exitCode: .ioError, message: error.description)
        }
    }

    /// The instant `--now` names in the service zone, or the real clock.
    func instant(in zone: TimeZone) throws(CommandError) -> Date {
        guard let now else { return Date() }
        guard let local = LocalDateTime(parsing: now) else {
            throw .usage("--now must be 'YYYY-MM-DD HH:MM'; got '\(now)'")
        }
        return local.instant(in: zone)
    }
}

/// Writes to stdout and stderr; stderr lines are whole lines so journald keeps them apart.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func diagnostics(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        error(diagnostics.sortedByLocation().map(\.description).joined(separator: "\n"))
    }

    /// Pretty, key-sorted JSON so output is stable for scripts and diffs.
    static func json(_ object: Any) {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data("null".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
