import ConveneCore
import ConveneService
import Foundation

/// `convene preview`: the exact RFC 5322 bytes that would be sent.
enum PreviewCommand {
    static let subcommand = Subcommand(
        name: "preview", abstract: "print the exact message that would be sent, or write every planned one as .eml",
        usage: """
            Usage: convene preview --event ID [--occurrence YYYY-MM-DD] --notification ID --to EMAIL
                   convene preview --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD]

            The first form prints the exact message (headers, plain text, HTML, calendar) that convene would
            send for one delivery; --notification is any id plan shows (a rule's id, 'reinvite',
            'address-change', 'update' or 'cancellation'), and a warning says when run would not send that
            message. The second writes
            every planned message due in the window to DIR as NNN-kind-event-recipient.eml, which a mail
            client opens. Nothing is sent and the journal is not changed.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let outDirectory = try arguments.option("out")
        let eventID = try arguments.option("event")
        let occurrenceText = try arguments.option("occurrence")
        let notification = try arguments.option("notification")
        let fromText = try arguments.option("from")
        let toOption = try arguments.option("to")
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        let state = try options.journalState(workspace)
        let reconciler = workspace.reconciler(state: state)
        let composer = workspace.composer(stateDirectory: options.stateDirectory(workspace))

        if let outDirectory {
            let from = try fromText.map { t throws(CommandError) in try PlanCommand.date(t, "--from") }
            let to = try toOption.map { t throws(CommandError) in try PlanCommand.date(t, "--to") }
            let plan = reconciler.plan(now: now)
            if let refusal = plan.refusal { throw CommandError(exitCode: .dataError, message: refusal) }
            let actions = plan.actions.filter { a in
                let day = LocalDateTime(instant: a.due, in: zone).date
                return a.skipReason == nil && (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
            }
            do {
                try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true)
                for (index, action) in actions.enumerated() {
                    let bytes = composer.outgoing(for: action, now: max(now, action.due)).bytes
                    let path = (outDirectory as NSString).appendingPathComponent(emlName(index + 1, action))
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                }
            } catch {
                throw CommandError(
                    exitCode: .ioError, message: "cannot write to \(outDirectory): \(error.localizedDescription)")
            }
            Output.line("wrote \(actions.count) message\(actions.count == 1 ? "" : "s") to \(outDirectory)")
            return .ok
        }
        guard let eventID, let notification, let email = toOption else {
            throw .usage("give --event ID --notification ID --to EMAIL, or --out DIR")
        }
        var date: LocalDate?
        if let occurrenceText { date = try PlanCommand.date(occurrenceText, "--occurrence") }
        switch reconciler.previewAction(
            event: eventID, occurrence: date, notification: notification, recipient: email, now: now)
        {
        case .failure(let error): throw CommandError(exitCode: .usage, message: error.message, hint: error.hint)
        case .success(let preview):
            let action = preview.action
            for warning in preview.warnings {
                Output.error("convene preview: warning: \(warning); showing the message anyway")
            }
            let bytes = composer.outgoing(for: action, now: now).bytes
            FileHandle.standardOutput.write(Data(bytes))
            return .ok
        }
    }

    /// `007-invitation-your-agenda-ann.ash_example.gov.uk.eml`: sortable, unique by its number, safe as a file name.
    static func emlName(_ index: Int, _ action: Action) -> String {
        let safe = action.recipient.address.map {
            $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? String($0) : "_"
        }.joined()
        return String(format: "%03d", index) + "-\(action.kind.rawValue)-\(action.eventID)-\(safe).eml"
    }
}
