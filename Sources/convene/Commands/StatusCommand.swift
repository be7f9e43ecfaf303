import ConveneCore
import ConveneService
import Foundation

/// `convene status`: what the journal says happened, and what is next.
enum StatusCommand {
    static let subcommand = Subcommand(
        name: "status", abstract: "counts of sent, failed, skipped and pending; next due action; last errors",
        usage: """
            Usage: convene status [--json] [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Reads the journal: messages sent, failed and skipped by kind, deliveries whose outcome is
            unknown (in flight when convene stopped), what is pending and due next, and the last failures
            with the SMTP server's replies. Then, by name: each permanent failure (address, kind, event and
            date, SMTP code and reply), each person awaiting a retry (attempts, last reply, next try when
            the files load), and those delivered after failing. A delegate's copy the server refused is
            listed with its principal.

            When the rules file, roster or templates have errors, it still shows what the journal says
            (what is pending and next needs the files), prints the errors, and exits 78 (65 for the
            roster); when the rules file does not parse at all, pass --state DIR. A state folder
            without a journal (convene has not run with it, or it is the wrong folder) is an error,
            exit 74: status never shows zeros for a journal it did not find.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        try arguments.finish()
        // The journal is what status is for: files with errors must not hide it. They only take away planning.
        var workspace: Workspace?
        var loadFailure: LoadFailure?
        switch ConfigLoader.load(configPath: options.config) {
        case .success(let loaded):
            Output.diagnostics(loaded.warnings)
            workspace = loaded
        case .failure(let failure):
            Output.diagnostics(failure.diagnostics)
            loadFailure = failure
        }
        // Without a workspace, what the rules file says about the state folder and zone is still worth reading.
        let service = workspace?.config.service ?? Self.partialService(options.config)
        let zone = service?.timeZone ?? TimeZone(identifier: "UTC")!
        let now = try options.instant(in: zone)
        let configDirectory = (options.config as NSString).deletingLastPathComponent
        guard let directory = options.stateDirectory(configured: service?.state, relativeTo: configDirectory) else {
            if let loadFailure, service == nil {
                throw CommandError(
                    exitCode: ExitCode(loadFailure),
                    message: "the rules file has errors (above) and its state folder cannot be read from it",
                    hint: "pass --state DIR (the service's is /var/lib/convene unless service.state says otherwise)")
            }
            throw CommandError(
                exitCode: loadFailure.map(ExitCode.init) ?? .configError,
                message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        guard FileManager.default.fileExists(atPath: FileJournal.journalPath(directory)) else {
            // `convene send` on a new install queues beside the journal before any run has made one: say what waits.
            let queued = Set(Approvals.read(directory: directory).filter { $0.type == .queued }.map(\.key))
            throw CommandError(
                exitCode: .ioError, message: "no journal in \(directory): convene has not run with this state folder",
                hint: queued.isEmpty
                    ? "check --state, $STATE_DIRECTORY and service.state; 'convene run' creates the journal there"
                    : "\(queued.count) one-off message\(queued.count == 1 ? " is" : "s are") queued there ("
                        + queued.sorted().joined(separator: ", ")
                        + "): the daemon, or 'convene run --once', sends them and creates the journal")
        }
        let records: [JournalRecord]
        do {
            let read = try FileJournal.read(directory: directory)
            Output.diagnostics(read.warnings)
            records = read.records
        } catch {
            throw CommandError(exitCode: .ioError, message: error.description)
        }
        let state = JournalState(records: records + Approvals.read(directory: directory))
        let plan = workspace.map { $0.reconciler(state: state).plan(now: now) }
        let summary = JournalSummary(records: records, state: state)
        // Who is coming to each occurrence ahead that invitations went out for.
        let today = LocalDateTime(instant: now, in: zone).date
        let attendance = Attendance.occurrences(in: state, from: today).map {
            Attendance(
                eventID: $0.eventID, date: $0.date, state: state, records: records, person: { _ in nil },
                forumsOf: { _ in [] }, eventForums: [])
        }
        var replies: [String: Int] = [:]
        for record in records where record.type == .reply { replies[record.outcome ?? "", default: 0] += 1 }
        try show(
            summary, state: state, failures: FailureReport(records: records), plan: plan, attendance: attendance,
            replies: replies,
            journal: FileJournal.journalPath(directory), records: records.count, now: now, zone: zone,
            json: options.json, published: Publisher.lastPublished(stateDirectory: directory))
        if let loadFailure {
            let errors = loadFailure.diagnostics.filter { $0.severity == .error }.count
            let files = loadFailure.kind == .data ? "the roster has" : "the rules file or templates have"
            throw CommandError(
                exitCode: ExitCode(loadFailure),
                message: "\(files) \(errors) error\(errors == 1 ? "" : "s") (above): the counts are the journal's "
                    + "alone; what is pending and next needs the files")
        }
        return .ok
    }

    /// What the rules file says about the service, even when it has errors elsewhere (nil when it cannot be read or
    /// its `service:` section is itself broken).
    static func partialService(_ path: String) -> ServiceSettings? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return ConfigParser.parse(String(decoding: data, as: UTF8.self), file: path).config?.service
    }

    /// Prints the summary; `plan` is nil when the files could not be loaded.
    static func show(
        _ summary: JournalSummary, state: JournalState, failures: FailureReport, plan: Plan?,
        attendance: [Attendance] = [], replies: [String: Int] = [:], journal: String,
        records: Int, now: Date, zone: TimeZone, json: Bool, published: (at: Date, directory: String)? = nil
    ) throws(CommandError) {
        let pending = plan.map { $0.actions.filter { $0.skipReason == nil } }
        let nextTries = Self.nextTries(failures.awaitingRetry, pending: pending ?? [])
        let dueNow = pending?.filter { $0.due <= now }.count
        let next = pending.flatMap { pending in pending.first { $0.due > now } ?? pending.first }
        if json {
            var object: [String: Any] = [
                "journal": journal,
                "counts": summary.counts.mapValues { $0 },
                "in_flight": summary.inFlight.map {
                    [
                        "key": $0.key, "kind": $0.kind.rawValue, "message_id": $0.msgid ?? "",
                        "since": PlanFormat.iso($0.at, zone: zone),
                    ]
                },
                "pending": pending.map { $0.count } ?? NSNull(), "due_now": dueNow ?? NSNull(),
                "files_loaded": plan != nil,
                "last_failures": summary.lastFailures.map { f -> [String: Any] in
                    [
                        "at": PlanFormat.iso(f.at, zone: zone), "key": f.key, "kind": f.kind.rawValue,
                        "code": f.code ?? NSNull(), "permanent": f.permanent ?? false, "reply": f.reply ?? "",
                    ]
                },
            ]
            object["permanent_failures"] = failures.permanentFailures.map { Self.json($0, nextTry: nil, zone: zone) }
            object["awaiting_retry"] = failures.awaitingRetry.map { entry -> [String: Any] in
                let nextTry = nextTries[entry.messageID].map { PlanFormat.iso($0, zone: zone) }
                return Self.json(entry, nextTry: nextTry ?? NSNull(), zone: zone)
            }
            object["delivered_after_retry"] = failures.deliveredAfterRetry.map {
                Self.json($0, nextTry: nil, zone: zone)
            }
            object["next"] =
                next.flatMap { try? JSONSerialization.jsonObject(with: Data(PlanFormat.json($0, zone: zone))) }
                ?? NSNull()
            object["refusal"] = plan?.refusal ?? NSNull()
            object["relay_limit"] =
                summary.relayLimit.map { limit, record -> [String: Any] in
                    [
                        "kind": limit.name, "summary": limit.summary, "at": PlanFormat.iso(record.at, zone: zone),
                        "code": record.code ?? NSNull(), "reply": record.reply ?? "",
                        "pause_seconds": limit.pause.map { Int($0) } ?? NSNull(),
                    ]
                } ?? NSNull()
            object["held"] =
                plan?.held.map { held -> [String: Any] in
                    [
                        "cancellations": held.cancellations, "updates": held.updates, "people": held.people,
                        "holders": held.holders, "summary": held.summary,
                    ]
                } ?? NSNull()
            object["attendance"] = attendance.map { occurrence -> [String: Any] in
                var counts: [String: Any] = ["event": occurrence.eventID, "occurrence": occurrence.date.description]
                for answer in Attendance.Answer.allCases { counts[answer.rawValue] = occurrence.counts[answer] ?? 0 }
                return counts
            }
            object["replies"] = replies
            object["published"] =
                published.map {
                    ["at": PlanFormat.iso($0.at, zone: zone), "directory": $0.directory] as [String: Any]
                } ?? NSNull()
            Output.json(object)
            return
        }
        Output.line("journal: \(journal) (\(records) records)")
        Output.line(
            "published: "
                + (published.map { "\(LocalDateTime(instant: $0.at, in: zone)) into \($0.directory)" } ?? "never"))
        Output.line("")
        Output.line("KIND          SENT  FAILED  SKIPPED")
        for kind in MessageKind.allCases {
            let c = { (type: String) in summary.counts["\(kind.rawValue).\(type)"] ?? 0 }
            Output.line(
                kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "%6d  %6d  %7d", c("sent"), c("failed"), c("skipped")))
        }
        Output.line("")
        Output.line(
            "permanently failed: \(summary.counts["permanent"] ?? 0); awaiting retry: \(state.failures.values.filter { !$0.permanent }.count)"
        )
        Output.line(
            "in flight (outcome unknown, resent with the same Message-ID on the next run): \(summary.inFlight.count)")
        if let pending, let dueNow, let plan {
            Output.line("pending: \(pending.count) (\(dueNow) due now)")
            if let next {
                Output.line(
                    "next: \(next.notification) \(next.eventID) \(LocalDateTime(instant: next.due, in: zone)) (\(pending.filter { $0.due == next.due }.count))"
                )
            }
            if let refusal = plan.refusal { Output.line("REFUSING TO SEND: \(refusal)") }
            if let (limit, record) = summary.relayLimit { Self.showRelayLimit(limit, record, zone: zone) }
            if let held = plan.held { Output.line("\(held.summary) (\(held.why))") }
        } else {
            Output.line("pending: unknown (the files have errors; see above)")
            if let (limit, record) = summary.relayLimit { Self.showRelayLimit(limit, record, zone: zone) }
        }
        if !replies.isEmpty {
            let counts = ReplyOutcome.allCases.compactMap { outcome in
                replies[outcome.rawValue].map { "\($0) \(outcome.rawValue)" }
            }
            Output.line("")
            Output.line("replies read: " + counts.joined(separator: ", "))
        }
        if !attendance.isEmpty {
            Output.line("")
            for occurrence in attendance {
                Output.line("\(occurrence.eventID) \(occurrence.date): \(occurrence.summary)")
            }
        }
        Self.list("permanent failures", failures.permanentFailures, zone: zone) { _ in "" }
        Self.list("awaiting retry", failures.awaitingRetry, zone: zone) { entry in
            "; next try " + (nextTries[entry.messageID].map { "\(LocalDateTime(instant: $0, in: zone))" } ?? "unknown")
        }
        Self.list("delivered after retry", failures.deliveredAfterRetry, at: "delivered", zone: zone) { _ in "" }
        if !summary.lastFailures.isEmpty {
            Output.line("")
            Output.line("last failures:")
            for f in summary.lastFailures {
                Output.line(
                    "  \(LocalDateTime(instant: f.at, in: zone)) \(f.permanent == true ? "permanent" : "temporary") \(f.key): \(f.reply ?? "")"
                )
            }
        }
    }

    /// `PAUSED: the relay's sending quota is used up …`: why the relay stopped sending, when, and what happens next.
    static func showRelayLimit(_ limit: RelayLimit, _ record: JournalRecord, zone: TimeZone) {
        let next: String
        if let pause = limit.pause {
            let resume = LocalDateTime(instant: record.at.addingTimeInterval(pause), in: zone)
            next = "nothing is lost; sending tries again from \(resume) by itself"
        } else {
            next = "sending stopped until `systemctl reload convene`: ask the relay's admin to lift the block first"
        }
        Output.line(
            "PAUSED: \(limit.summary) (\(LocalDateTime(instant: record.at, in: zone)): \(record.code ?? 0)); \(next)")
    }

    /// When each message awaiting a retry is next tried, by Message-ID: the due time of its pending action. Only the
    /// planned messages with someone awaiting a retry are looked at (the Message-ID is a hash worth not computing
    /// for every pending action of a large roster).
    static func nextTries(_ awaiting: [FailureReport.Entry], pending: [Action]) -> [String: Date] {
        let keys = Set(awaiting.map(\.key))
        let ids = Set(awaiting.map(\.messageID))
        var tries: [String: Date] = [:]
        for action in pending where keys.contains(action.key) {
            let id = action.messageID
            if ids.contains(id) { tries[id] = min(tries[id] ?? action.due, action.due) }
        }
        return tries
    }

    /// One failure entry for `status --json`.
    static func json(_ entry: FailureReport.Entry, nextTry: Any?, zone: TimeZone) -> [String: Any] {
        var object: [String: Any] = [
            "address": entry.address, "principal": entry.principal ?? NSNull(), "kind": entry.kind.rawValue,
            "event": entry.eventID, "date": entry.date.map { "\($0)" } ?? NSNull(), "key": entry.key,
            "message_id": entry.messageID, "attempts": entry.attempts, "code": entry.code ?? NSNull(),
            "reply": entry.reply ?? "", "last": PlanFormat.iso(entry.last, zone: zone), "note": entry.note ?? NSNull(),
        ]
        if let nextTry { object["next_try"] = nextTry }
        return object
    }

    /// One list of people for the text output, skipped when empty; `tail` adds to each line.
    static func list(
        _ title: String, _ entries: [FailureReport.Entry], at: String = "at", zone: TimeZone,
        tail: (FailureReport.Entry) -> String
    ) {
        guard !entries.isEmpty else { return }
        Output.line("")
        Output.line("\(title) (\(entries.count)):")
        for entry in entries {
            let who = entry.principal.map { "\(entry.address) (delegate of \($0))" } ?? entry.address
            let what = "\(entry.kind.rawValue) \(entry.eventID) \(entry.date.map { "\($0)" } ?? "?")"
            let attempts = "\(entry.attempts) failed attempt\(entry.attempts == 1 ? "" : "s")"
            // The server's reply starts with its code; a reply-less failure (a transport error) has the code alone.
            let reply = entry.reply.flatMap { $0.isEmpty ? nil : $0 } ?? entry.code.map(String.init) ?? ""
            let replyText = reply.isEmpty ? "" : ", last reply: \(reply)"
            let note = entry.note.map { "; \($0)" } ?? ""
            let when = "\(at) \(LocalDateTime(instant: entry.last, in: zone))"
            Output.line("  \(who): \(what), \(attempts)\(replyText) \(when)\(note)\(tail(entry))")
        }
    }
}
