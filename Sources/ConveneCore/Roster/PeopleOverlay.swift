import Foundation

/// The team's own file beside HR's roster (`service.people`, usually `people.csv`): the facts the team records
/// (opt-outs, private offices, forum memberships, interim flags, first names, notes) kept out of the HR export, so a
/// fresh export loses none of them. Same CSV rules as the roster; rows are matched to roster rows by `employee_id`
/// (when both have it) or `email`, and a value the row gives wins over the roster's.
public enum PeopleOverlay {
    /// The columns the team owns, in the order the README lists them.
    public static let teamColumns = [
        "opt_out", "delegate", "delegate_mode", "forums", "interim", "first_name", "notes",
    ]
    /// The columns that say whose row it is.
    public static let keyColumns = ["employee_id", "email"]
    /// The `delegate` value that means "no delegate, whatever HR lists".
    public static let noDelegate = "-"
    /// The `delegate_mode` values.
    public static let delegateModes = DelegateMode.allCases.map(\.rawValue)

    /// Merges the overlay `bytes` (read from `file`) into `roster`. `forumIDs` are the forums the `forums` column
    /// may name. Every bad value is an error at its cell; a row for someone the roster does not list, and a column
    /// the team does not own, are warnings. The roster comes back unchanged when there are errors.
    public static func apply(
        _ bytes: [UInt8], file: String, to roster: Roster, forumIDs: Set<String>
    ) -> (roster: Roster, diagnostics: [Diagnostic]) {
        var (records, diagnostics) = CSVReader.read(bytes, file: file)
        guard let header = records.first else {
            if diagnostics.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        file: file, line: 1, column: 1, message: "the people file is empty: a header row is required",
                        hint: "columns: employee_id or email, then any of " + teamColumns.joined(separator: ", ")))
            }
            return (roster, diagnostics)
        }
        var positions: [String: Int] = [:]
        for (position, field) in header.fields.enumerated() {
            let name = RosterParser.normaliseColumn(field.text)
            if teamColumns.contains(name) || keyColumns.contains(name) {
                if positions[name] != nil {
                    diagnostics.append(
                        Diagnostic(file: file, location: field.location, message: "column '\(name)' appears twice"))
                } else {
                    positions[name] = position
                }
            } else if !name.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        file: file, location: field.location, severity: .warning,
                        message: "column '\(name)' is ignored: HR's roster owns it, not the team's file",
                        hint: "the team's file sets only " + teamColumns.joined(separator: ", ")
                            + "; change the rest in the HR export"))
            }
        }
        guard positions["employee_id"] != nil || positions["email"] != nil else {
            diagnostics.append(
                Diagnostic(
                    file: file, location: header.fields[0].location,
                    message: "the header row names neither 'employee_id' nor 'email': rows cannot be matched to people",
                    hint: "add an employee_id or email column"))
            return (roster, diagnostics)
        }
        var people = roster.people
        var rows: [String: RosterOverlay.Row] = [:]
        var errors = false
        for record in records.dropFirst() {
            var row = Row(record: record, positions: positions, file: file)
            if let (position, values) = row.read(roster: roster, forumIDs: forumIDs) {
                let person = people[position]
                if let first = rows[person.key] {
                    row.error(
                        row.keyColumn, "a second row for \(person.email) (first on line \(first.line))",
                        hint: "keep one row per person")
                } else {
                    let merged = values.merged(into: person)
                    if let delegate = merged.delegate, delegate.lowercased() == person.key {
                        row.error("delegate", "a person cannot be their own delegate")
                    } else {
                        people[position] = merged
                        rows[person.key] = RosterOverlay.Row(line: record.line, columns: values.columns)
                    }
                }
            }
            errors = errors || row.diagnostics.hasErrors
            diagnostics += row.diagnostics
        }
        if errors { return (roster, diagnostics) }
        return (roster.replacing(people: people, overlay: RosterOverlay(file: file, rows: rows)), diagnostics)
    }

    /// The team's values of one row; nil for a column the row leaves empty (the roster's value stands).
    struct Values {
        var optOut: OptOut?
        /// `.some(nil)`: the row says "no delegate" (`-`).
        var delegate: String??
        var delegateMode: DelegateMode?
        var addedForums: [String] = []
        var removedForums: [String] = []
        var interim: Bool?
        var firstName: String?
        var notes: String?
        /// The columns the row gave a value.
        var columns: Set<String> = []

        /// `person` with these values in place of the roster's. Forums merge by id: `x` puts them in (and undoes a
        /// roster `-x`), `-x` takes them out (and undoes a roster `x`).
        func merged(into person: Person) -> Person {
            let added = Set(addedForums)
            let removed = Set(removedForums)
            let newAdded =
                person.addedForums.filter { !removed.contains($0) }
                + addedForums.filter {
                    !person.addedForums.contains($0)
                }
            let newRemoved =
                person.removedForums.filter { !added.contains($0) }
                + removedForums.filter {
                    !person.removedForums.contains($0)
                }
            return Person(
                email: person.email, name: person.name, firstName: firstName ?? person.firstName,
                grade: person.grade, department: person.department, roles: person.roles, addedForums: newAdded,
                removedForums: newRemoved, interim: interim ?? person.interim,
                delegate: delegate ?? person.delegate,
                delegateMode: delegateMode ?? person.delegateMode, optOut: optOut ?? person.optOut, line: person.line,
                employeeID: person.employeeID, notes: notes ?? person.notes)
        }
    }

    /// One data row: finds whose it is and reads each team column, collecting problems.
    struct Row {
        let record: CSVRecord
        let positions: [String: Int]
        let file: String
        var diagnostics: [Diagnostic] = []

        /// The column the row is matched by, for an error about the match.
        var keyColumn: String { text("employee_id")?.isEmpty == false ? "employee_id" : "email" }

        func field(_ column: String) -> CSVField? {
            guard let i = positions[column], i < record.fields.count else { return nil }
            return record.fields[i]
        }

        func text(_ column: String) -> String? { field(column)?.text.trimmingCharacters(in: .whitespaces) }

        mutating func error(_ column: String, _ message: String, hint: String? = nil) {
            let location = field(column)?.location ?? SourceLocation(line: record.line, column: 1)
            diagnostics.append(Diagnostic(file: file, location: location, message: message, hint: hint))
        }

        /// The trimmed value of a one-line column: empty when absent, nil (with an error) for a control character.
        mutating func value(_ column: String) -> String? {
            guard let text = text(column) else { return "" }
            if let problem = EmailAddress.controlCharacter(in: text) {
                error(
                    column, "\(column) \(problem)",
                    hint: "line breaks and control characters would reach mail headers; remove them")
                return nil
            }
            return text
        }

        /// The roster position of the row's person and the row's values; nil when the row matches nobody or has
        /// errors.
        mutating func read(roster: Roster, forumIDs: Set<String>) -> (Int, Values)? {
            guard let employeeID = value("employee_id"), let email = value("email") else { return nil }
            let person: Person?
            let who: String
            if !employeeID.isEmpty && roster.hasEmployeeIDs {
                person = roster.person(employeeID: employeeID)
                who = "employee_id '\(employeeID)'"
            } else if !email.isEmpty {
                person = roster.person(email)
                who = "email '\(email)'"
            } else if !employeeID.isEmpty {
                // The roster has no employee numbers to match by, and the row gives no address.
                person = nil
                who = "employee_id '\(employeeID)'"
            } else {
                if record.fields.allSatisfy({ $0.text.trimmingCharacters(in: .whitespaces).isEmpty }) { return nil }
                error(keyColumn, "the row has neither an employee_id nor an email: it matches nobody")
                return nil
            }
            let values = self.values(forumIDs: forumIDs)
            guard let person else {
                diagnostics.append(
                    Diagnostic(
                        file: file,
                        location: field(keyColumn)?.location ?? SourceLocation(line: record.line, column: 1),
                        severity: .warning,
                        message: "no one in the roster has \(who): the row is ignored",
                        hint: roster.hasEmployeeIDs || employeeID.isEmpty
                            ? "HR no longer lists them; remove the row, or check the roster export"
                            : "the roster has no employee_id column: match by email instead"))
                return nil
            }
            guard let values, !diagnostics.hasErrors else { return nil }
            return roster.position(of: person).map { ($0, values) }
        }

        /// Reads and checks every team column of the row.
        mutating func values(forumIDs: Set<String>) -> Values? {
            var values = Values()
            var ok = true
            func note(_ column: String) { values.columns.insert(column) }
            if let text = value("opt_out"), !text.isEmpty {
                switch text.lowercased() {
                case "none", "no": values.optOut = OptOut.none
                case "reminders": values.optOut = .reminders
                case "all": values.optOut = .all
                default:
                    error("opt_out", "opt_out must be empty, 'none', 'reminders' or 'all'; got '\(text)'")
                    ok = false
                }
                note("opt_out")
            }
            if let text = value("interim"), !text.isEmpty {
                switch text.lowercased() {
                case "no", "n", "false", "0": values.interim = false
                case "yes", "y", "true", "1": values.interim = true
                default:
                    error("interim", "interim must be yes or no (or empty to keep the roster's); got '\(text)'")
                    ok = false
                }
                note("interim")
            }
            if let text = value("delegate"), !text.isEmpty {
                if text == PeopleOverlay.noDelegate {
                    values.delegate = .some(nil)
                } else if let problem = EmailAddress.problem(with: text) {
                    error(
                        "delegate", "bad delegate email '\(text)': it \(problem)",
                        hint: "'-' means no delegate, whatever the roster lists")
                    ok = false
                } else {
                    values.delegate = .some(text)
                }
                note("delegate")
            }
            if let text = value("delegate_mode"), !text.isEmpty {
                if let mode = DelegateMode(column: text) {
                    values.delegateMode = mode
                } else {
                    error(
                        "delegate_mode",
                        "delegate_mode must be one of " + PeopleOverlay.delegateModes.joined(separator: ", ")
                            + "; got '\(text)'")
                    ok = false
                }
                note("delegate_mode")
            }
            if let text = value("forums"), !text.isEmpty {
                for item in text.split(separator: ";") {
                    let id = item.trimmingCharacters(in: .whitespaces)
                    let bare = id.hasPrefix("-") ? String(id.dropFirst()) : id
                    guard !bare.isEmpty else { continue }
                    if !forumIDs.contains(bare) {
                        error(
                            "forums", "unknown forum '\(bare)'",
                            hint: "forums: " + forumIDs.sorted().joined(separator: ", "))
                        ok = false
                    } else if id.hasPrefix("-") {
                        values.removedForums.append(bare)
                    } else {
                        values.addedForums.append(bare)
                    }
                }
                note("forums")
            }
            if let text = value("first_name"), !text.isEmpty {
                values.firstName = text
                note("first_name")
            }
            if let field = field("notes") {
                let text = field.text.trimmingCharacters(in: .whitespacesAndNewlines)
                let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
                    .replacingOccurrences(of: "\t", with: " ")
                if let problem = EmailAddress.controlCharacter(in: flat) {
                    error("notes", "notes \(problem)", hint: "notes may hold line breaks, not other control characters")
                    ok = false
                } else if !text.isEmpty {
                    values.notes = text
                    note("notes")
                }
            }
            return ok ? values : nil
        }
    }
}
