import ConveneCore
import ConveneService
import Foundation

/// `convene recipients FORUM`: who is in a forum, and why.
enum RecipientsCommand {
    static let subcommand = Subcommand(
        name: "recipients", abstract: "list the members of a forum and why each is in it",
        usage: """
            Usage: convene recipients FORUM [--json] [--config PATH]

            Lists the resolved members of FORUM in roster order with the reasons each is in it
            (grade, role, the roster's forums column, or a forum it includes), and any opt-out, with
            where each of the team's facts came from ("delegate: people.csv:12", "opt_out: roster.csv:7").

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        guard let forumID = arguments.positional() else { throw .usage("which forum? e.g. convene recipients cslg") }
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        guard let forum = workspace.config.forum(forumID) else {
            throw CommandError(
                exitCode: .usage, message: "unknown forum '\(forumID)'",
                hint: "forums: " + workspace.config.forums.map(\.id).joined(separator: ", "))
        }
        let members = workspace.audience.members(of: forum.id)
        if options.json {
            Output.json([
                "forum": forum.id, "name": forum.name, "count": members.count,
                "members": members.map { m -> [String: Any] in
                    [
                        "email": m.person.email, "name": m.person.name, "grade": m.person.grade,
                        "department": m.person.department, "interim": m.person.interim,
                        "delegate": m.person.delegate ?? NSNull(),
                        "delegate_mode": m.person.delegate == nil ? NSNull() : m.person.delegateMode.rawValue,
                        "opt_out": m.person.optOut.rawValue,
                        "reasons": m.reasons, "employee_id": m.person.employeeID ?? NSNull(),
                        "notes": m.person.notes.isEmpty ? NSNull() : m.person.notes,
                        "sources": workspace.roster.sources(of: m.person),
                    ]
                },
            ])
            return .ok
        }
        Output.line("\(forum.name) (\(forum.id)): \(members.count) member\(members.count == 1 ? "" : "s")")
        for m in members {
            var notes: [String] = []
            if m.person.interim { notes.append("interim") }
            if let delegate = m.person.delegate {
                notes.append("delegate \(delegate) (\(m.person.delegateMode.rawValue))")
            }
            if m.person.optOut != .none { notes.append("opted out of \(m.person.optOut.rawValue)") }
            let suffix = notes.isEmpty ? "" : "  [" + notes.joined(separator: "; ") + "]"
            Output.line("  \(m.person.name) <\(m.person.email)>\(suffix)")
            Output.line("      " + m.reasons.joined(separator: "; "))
            if !m.person.notes.isEmpty {
                // One line per member: the notes' own line breaks are shown as " / ".
                let lines = m.person.notes.split(whereSeparator: \.isNewline).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                Output.line("      notes: " + lines.filter { !$0.isEmpty }.joined(separator: " / "))
            }
            let sources = workspace.roster.sources(of: m.person)
            if !sources.isEmpty {
                Output.line(
                    "      from "
                        + sources.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
            }
        }
        return .ok
    }
}
