import ConveneCore
import ConveneService
import Foundation

/// `convene send`: a one-off message to one occurrence's invitees or a forum's members, queued in the journal under a
/// key of its own, so running the same command twice sends nothing twice.
enum SendCommand {
    static let subcommand = Subcommand(
        name: "send", abstract: "queue a one-off message (with files) to an occurrence's invitees or a forum",
        usage: """
            Usage: convene send --template NAME (--event ID [--occurrence YYYY-MM-DD] | --forum ID)
                                [--attach FILE]... [--at 'YYYY-MM-DD HH:MM'] [--dry-run DIR]
                                [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Renders templates/NAME.txt for every recipient (opt_out: all respected, delegates by their
            delegate_mode), prints how many and the first message, and queues it in the state folder; the daemon (or the next
            'convene run --once') sends it within the send window and rate. The same command run again
            queues nothing: it says the message is already queued and exits 0.

              --template NAME   a template in the templates folder
              --event ID        the invitees of an occurrence of this event: the next one, or
              --occurrence D    the one on this date (the template can use the event's fields)
              --forum ID        the members of this forum (event fields show the forum's name)
              --attach FILE     a file to send with it (repeat for more); copied into the state
                                folder now, so the bytes sent are the bytes given. At most 5 MB a
                                file and 7 MB in all
              --at T            send at T (service time zone), not now
              --dry-run DIR     write the messages into DIR (one .eml each) instead of queueing

            Exit 0 queued (or already queued), 64 usage or an unknown template, event or forum, 65 nobody
            to send to or files too large, 66 an --attach file cannot be read, 74 the state folder
            cannot be written.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let template = try arguments.option("template")
        let eventID = try arguments.option("event")
        let forumID = try arguments.option("forum")
        let occurrenceText = try arguments.option("occurrence")
        var attachPaths: [String] = []
        while let path = try arguments.option("attach") { attachPaths.append(path) }
        let atText = try arguments.option("at")
        let dryRun = try arguments.option("dry-run")
        try arguments.finish()
        guard let template else { throw .usage("--template NAME is required") }
        if (eventID == nil) == (forumID == nil) { throw .usage("give either --event ID or --forum ID") }
        if occurrenceText != nil && eventID == nil { throw .usage("--occurrence goes with --event") }
        let occurrenceDate = try occurrenceText.map { text throws(CommandError) in
            try PlanCommand.date(text, "--occurrence")
        }
        let at = try atText.map { text throws(CommandError) -> LocalDateTime in
            guard let local = LocalDateTime(parsing: text) else {
                throw .usage("--at must be 'YYYY-MM-DD HH:MM'; got '\(text)'")
            }
            return local
        }
        let files = try readFiles(attachPaths)

        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let zone = config.service.timeZone
        guard workspace.templates[template] != nil else {
            throw CommandError(
                exitCode: .usage, message: "unknown template '\(template)'",
                hint: "templates: " + workspace.templates.keys.sorted().joined(separator: ", "))
        }
        let now = try options.instant(in: zone)
        let due = at?.instant(in: zone) ?? now
        let state = try options.journalState(workspace)
        let target: OneOff.Target
        let date: LocalDate
        if let eventID {
            date = try occurrence(of: eventID, on: occurrenceDate, config: config, state: state, now: now).identity
            target = .event(eventID)
        } else {
            let forumID = forumID ?? ""
            guard config.forum(forumID) != nil else {
                throw CommandError(
                    exitCode: .usage, message: "unknown forum '\(forumID)'",
                    hint: "forums: " + config.forums.map(\.id).joined(separator: ", "))
            }
            target = .forum(forumID)
            date = LocalDateTime(instant: due.addingTimeInterval(OneOff.forumGrace), in: zone).date
        }
        let oneOff = OneOff(
            template: template, target: target, date: date, at: atText, due: due,
            attachments: files.map(\.attachment), queuedAt: now)

        // What `run` will do with it: the plan with this one-off queued.
        var trial = state
        trial.apply(oneOff.record)
        let plan = workspace.reconciler(state: trial).plan(now: now)
        if let refusal = plan.refusal { throw CommandError(exitCode: .dataError, message: refusal) }
        let actions = plan.actions.filter { $0.notification == oneOff.notification }
        let sends = actions.filter { $0.skipReason == nil }
        if state.isQueued(oneOff.id) && dryRun == nil {
            Output.line(
                "already queued: \(oneOff.key) (\(sends.count) message\(sends.count == 1 ? "" : "s") still to send); "
                    + "nothing more was queued")
            return .ok
        }
        guard let first = sends.first else {
            let skipped = actions.first?.skipReason.map { ": \($0)" } ?? ""
            throw CommandError(
                exitCode: .dataError, message: "nobody to send it to\(skipped); nothing was queued",
                hint: "convene recipients FORUM lists a forum's members")
        }
        var bytes = workspace.attachments.bySHA256
        for file in files { bytes[file.attachment.sha256] = file.bytes }
        let composer = MessageComposer(
            config: config, templates: workspace.templates, attachments: AttachmentBytes(bytes))
        let when = LocalDateTime(instant: first.due, in: zone)
        Output.line(
            "\(sends.count) recipient\(sends.count == 1 ? "" : "s"), due \(when)"
                + (actions.count > sends.count ? "; \(actions.count - sends.count) skipped" : "")
                + (files.isEmpty ? "" : "; \(files.count) file\(files.count == 1 ? "" : "s") attached"))
        Output.line("The first message:\n")
        FileHandle.standardOutput.write(Data(composer.outgoing(for: first, now: max(now, first.due)).bytes))
        Output.line("")

        if let dryRun {
            let outbox: OutboxTransport
            do throws(JournalError) { outbox = try OutboxTransport(directory: dryRun) } catch {
                throw CommandError(exitCode: .ioError, message: error.description)
            }
            for action in sends {
                let report: DeliveryReport
                do throws(TransportFailure) {
                    report = try outbox.send(composer.outgoing(for: action, now: max(now, action.due)))
                } catch {
                    throw CommandError(exitCode: .ioError, message: error.message)
                }
                if let problem = report.transportError {
                    throw CommandError(exitCode: .ioError, message: "cannot write to \(dryRun): \(problem)")
                }
            }
            Output.line("wrote \(sends.count) message\(sends.count == 1 ? "" : "s") to \(dryRun); nothing was queued")
            return .ok
        }
        guard let stateDirectory = options.stateDirectory(workspace) else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        do {
            // The files first: a queued record never names a file the state folder does not hold.
            for file in files { try AttachmentStore.store(file.bytes, stateDirectory: stateDirectory) }
            try Approvals.append(oneOff.record, directory: stateDirectory)
        } catch let error as SystemError {
            throw CommandError(exitCode: .ioError, message: error.description)
        } catch let error as JournalError {
            throw CommandError(exitCode: .ioError, message: error.description)
        } catch {
            throw CommandError(exitCode: .ioError, message: "\(error)")
        }
        let daemon = Approvals.signalRunningDaemon(directory: stateDirectory)
        Output.line(
            "queued \(oneOff.key): "
                + (daemon.map { "the running daemon (pid \($0)) sends it from \(when)" }
                    ?? "the daemon, or the next 'convene run --once', sends it from \(when)"))
        return .ok
    }

    /// The occurrence of `eventID` on `date` (the day it takes place, or its scheduled date), else the next one ahead;
    /// a usage error, with the dates, when there is none or it cannot be sent to.
    static func occurrence(
        of eventID: String, on date: LocalDate?, config: Config, state: JournalState, now: Date
    ) throws(CommandError) -> Occurrence {
        guard config.event(eventID) != nil else {
            throw CommandError(
                exitCode: .usage, message: "unknown event '\(eventID)'",
                hint: "events: " + config.events.map(\.id).joined(separator: ", "))
        }
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now).filter {
            $0.eventID == eventID
        }
        let chosen =
            date.map { d in occurrences.first { $0.date == d } ?? occurrences.first { $0.identity == d } }
            ?? occurrences.first { $0.active && $0.snapshot.start > now }
        let ahead = occurrences.filter { $0.active && $0.snapshot.start > now }.map(\.date.description)
        guard let chosen else {
            throw CommandError(
                exitCode: .usage,
                message: "event '\(eventID)' has no occurrence " + (date.map { "on \($0)" } ?? "ahead"),
                hint: ahead.isEmpty ? nil : "its dates ahead: " + ahead.joined(separator: ", "))
        }
        if let why = chosen.inactiveReason {
            throw CommandError(exitCode: .usage, message: "the occurrence on \(chosen.date) is off: \(why)")
        }
        if chosen.snapshot.start <= now {
            throw CommandError(
                exitCode: .usage, message: "the occurrence on \(chosen.date) has already started",
                hint: ahead.isEmpty ? nil : "its dates ahead: " + ahead.joined(separator: ", "))
        }
        return chosen
    }

    /// Reads every `--attach` file: 66 when one cannot be read, 64 for a name that cannot be sent, 65 when too large.
    static func readFiles(_ paths: [String]) throws(CommandError) -> [(attachment: AttachedFile, bytes: [UInt8])] {
        var files: [(attachment: AttachedFile, bytes: [UInt8])] = []
        func megabytes(_ count: Int) -> String { String(format: "%.1f MB", Double(count) / 1_000_000) }
        for path in paths {
            let name = (path as NSString).lastPathComponent
            if let problem = AttachedFile.problem(withFilename: name) {
                throw .usage("--attach \(path) \(problem)")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else {
                let why = isFolder.boolValue ? "it is a folder" : String(cString: strerror(errno))
                throw CommandError(exitCode: .noInput, message: "cannot read --attach \(path): \(why)")
            }
            if data.count > AttachedFile.maximumFileSize {
                throw CommandError(
                    exitCode: .dataError,
                    message: "--attach \(path) is \(megabytes(data.count)); one file may be at most "
                        + megabytes(AttachedFile.maximumFileSize),
                    hint: "link to a large document instead of attaching it")
            }
            let bytes = [UInt8](data)
            files.append((AttachedFile(filename: name, bytes: bytes), bytes))
        }
        let total = files.reduce(0) { $0 + $1.bytes.count }
        if total > AttachedFile.maximumTotalSize {
            throw CommandError(
                exitCode: .dataError,
                message: "the files add up to \(megabytes(total)); one message may carry at most "
                    + megabytes(AttachedFile.maximumTotalSize),
                hint: "base64 makes them about 37% larger on the wire, and many relays refuse 10 MB")
        }
        return files
    }
}
