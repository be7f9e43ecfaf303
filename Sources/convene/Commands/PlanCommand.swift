import ConveneCore
import ConveneService
import Foundation

/// `convene plan`: what reconcile would do, in due order. Sends nothing.
enum PlanCommand {
    static let subcommand = Subcommand(
        name: "plan", abstract: "show every action due now or later, in due order; sends nothing",
        usage: """
            Usage: convene plan [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--recipients] [--json]
                                [--config PATH] [--state DIR] [--now 'YYYY-MM-DD HH:MM']

            Computes, from the rules file, the roster, the journal and the clock, every invitation,
            reminder, calendar update, cancellation and skip that is due or will be due, in due order.
            With no journal it plans from scratch. Nothing is sent.

              --from DATE     only actions due on or after this date (service time zone)
              --to DATE       only actions due on or before this date
              --recipients    one line per delivery instead of one per group
              --json          one object per delivery: due, kind, event, occurrence, notification,
                              recipient, cc, uid, sequence, key, message_id (and reason for skips)

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let from = try arguments.option("from").map { text throws(CommandError) in try date(text, "--from") }
        let to = try arguments.option("to").map { text throws(CommandError) in try date(text, "--to") }
        let perRecipient = arguments.flag("recipients")
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        let state = try options.journalState(workspace)
        let plan = Reconciler(config: workspace.config, roster: workspace.roster, audience: workspace.audience, state: state).plan(now: now)
        if let refusal = plan.refusal { throw CommandError(exitCode: .dataError, message: refusal) }
        let actions = plan.actions.filter { action in
            let day = LocalDateTime(instant: action.due, in: zone).date
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
        if options.json {
            Output.json(actions.map { PlanFormat.json($0, zone: zone) })
            return .ok
        }
        PlanFormat.table(actions, zone: zone, perRecipient: perRecipient).forEach(Output.line)
        return .ok
    }

    static func date(_ text: String, _ option: String) throws(CommandError) -> LocalDate {
        guard let date = LocalDate(parsing: text) else { throw .usage("\(option) must be YYYY-MM-DD; got '\(text)'") }
        return date
    }
}

/// How actions are shown: a readable table, or stable JSON.
enum PlanFormat {
    /// ISO 8601 with the service zone's offset, e.g. `2027-01-20T09:00:00+00:00`.
    static func iso(_ instant: Date, zone: TimeZone) -> String {
        let local = LocalDateTime(instant: instant, in: zone)
        let offset = zone.secondsFromGMT(for: instant)
        let sign = offset < 0 ? "-" : "+"
        return "\(local.date)T\(local.time):00" + String(format: "%@%02d:%02d", sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    }

    static func json(_ a: Action, zone: TimeZone) -> [String: Any] {
        var object: [String: Any] = [
            "due": iso(a.due, zone: zone), "kind": a.skipReason == nil ? a.kind.rawValue : "skip", "event": a.eventID,
            "occurrence": a.occurrence.description, "notification": a.notification, "recipient": a.recipient.address,
            "cc": a.cc.map(\.address), "uid": a.uid, "sequence": a.sequence, "key": a.key, "message_id": a.messageID,
        ]
        if let reason = a.skipReason { object["reason"] = reason }
        if a.skipReason != nil { object["message_kind"] = a.kind.rawValue }
        if a.lateJoiner { object["late_joiner"] = true }
        return object
    }

    static func table(_ actions: [Action], zone: TimeZone, perRecipient: Bool) -> [String] {
        guard !actions.isEmpty else { return ["Nothing to do."] }
        var rows: [[String]] = []
        if perRecipient {
            rows = actions.map { a in
                let to = ([a.recipient.address] + a.cc.map { "cc " + $0.address }).joined(separator: ", ")
                return [LocalDateTime(instant: a.due, in: zone).description, a.label, a.eventID, a.occurrence.description, a.notification, "\(a.sequence)", to + (a.skipReason.map { " (\($0))" } ?? "")]
            }
        } else {
            var groups: [(key: [String], count: Int)] = []
            var index: [[String]: Int] = [:]
            for a in actions {
                let key = [LocalDateTime(instant: a.due, in: zone).description, a.label, a.eventID, a.occurrence.description, a.notification, "\(a.sequence)"]
                if let i = index[key] { groups[i].count += 1 } else { index[key] = groups.count; groups.append((key, 1)) }
            }
            rows = groups.map { $0.key + ["\($0.count)"] }
        }
        let header = ["DUE", "KIND", "EVENT", "OCCURRENCE", "NOTIFICATION", "SEQ", perRecipient ? "RECIPIENT" : "RECIPIENTS"]
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        let lines = all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        let count = actions.count
        return lines + ["\(count) deliver\(count == 1 ? "y" : "ies")"]
    }
}
