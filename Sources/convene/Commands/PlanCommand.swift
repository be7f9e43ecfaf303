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
            PlanFormat.writeJSONArray(actions, zone: zone, to: FileHandle.standardOutput)
            return .ok
        }
        Output.line(PlanFormat.table(actions, zone: zone, perRecipient: perRecipient).joined(separator: "\n"))
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
        return "\(local.date)T\(local.time):00" + sign + digits2(abs(offset) / 3600) + ":" + digits2(abs(offset) % 3600 / 60)
    }

    static func digits2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// One action as one JSON object, keys in a fixed order, appended to `out`.
    static func json(_ a: Action, zone: TimeZone, due: String? = nil, to out: inout [UInt8]) {
        // Ids, dates and addresses were validated at load (no quotes, backslashes or controls): written verbatim.
        let ref = a.occurrenceRef
        let recipient = a.recipientKey
        var line = JSONLine(&out)
        line.addVerbatim("due", due ?? iso(a.due, zone: zone), to: &out)
        line.addVerbatim("kind", a.skipReason == nil ? a.kind.rawValue : "skip", to: &out)
        line.addVerbatim("event", ref.eventID, to: &out)
        line.addVerbatim("occurrence", a.occurrence.description, to: &out)
        line.addVerbatim("notification", a.notification, to: &out)
        line.add("recipient", a.recipient.address, to: &out)
        line.add("cc", a.cc.map(\.address), to: &out)
        line.addVerbatim("uid", ref.uid, to: &out)
        line.add("sequence", a.sequence, to: &out)
        line.addVerbatim("key", ref.eventID, "/", ref.compactDate, "/", a.notification, "/", recipient, to: &out)
        line.addVerbatim(
            "message_id", ref.eventID, ".", ref.compactDate, ".", a.notification, ".", String(a.sequence), ".",
            a.person?.keyHash ?? DeliveryKey.fnv1a(recipient), "@", ref.domain, to: &out)
        if let reason = a.skipReason {
            line.add("reason", reason, to: &out)
            line.addVerbatim("message_kind", a.kind.rawValue, to: &out)
        }
        if a.lateJoiner { line.add("late_joiner", true, to: &out) }
        line.finish(&out)
    }

    /// One action as JSON bytes.
    static func json(_ a: Action, zone: TimeZone) -> [UInt8] {
        var out: [UInt8] = []
        json(a, zone: zone, to: &out)
        return out
    }

    /// Writes the whole plan as a JSON array, one action per line, in chunks: a national-scale plan is hundreds of
    /// megabytes of JSON and is never held in memory at once.
    static func writeJSONArray(_ actions: [Action], zone: TimeZone, to handle: FileHandle) {
        guard !actions.isEmpty else {
            handle.write(Data("[]\n".utf8))
            return
        }
        var out = Array("[\n".utf8)
        out.reserveCapacity(1 << 22)
        // Many actions share a due time: format each instant once.
        var dueText: [Date: String] = [:]
        for (index, action) in actions.enumerated() {
            out.append(contentsOf: [32, 32])
            let due = dueText[action.due] ?? iso(action.due, zone: zone)
            dueText[action.due] = due
            json(action, zone: zone, due: due, to: &out)
            out.append(contentsOf: (index == actions.count - 1 ? "\n]\n" : ",\n").utf8)
            if out.count > (1 << 22) - 4096 {
                handle.write(Data(out))
                out.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(out))
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
