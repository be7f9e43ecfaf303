import Foundation

/// Reads the HR roster export into people, reporting every bad row with its line.
public enum RosterParser {
    /// The columns convene reads; any others (HR exports have many) are ignored and never validated or used.
    public static let columns = Column.allCases.map(\.name)
    static let required: [Column] = [.email, .name, .grade]

    /// A column convene reads; the raw value is its place in `ColumnPositions`.
    enum Column: Int, CaseIterable {
        case email, name, firstName, grade, department, roles, forums, interim, delegate, delegateMode, optOut,
            employeeID, notes

        /// As named in the header row (after `normaliseColumn`).
        var name: String {
            switch self {
            case .email: "email"
            case .name: "name"
            case .firstName: "first_name"
            case .grade: "grade"
            case .department: "department"
            case .roles: "roles"
            case .forums: "forums"
            case .interim: "interim"
            case .delegate: "delegate"
            case .delegateMode: "delegate_mode"
            case .optOut: "opt_out"
            case .employeeID: "employee_id"
            case .notes: "notes"
            }
        }

        init?(name: String) {
            guard let column = Column.allCases.first(where: { $0.name == name }) else { return nil }
            self = column
        }
    }

    /// Where each column convene reads is in the file's rows: found once from the header, not looked up by name for
    /// every field of a national roster.
    struct ColumnPositions {
        private var positions = [Int?](repeating: nil, count: Column.allCases.count)

        subscript(column: Column) -> Int? {
            get { positions[column.rawValue] }
            set { positions[column.rawValue] = newValue }
        }
    }

    /// Parses the roster bytes. `forumIDs` are the forums the `forums` column may name. `roles`, when given, are the
    /// roles some forum's `roles:` names: any other role in the `roles` column is a warning (once per role, where it
    /// first appears), since a misspelt role silently leaves its holder out of the forum.
    public static func parse(
        _ bytes: [UInt8], file: String, grades: GradeTable, forumIDs: Set<String>, roles: Set<String>? = nil
    ) -> (roster: Roster, diagnostics: [Diagnostic]) {
        var (records, diagnostics) = CSVReader.read(bytes, file: file)
        guard let header = records.first else {
            if diagnostics.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        file: file, line: 1, column: 1, message: "the roster is empty: a header row is required",
                        hint: "columns: " + columns.joined(separator: ", ")))
            }
            return (Roster(file: file, people: []), diagnostics)
        }
        var index = ColumnPositions()
        for (position, field) in header.fields.enumerated() {
            guard let column = Column(name: normaliseColumn(field.text)) else { continue }
            if index[column] != nil {
                diagnostics.append(
                    Diagnostic(file: file, location: field.location, message: "column '\(column.name)' appears twice"))
            }
            index[column] = index[column] ?? position
        }
        let missing = required.filter { index[$0] == nil }
        if !missing.isEmpty {
            diagnostics.append(
                Diagnostic(
                    file: file, location: header.fields[0].location,
                    message: "the header row lacks required column" + (missing.count > 1 ? "s " : " ")
                        + missing.map { "'\($0.name)'" }.joined(separator: ", "),
                    hint: "the first row must name the columns: " + columns.joined(separator: ", ")))
            return (Roster(file: file, people: []), diagnostics)
        }
        var people: [Person] = []
        var warned: Set<String> = []
        // The roster's own index, built here once while duplicates are checked.
        var positions: [String: Int] = [:]
        // Where each employee number was first seen: a number names one person.
        var employeeLines: [String: Int] = [:]
        people.reserveCapacity(records.count - 1)
        positions.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            var row = RowReader(record: record, index: index, file: file)
            if let person = row.person(grades: grades, forumIDs: forumIDs) {
                if let first = positions[person.key] {
                    row.error(.email, "duplicate email '\(person.email)' (first on line \(people[first].line))")
                } else if let id = person.employeeID, let first = employeeLines[id] {
                    row.error(.employeeID, "duplicate employee_id '\(id)' (first on line \(first))")
                } else {
                    if let id = person.employeeID { employeeLines[id] = person.line }
                    positions[person.key] = people.count
                    people.append(person)
                }
            }
            diagnostics += row.diagnostics
            if let roles, let column = index[.roles], column < record.fields.count {
                for role in Self.roles(in: record.fields[column].text)
                where !roles.contains(role) && warned.insert(role).inserted {
                    diagnostics.append(
                        Diagnostic(
                            file: file, location: record.fields[column].location, severity: .warning,
                            message:
                                "unknown role '\(role)': no forum's 'roles:' names it, so it puts nobody in a forum",
                            hint: roles.isEmpty
                                ? "no forum has 'roles:'; check the spelling or remove the role"
                                : "roles the forums name: " + roles.sorted().joined(separator: ", ")))
                }
            }
        }
        return (Roster(file: file, people: people, positions: positions), diagnostics)
    }

    /// The `roles` column's `;`-separated roles, trimmed and lower-cased.
    static func roles(in text: String) -> [String] {
        text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// `First Name`, `first-name`, `FIRST_NAME` → `first_name`.
    static func normaliseColumn(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// One data row: reads and checks each column it needs, collecting problems.
    struct RowReader {
        let record: CSVRecord
        let index: ColumnPositions
        let file: String
        var diagnostics: [Diagnostic] = []

        func field(_ column: Column) -> CSVField? {
            guard let i = index[column], i < record.fields.count else { return nil }
            return record.fields[i]
        }

        mutating func error(_ column: Column, _ message: String, hint: String? = nil) {
            let location = field(column)?.location ?? SourceLocation(line: record.line, column: 1)
            diagnostics.append(Diagnostic(file: file, location: location, message: message, hint: hint))
        }

        /// The trimmed value of a column, or nil (with an error) if it holds a control character.
        mutating func value(_ column: Column) -> String? {
            guard let field = field(column) else { return "" }
            if let problem = EmailAddress.controlCharacter(in: field.text) {
                error(
                    column, "\(column.name) \(problem)",
                    hint: "line breaks and control characters would reach mail headers; remove them")
                return nil
            }
            let utf8 = field.text.utf8
            guard utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ") else { return field.text }
            return field.text.trimmingCharacters(in: .whitespaces)
        }

        /// A free-text column (`notes`): line breaks and tabs are kept (notes reach no message, only `recipients`),
        /// other control characters are refused, since they would reach the admin's terminal.
        mutating func notesValue(_ column: Column) -> String? {
            guard let field = field(column) else { return "" }
            let text = field.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let stripped = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "\t", with: " ")
            if let problem = EmailAddress.controlCharacter(in: stripped) {
                error(
                    column, "\(column.name) \(problem)",
                    hint: "notes may hold line breaks, not other control characters")
                return nil
            }
            return text
        }

        mutating func person(grades: GradeTable, forumIDs: Set<String>) -> Person? {
            var ok = true
            let email = value(.email)
            let name = value(.name)
            let gradeText = value(.grade)
            let firstName = value(.firstName)
            let department = value(.department)
            let roles = value(.roles)
            let forums = value(.forums)
            let interimText = value(.interim)
            let delegate = value(.delegate)
            let delegateModeText = value(.delegateMode)
            let optOutText = value(.optOut)
            let employeeID = value(.employeeID)
            let notes = notesValue(.notes)
            if let email {
                if email.isEmpty {
                    error(.email, "missing email")
                    ok = false
                } else if let problem = EmailAddress.problem(with: email) {
                    error(.email, "bad email '\(email)': it \(problem)")
                    ok = false
                }
            } else {
                ok = false
            }
            if let name, name.isEmpty {
                error(.name, "missing name")
                ok = false
            }
            if name == nil { ok = false }
            var gradeID = ""
            if let gradeText {
                if gradeText.isEmpty {
                    error(.grade, "missing grade")
                    ok = false
                } else if let grade = grades.grade(gradeText) {
                    gradeID = grade.id
                } else {
                    error(
                        .grade, "unknown grade '\(gradeText)'",
                        hint: "grades and aliases: "
                            + grades.grades.flatMap { [$0.id] + $0.aliases }.joined(separator: ", "))
                    ok = false
                }
            } else {
                ok = false
            }
            var added: [String] = []
            var removed: [String] = []
            for item in (forums ?? "").split(separator: ";") {
                let id = item.trimmingCharacters(in: .whitespaces)
                let bare = id.hasPrefix("-") ? String(id.dropFirst()) : id
                guard !bare.isEmpty else { continue }
                if !forumIDs.contains(bare) {
                    error(
                        .forums, "unknown forum '\(bare)'", hint: "forums: " + forumIDs.sorted().joined(separator: ", ")
                    )
                    ok = false
                } else if id.hasPrefix("-") {
                    removed.append(bare)
                } else {
                    added.append(bare)
                }
            }
            var interim = false
            switch (interimText ?? "").lowercased() {
            case "", "no", "n", "false", "0": interim = false
            case "yes", "y", "true", "1": interim = true
            default:
                error(.interim, "interim must be yes or no; got '\(interimText ?? "")'")
                ok = false
            }
            var optOut = OptOut.none
            switch (optOutText ?? "").lowercased() {
            case "", "none", "no": optOut = .none
            case "reminders": optOut = .reminders
            case "all": optOut = .all
            default:
                error(.optOut, "opt_out must be empty, 'reminders' or 'all'; got '\(optOutText ?? "")'")
                ok = false
            }
            let delegateMode = DelegateMode(column: delegateModeText ?? "")
            if delegateMode == nil {
                error(
                    .delegateMode,
                    "delegate_mode must be copy, instead or invitations; got '\(delegateModeText ?? "")'",
                    hint: DelegateMode.hint)
                ok = false
            }
            var delegateAddress: String?
            if let delegate, !delegate.isEmpty {
                if let problem = EmailAddress.problem(with: delegate) {
                    error(.delegate, "bad delegate email '\(delegate)': it \(problem)")
                    ok = false
                } else if delegate.lowercased() == email?.lowercased() {
                    error(.delegate, "a person cannot be their own delegate")
                    ok = false
                } else {
                    delegateAddress = delegate
                }
            }
            if let delegateMode, delegateMode != .copy, delegateAddress == nil, delegate?.isEmpty == true {
                // Harmless (they receive their own messages) but surely not what was meant.
                let location = field(.delegateMode)?.location ?? SourceLocation(line: record.line, column: 1)
                diagnostics.append(
                    Diagnostic(
                        file: file, location: location, severity: .warning,
                        message: "delegate_mode '\(delegateMode.rawValue)' without a delegate: the person receives "
                            + "their own messages",
                        hint: "fill in the delegate column, or empty delegate_mode"))
            }
            guard ok, firstName != nil, department != nil, roles != nil, delegate != nil, notes != nil, let employeeID,
                let email,
                let name
            else {
                return nil
            }
            let roleList = RosterParser.roles(in: roles ?? "")
            return Person(
                email: email, name: name, firstName: firstName?.isEmpty == false ? firstName : nil, grade: gradeID,
                department: department ?? "", roles: roleList, addedForums: added, removedForums: removed,
                interim: interim, delegate: delegateAddress, delegateMode: delegateMode ?? .copy, optOut: optOut,
                line: record.line,
                employeeID: employeeID.isEmpty ? nil : employeeID, notes: notes ?? "")
        }
    }
}
