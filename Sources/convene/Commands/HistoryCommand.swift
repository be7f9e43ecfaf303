import ConveneCore
import ConveneService
import Foundation

/// `convene history`: what a person (and their delegate) or an event's occurrences were sent, from the history files
/// and the journal, so an answer survives compaction.
enum HistoryCommand {
    static let subcommand = Subcommand(
        name: "history", abstract: "what a person or an event's occurrences were sent, failed or skipped, ever",
        usage: """
            Usage: convene history EMAIL [--from YYYY-MM-DD] [--json] [--config PATH] [--state DIR]
                   convene history --event ID [--occurrence YYYY-MM-DD] [--from YYYY-MM-DD] [--json] ...

            Lists every message convene sent, failed to send or skipped for EMAIL (addressed to them,
            or copied to them as a delegate or in Cc; case does not matter), or for the event ID (one
            occurrence with --occurrence), oldest first: when (service time zone), outcome, kind, event
            and occurrence, Message-ID, recipients and the SMTP server's reply.

            Reads the state folder only: the history files (state/history/YYYY-MM.jsonl, where journal
            compaction moves what it drops) and the journal. A rules file with errors does not stop it;
            when its service: section cannot be read, pass --state DIR (times are then shown in UTC).
            A state folder with neither journal nor history is an error, exit 74.

              --from YYYY-MM-DD   leave out what happened before this day (service time zone)
              --event ID          an event's messages instead of a person's
              --occurrence YYYY-MM-DD
                                  with --event: only this occurrence's messages

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let fromText = try arguments.option("from")
        let event = try arguments.option("event")
        let occurrenceText = try arguments.option("occurrence")
        let email = arguments.positional()
        try arguments.finish()
        let subject: HistoryQuery.Subject
        switch (email, event) {
        case (let email?, nil):
            if occurrenceText != nil { throw .usage("--occurrence goes with --event ID, not with an address") }
            guard email.contains("@") else { throw .usage("'\(email)' is not an email address") }
            subject = .person(email)
        case (nil, let event?):
            var occurrence: LocalDate?
            if let occurrenceText {
                guard let date = LocalDate(parsing: occurrenceText) else {
                    throw .usage("--occurrence must be YYYY-MM-DD; got '\(occurrenceText)'")
                }
                occurrence = date
            }
            subject = .event(event, occurrence: occurrence)
        case (_?, _?):
            throw .usage("give an EMAIL or --event ID, not both")
        case (nil, nil):
            throw .usage("whose history? give an EMAIL or --event ID")
        }
        var fromDay: LocalDate?
        if let fromText {
            guard let date = LocalDate(parsing: fromText) else {
                throw .usage("--from must be YYYY-MM-DD; got '\(fromText)'")
            }
            fromDay = date
        }

        // History needs the state folder alone: the rules file is read only for where that is and the zone.
        let service = StatusCommand.partialService(options.config)
        let zone = service?.timeZone ?? TimeZone(identifier: "UTC")!
        let configDirectory = (options.config as NSString).deletingLastPathComponent
        guard let directory = options.stateDirectory(configured: service?.state, relativeTo: configDirectory) else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: the rules file does not name one that can be read",
                hint: "pass --state DIR (the service's is /var/lib/convene unless service.state says otherwise)")
        }
        if service == nil && options.state != nil {
            Output.error("convene history: the rules file's service: section cannot be read; times are in UTC")
        }
        guard
            FileManager.default.fileExists(atPath: FileJournal.journalPath(directory))
                || !HistoryFiles.files(directory: directory).isEmpty
        else {
            throw CommandError(
                exitCode: .ioError,
                message: "no journal or history in \(directory): convene has not run with this state folder",
                hint: "check --state, $STATE_DIRECTORY and service.state")
        }
        let records: [JournalRecord]
        do {
            let read = try HistoryFiles.outcomes(directory: directory)
            Output.diagnostics(read.warnings)
            records = read.records
        } catch {
            throw CommandError(exitCode: .ioError, message: error.description)
        }
        let from = fromDay.map { LocalDateTime(date: $0, time: TimeOfDay(hour: 0, minute: 0)).instant(in: zone) }
        let query = HistoryQuery(subject: subject, from: from)
        let matching = records.filter(query.matches)
        if options.json {
            Output.json(matching.map { json($0, zone: zone) })
        } else if matching.isEmpty {
            Output.error("convene history: nothing recorded for \(email ?? event ?? "")")
        } else {
            for record in matching { Output.line(line(record, zone: zone)) }
        }
        return .ok
    }

    /// One record as a line: when, outcome, kind, occurrence, Message-ID, recipients, the server's reply.
    static func line(_ record: JournalRecord, zone: TimeZone) -> String {
        let ref = record.occurrenceRef
        var outcome = record.outcomeDescription
        if let reason = record.reason, record.type == .skipped { outcome += " (\(reason))" }
        var fields = [
            LocalDateTime(instant: record.at, in: zone).description, outcome, record.kind.rawValue,
            ref.event + " " + (ref.date?.description ?? "?"), "<" + (record.msgid ?? "") + ">",
            "to " + recipients(record),
        ]
        if let reply = reply(record) { fields.append("reply: " + reply) }
        for copy in record.copies ?? [] {
            fields.append("copy to \(copy.to): \(copy.outcome.rawValue)" + (copy.reply.map { " " + $0 } ?? ""))
        }
        return fields.joined(separator: "  ")
    }

    /// The principal's address, then `cc` the copies' addresses; for a message sent in the principal's place, the
    /// delegates it went to instead.
    static func recipients(_ record: JournalRecord) -> String {
        let cc = record.cc ?? []
        if record.instead == true, !cc.isEmpty {
            return cc.joined(separator: ", ") + " (instead of " + (record.to ?? "?") + ")"
        }
        return (record.to ?? "?") + (cc.isEmpty ? "" : ", cc " + cc.joined(separator: ", "))
    }

    /// The server's reply to the principal's message, with its code when the reply does not start with it.
    static func reply(_ record: JournalRecord) -> String? {
        guard let reply = record.reply, !reply.isEmpty else { return record.code.map(String.init) }
        guard let code = record.code, !reply.hasPrefix(String(code)) else { return reply }
        return "\(code) \(reply)"
    }

    /// One record as a JSON object; absent values are null so every object has the same keys.
    static func json(_ record: JournalRecord, zone: TimeZone) -> [String: Any] {
        let ref = record.occurrenceRef
        let reason: Any = record.type == .skipped ? record.reason.map { $0 as Any } ?? NSNull() : NSNull()
        return [
            "at": PlanFormat.iso(record.at, zone: zone),
            "outcome": record.outcomeDescription,
            "reason": reason,
            "kind": record.kind.rawValue,
            "event": ref.event,
            "occurrence": ref.date?.description ?? NSNull(),
            "key": record.key,
            "message_id": record.msgid ?? NSNull(),
            "to": record.to ?? NSNull(),
            "cc": record.cc ?? [],
            "instead": record.instead == true,
            "code": record.code ?? NSNull(),
            "reply": record.reply ?? NSNull(),
            "copies": (record.copies ?? []).map { copy -> [String: Any] in
                [
                    "to": copy.to, "outcome": copy.outcome.rawValue, "code": copy.code ?? NSNull(),
                    "reply": copy.reply ?? NSNull(),
                ]
            },
        ]
    }
}
