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
            with the SMTP server's replies.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        guard let directory = options.stateDirectory(workspace) else {
            throw CommandError(exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
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
        let plan = workspace.reconciler(state: state).plan(now: now)
        let summary = JournalSummary(records: records, state: state)
        let pending = plan.actions.filter { $0.skipReason == nil }
        let dueNow = pending.filter { $0.due <= now }.count
        let next = pending.first { $0.due > now } ?? pending.first
        if options.json {
            var object: [String: Any] = [
                "journal": FileJournal.journalPath(directory),
                "counts": summary.counts.mapValues { $0 },
                "in_flight": summary.inFlight.map { ["key": $0.key, "kind": $0.kind.rawValue, "message_id": $0.msgid ?? "", "since": PlanFormat.iso($0.at, zone: zone)] },
                "pending": pending.count, "due_now": dueNow,
                "last_failures": summary.lastFailures.map { f -> [String: Any] in
                    ["at": PlanFormat.iso(f.at, zone: zone), "key": f.key, "kind": f.kind.rawValue, "code": f.code ?? NSNull(), "permanent": f.permanent ?? false, "reply": f.reply ?? ""]
                },
            ]
            object["next"] = next.flatMap { try? JSONSerialization.jsonObject(with: Data(PlanFormat.json($0, zone: zone))) } ?? NSNull()
            object["refusal"] = plan.refusal ?? NSNull()
            object["held"] = plan.held.map { held -> [String: Any] in
                ["cancellations": held.cancellations, "updates": held.updates, "people": held.people, "holders": held.holders, "summary": held.summary]
            } ?? NSNull()
            Output.json(object)
            return .ok
        }
        Output.line("journal: \(FileJournal.journalPath(directory)) (\(records.count) records)")
        Output.line("")
        Output.line("KIND          SENT  FAILED  SKIPPED")
        for kind in MessageKind.allCases {
            let c = { (type: String) in summary.counts["\(kind.rawValue).\(type)"] ?? 0 }
            Output.line(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%6d  %6d  %7d", c("sent"), c("failed"), c("skipped")))
        }
        Output.line("")
        Output.line("permanently failed: \(summary.counts["permanent"] ?? 0); awaiting retry: \(state.failures.values.filter { !$0.permanent }.count)")
        Output.line("in flight (outcome unknown, resent with the same Message-ID on the next run): \(summary.inFlight.count)")
        Output.line("pending: \(pending.count) (\(dueNow) due now)")
        if let next {
            Output.line("next: \(next.notification) \(next.eventID) \(LocalDateTime(instant: next.due, in: zone)) (\(pending.filter { $0.due == next.due }.count))")
        }
        if let refusal = plan.refusal { Output.line("REFUSING TO SEND: \(refusal)") }
        if let held = plan.held { Output.line("\(held.summary) (\(held.why))") }
        if !summary.lastFailures.isEmpty {
            Output.line("")
            Output.line("last failures:")
            for f in summary.lastFailures {
                Output.line("  \(LocalDateTime(instant: f.at, in: zone)) \(f.permanent == true ? "permanent" : "temporary") \(f.key): \(f.reply ?? "")")
            }
        }
        return .ok
    }
}
