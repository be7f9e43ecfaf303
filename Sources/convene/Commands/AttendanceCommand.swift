import ConveneCore
import ConveneService
import Foundation

/// `convene attendance EVENT`: who is coming, from the replies journaled.
enum AttendanceCommand {
    static let subcommand = Subcommand(
        name: "attendance", abstract: "who accepted, declined or has not answered an occurrence, by forum and grade",
        usage: """
            Usage: convene attendance EVENT [--occurrence YYYY-MM-DD] [--json | --csv] [--config PATH] [--state DIR]
                                      [--now 'YYYY-MM-DD HH:MM']

            Counts and names everyone an invitation for the occurrence reached, by their latest answer:
            accepted, tentative, declined, no reply (no answer yet, or asked again after the time moved) and
            bounced (the invitation failed for good), by forum (a hosted series' host under the hosts' forum)
            and by grade, with the latest note each person wrote, and the messages about it that a person must
            read (`convene replies` put them in needs_attention). Without --occurrence: the next occurrence
            from today (--now), else the last.

              --json   {"event", "occurrence", "accepted": [emails], "tentative", "declined", "no_reply",
                       "bounced", "needs_attention": [{…}], "notes": {email: note}, "by_grade", "by_forum"}
              --csv    one row per person: email,name,grade,forums,answer,note,answered_at

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        let occurrenceText = try arguments.option("occurrence")
        let csv = arguments.flag("csv")
        guard let eventID = arguments.positional() else { throw .usage("which event? convene attendance EVENT") }
        try arguments.finish()
        if csv && options.json { throw .usage("--json and --csv are alternatives: choose one") }
        let workspace = try options.loadWorkspace()
        let zone = workspace.config.service.timeZone
        let now = try options.instant(in: zone)
        guard let event = workspace.config.events.first(where: { $0.id == eventID }) else {
            throw CommandError(
                exitCode: .usage, message: "no event '\(eventID)' in the rules file",
                hint: "events are: " + workspace.config.events.map(\.id).joined(separator: ", "))
        }
        let dates = Occurrences.dates(of: event, excluding: false)
        let date: LocalDate
        if let occurrenceText {
            guard let parsed = LocalDate(parsing: occurrenceText) else {
                throw .usage("--occurrence must be YYYY-MM-DD; got '\(occurrenceText)'")
            }
            guard dates.contains(parsed) else {
                throw CommandError(
                    exitCode: .usage, message: "\(eventID) has no occurrence on \(parsed)",
                    hint: "its dates are: " + dates.map(\.description).joined(separator: ", "))
            }
            date = parsed
        } else {
            let today = LocalDateTime(instant: now, in: zone).date
            guard let chosen = dates.first(where: { $0 >= today }) ?? dates.last else {
                throw CommandError(exitCode: .usage, message: "\(eventID) has no occurrences")
            }
            date = chosen
        }
        guard let directory = options.stateDirectory(workspace) else {
            throw CommandError(
                exitCode: .configError, message: "no state folder: set service.state, $STATE_DIRECTORY or --state DIR")
        }
        let records: [JournalRecord]
        do {
            let read = try FileJournal.read(directory: directory)
            Output.diagnostics(read.warnings)
            records = read.records
        } catch {
            throw CommandError(exitCode: .ioError, message: error.description)
        }
        let state = JournalState(records: records)
        let forums = Self.forums(of: event)
        let attendance = Attendance(
            eventID: eventID, date: date, state: state, records: records,
            person: { workspace.roster.person($0) }, forumsOf: { workspace.audience.forums(of: $0) },
            eventForums: forums)
        if options.json {
            Output.json(json(attendance))
        } else if csv {
            FileHandle.standardOutput.write(Data(self.csv(attendance).utf8))
        } else {
            text(attendance, grades: workspace.config.grades.map(\.id), forums: forums)
        }
        return .ok
    }

    /// The forums attendance is counted by: the event's, then for a hosted series the forums its hosts are drawn
    /// from, so a host (in none of the event's forums) counts under theirs rather than under `-`.
    static func forums(of event: Event) -> [String] {
        var forums = event.forums
        for host in event.hosting?.hosts ?? [] where !host.contains("@") && !forums.contains(host) {
            forums.append(host)
        }
        return forums
    }

    static func json(_ attendance: Attendance) -> [String: Any] {
        var object: [String: Any] = [
            "event": attendance.eventID, "occurrence": attendance.date.description,
            "needs_attention": attendance.needsAttention.map { record -> [String: Any] in
                [
                    "from": record.to ?? NSNull(), "outcome": record.outcome ?? NSNull(),
                    "reason": record.reason ?? NSNull(), "mailbox": record.mailbox ?? NSNull(),
                    "message_id": record.msgid ?? NSNull(), "at": ISO8601DateFormatter().string(from: record.at),
                ]
            },
        ]
        for answer in Attendance.Answer.allCases { object[answer.rawValue] = attendance.emails(answer) }
        object["notes"] = Dictionary(
            attendance.entries.compactMap { entry in entry.note.map { (entry.email, $0) } },
            uniquingKeysWith: { a, _ in a })
        object["by_grade"] = breakdown(attendance) { [$0.grade.isEmpty ? "-" : $0.grade] }
        object["by_forum"] = breakdown(attendance) { $0.forums.isEmpty ? ["-"] : $0.forums }
        return object
    }

    /// Counts by answer within each group (`grade` → `accepted` → n).
    static func breakdown(_ attendance: Attendance, groups: (Attendance.Entry) -> [String]) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for entry in attendance.entries {
            for group in groups(entry) { out[group, default: [:]][entry.answer.rawValue, default: 0] += 1 }
        }
        return out
    }

    /// RFC 4180 rows; a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`,
    /// since notes come from incoming mail.
    static func csv(_ attendance: Attendance) -> String {
        func cell(_ value: String) -> String {
            var value = value
            if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }
        var lines = ["email,name,grade,forums,answer,note,answered_at"]
        for entry in attendance.entries {
            lines.append(
                [
                    entry.email, entry.name, entry.grade, entry.forums.joined(separator: ";"), entry.answer.rawValue,
                    entry.note ?? "", entry.at.map { ISO8601DateFormatter().string(from: $0) } ?? "",
                ].map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func text(_ attendance: Attendance, grades: [String], forums: [String]) {
        Output.line("\(attendance.eventID) \(attendance.date): \(attendance.summary)")
        for answer in Attendance.Answer.allCases {
            let entries = attendance.entries.filter { $0.answer == answer }
            guard !entries.isEmpty else { continue }
            Output.line("")
            Output.line("\(answer.rawValue.replacingOccurrences(of: "_", with: " ")) (\(entries.count)):")
            for entry in entries {
                var line = "  \(entry.email)"
                if !entry.name.isEmpty { line += " (\(entry.name)\(entry.grade.isEmpty ? "" : ", \(entry.grade)"))" }
                if let note = entry.note { line += " — \"\(note)\"" }
                Output.line(line)
            }
        }
        let byGrade = breakdown(attendance) { [$0.grade.isEmpty ? "-" : $0.grade] }
        let byForum = breakdown(attendance) { $0.forums.isEmpty ? ["-"] : $0.forums }
        func row(_ name: String, _ counts: [String: Int]) -> String {
            "  \(name): "
                + Attendance.Answer.allCases.compactMap { answer in
                    counts[answer.rawValue].map { "\($0) \(answer.rawValue.replacingOccurrences(of: "_", with: " "))" }
                }.joined(separator: ", ")
        }
        if !byForum.isEmpty {
            Output.line("")
            Output.line("by forum:")
            for forum in forums + ["-"] { if let counts = byForum[forum] { Output.line(row(forum, counts)) } }
        }
        if !byGrade.isEmpty {
            Output.line("")
            Output.line("by grade:")
            for grade in grades + ["-"] { if let counts = byGrade[grade] { Output.line(row(grade, counts)) } }
        }
        if !attendance.needsAttention.isEmpty {
            Output.line("")
            Output.line("needs a person (\(attendance.needsAttention.count)):")
            for record in attendance.needsAttention {
                Output.line("  \(record.to ?? "?") \(record.mailbox ?? ""): \(record.reason ?? "")")
            }
        }
    }
}
