import ConveneCore
import ConveneService
import Foundation

/// `convene replies --once`: one pass over the organizer's mailbox of calendar replies and bounces.
enum RepliesCommand {
    static let subcommand = Subcommand(
        name: "replies", abstract: "read calendar replies and bounces once (IMAP, or a Maildir with --from-maildir)",
        usage: """
            Usage: convene replies --once [--from-maildir DIR] [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']
                                   [--json]

            Reads every message waiting in the replies folder once. Each comes to exactly one outcome, journaled
            (and synced) before the message is moved: applied (an answer: accepted, tentative or declined),
            stale (an answer to an older version of the invitation), unknown (no such invitation), counter-proposal,
            needs-attention (text only, TNEF, anything unclear) or bounce (a delivery report for a message convene
            sent: 5.x.x fails that delivery for good). Handled mail moves to replies.processed; what a person must
            read (counter-proposals, unknown, needs-attention) to replies.needs_attention. A message already
            journaled is moved, never applied twice.

              --once              one pass, then exit (the daemon polls on its own timer)
              --from-maildir DIR  read a Maildir instead of IMAP (tests, the demo, offline use); handled mail
                                  moves into its folders .convene.processed and .convene.needs-attention

            Exit status: 0 ok; 74 journal; 75 temporary (the journal is held by a running convene, or the mailbox
            failed for now); 77 login refused; 69 server unavailable; 78 no mailbox configured or not a Maildir.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let once = arguments.flag("once")
        let maildir = try arguments.option("from-maildir")
        try arguments.finish()
        guard once else {
            throw .usage("convene replies needs --once (the daemon reads replies on its own timer)")
        }
        let workspace = try options.loadWorkspace()
        // Said before anything else is looked at: without a mailbox there is nothing to do.
        if maildir == nil && workspace.config.replies == nil { throw noMailbox }
        let now = try options.instant(in: workspace.config.service.timeZone)
        guard let directory = options.stateDirectory(workspace) else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        let journal: FileJournal
        let records: [JournalRecord]
        do {
            journal = try FileJournal(directory: directory)
            let read = journal.takeLoaded()
            Output.diagnostics(read.warnings)
            records = read.records
        } catch {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
        let (handled, failure) = try pass(
            workspace: workspace, maildir: maildir, journal: journal, records: records, now: now)
        show(handled, json: options.json)
        switch failure {
        case .none: return .ok
        case .mailbox(let error):
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        case .journal(let error):
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
    }

    /// Neither `--from-maildir` nor a `replies:` block: 78 with what to add.
    static let noMailbox = CommandError(
        exitCode: .configError,
        message: "no mailbox to read: the rules file has no replies: block",
        hint: "add replies: (url, username, password_credential, processed, needs_attention; see the README, "
            + "\"Reading replies over IMAP\"), or read a Maildir with --from-maildir DIR")

    /// One pass over the Maildir given on the command line, or else over the IMAP folder of the rules file's
    /// `replies:` block (78 with a hint when there is neither). The Maildir takes the block's folder names too.
    static func pass(
        workspace: Workspace, maildir: String?, journal: FileJournal, records: [JournalRecord], now: Date
    ) throws(CommandError) -> (handled: [RepliesReader.Handled], failure: RepliesReader.Failure?) {
        let replies = workspace.config.replies
        if let maildir {
            let reader =
                replies.map {
                    RepliesReader(processed: $0.processed, needsAttention: $0.needsAttention)
                } ?? RepliesReader()
            return reader.pass(
                source: MaildirMailbox(directory: maildir), journal: journal, records: records,
                people: workspace.roster.people, now: now)
        }
        guard replies != nil else {
            throw noMailbox
        }
        do throws(MailboxError) {
            let settings = try IMAPSettings.settings(for: workspace, environment: ProcessInfo.processInfo.environment)
            let mailbox = try IMAPMailbox(settings: settings)
            let reader = RepliesReader(processed: settings.processed, needsAttention: settings.needsAttention)
            return reader.pass(
                source: mailbox, journal: journal, records: records, people: workspace.roster.people, now: now)
        } catch {
            throw CommandError(exitCode: ExitCode(error), message: error.description)
        }
    }

    static func show(_ handled: [RepliesReader.Handled], json: Bool) {
        if json {
            Output.json(
                handled.map { item -> [String: Any] in
                    [
                        "id": item.id, "outcome": item.outcome, "folder": item.folder,
                        "reason": item.reply?.reason ?? "journaled before: moved, not applied again",
                        "attendee": item.reply?.attendee ?? NSNull(), "partstat": item.reply?.partstat ?? NSNull(),
                        "occurrence": item.reply?.occurrence ?? NSNull(), "note": item.reply?.note ?? NSNull(),
                    ]
                })
            return
        }
        for item in handled {
            guard let reply = item.reply else {
                Output.line("\(item.outcome) \(item.id): journaled before; moved to \(item.folder), not applied again")
                continue
            }
            var line = "\(item.outcome) \(item.id): \(reply.reason)"
            if item.outcome == ReplyOutcome.applied.rawValue, let attendee = reply.attendee {
                line = "\(item.outcome) \(item.id): \(attendee) \(reply.reason)"
                if let occurrence = reply.occurrence { line += " for \(occurrence)" }
                if let note = reply.note { line += " — \"\(note)\"" }
            }
            Output.line(line)
        }
        let counts = Dictionary(grouping: handled, by: \.outcome).mapValues(\.count)
        let order = ReplyOutcome.allCases.map(\.rawValue)
        let summary = order.compactMap { outcome in counts[outcome].map { "\($0) \(outcome)" } }
        Output.line(
            "\(handled.count) message\(handled.count == 1 ? "" : "s")"
                + (summary.isEmpty ? "" : ": " + summary.joined(separator: ", ")))
    }
}
