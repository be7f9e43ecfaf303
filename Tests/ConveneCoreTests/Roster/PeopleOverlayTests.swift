import Testing

@testable import ConveneCore

/// The team's `people.csv` merged over HR's roster: which value wins, how a value is cleared, where each fact came
/// from, and what is refused.
struct PeopleOverlayTests {
    static let roster = """
        employee_id,email,name,grade,forums,interim,delegate,opt_out,notes
        E1,ann@example.gov.uk,Ann Ash,PS,hod,yes,po.ann@example.gov.uk,reminders,HR note
        E2,bob@example.gov.uk,Bob Birch,DG,,,,,
        E3,cat@example.gov.uk,Cat Cole,SCS2,-directors,,,,

        """

    static func apply(_ overlay: String, roster text: String = roster) -> (Roster, [Diagnostic]) {
        let (roster, rosterDiagnostics) = RosterFixture.parse(text)
        #expect(rosterDiagnostics == [])
        return PeopleOverlay.apply(
            Array(overlay.utf8), file: "/etc/convene/people.csv", to: roster,
            forumIDs: RosterFixture.forumIDs)
    }

    /// One overlay cell over one roster row (Ann's, or Bob's with no team facts): the merged value and its source.
    @Test(arguments: [
        // An empty overlay cell leaves HR's value, and HR's row stays its source.
        ("E1", "opt_out", "", "reminders", "roster.csv:2"),
        ("E1", "opt_out", "all", "all", "people.csv:2"),
        ("E1", "opt_out", "none", "none", "people.csv:2"),
        ("E2", "opt_out", "reminders", "reminders", "people.csv:2"),
        ("E1", "delegate", "", "po.ann@example.gov.uk", "roster.csv:2"),
        ("E1", "delegate", "diary.ann@example.gov.uk", "diary.ann@example.gov.uk", "people.csv:2"),
        ("E1", "delegate", "-", "nil", "people.csv:2"),
        ("E1", "delegate_mode", "", "copy", "nil"),
        ("E1", "delegate_mode", "Instead", "instead", "people.csv:2"),
        ("E1", "interim", "", "true", "roster.csv:2"),
        ("E1", "interim", "no", "false", "people.csv:2"),
        ("E2", "interim", "yes", "true", "people.csv:2"),
        ("E2", "first_name", "Robert", "Robert", "people.csv:2"),
        ("E2", "notes", "Prefers mornings", "Prefers mornings", "people.csv:2"),
        ("E1", "notes", "", "HR note", "roster.csv:2"),
        // Forums merge by id: `-hod` undoes HR's `hod`, `cslg` adds to it.
        ("E1", "forums", "-hod;cslg", "+cslg -hod", "people.csv:2"),
        ("E3", "forums", "directors", "+directors", "people.csv:2"),
        ("E2", "forums", "", "", "nil"),
    ])
    func anOverlayValueWinsAndSaysWhereItCameFrom(
        employee: String, column: String, cell: String, expected: String, source: String
    ) {
        let (roster, diagnostics) = Self.apply("employee_id,\(column)\n\(employee),\(cell)\n")
        #expect(diagnostics == [])
        let person = roster.person(employeeID: employee)!
        let value: String =
            switch column {
            case "opt_out": person.optOut.rawValue
            case "delegate": person.delegate ?? "nil"
            case "delegate_mode": person.delegateMode.rawValue
            case "interim": "\(person.interim)"
            case "first_name": person.firstName
            case "notes": person.notes
            default:
                (person.addedForums.map { "+" + $0 } + person.removedForums.map { "-" + $0 }).joined(separator: " ")
            }
        #expect(value == expected)
        #expect(roster.sources(of: person)[column] ?? "nil" == source)
    }

    @Test func rowsMatchByEmployeeNumberEvenWhenTheTeamsAddressIsOld() {
        let (roster, diagnostics) = Self.apply(
            """
            employee_id,email,opt_out
            E2,bob.old@example.gov.uk,all
            ,cat@example.gov.uk,reminders

            """)
        #expect(diagnostics == [])
        #expect(roster.person("bob@example.gov.uk")?.optOut == .all)
        #expect(roster.person("cat@example.gov.uk")?.optOut == .reminders, "no number: matched by address")
        #expect(roster.overlay?.applied == 2)
    }

    @Test func aRowForSomeoneHRNoLongerListsIsAWarningNotAPerson() {
        let (roster, diagnostics) = Self.apply(
            """
            employee_id,email,delegate
            E9,gone@example.gov.uk,po@example.gov.uk
            ,left@example.gov.uk,-

            """)
        #expect(
            diagnostics.map(\.description)
                == [
                    "/etc/convene/people.csv:2:1: warning: no one in the roster has employee_id 'E9': the row is ignored",
                    "/etc/convene/people.csv:3:2: warning: no one in the roster has email 'left@example.gov.uk': the row is ignored",
                ].map { $0 + "\n    hint: HR no longer lists them; remove the row, or check the roster export" })
        #expect(roster.people.count == 3)
        #expect(roster.overlay?.applied == 0)
        #expect(roster.person("gone@example.gov.uk") == nil)
    }

    @Test func aColumnHROwnsIsIgnoredWithOneWarning() {
        let (roster, diagnostics) = Self.apply(
            """
            email,grade,Department,opt_out
            ann@example.gov.uk,CE,Cabinet Office,all
            bob@example.gov.uk,CE,Cabinet Office,

            """)
        #expect(diagnostics.allSatisfy { $0.severity == .warning })
        #expect(
            diagnostics.map { "\($0.line):\($0.column) \($0.message)" } == [
                "1:7 column 'grade' is ignored: HR's roster owns it, not the team's file",
                "1:13 column 'department' is ignored: HR's roster owns it, not the team's file",
            ])
        #expect(roster.person("ann@example.gov.uk")?.grade == "PS")
        #expect(roster.person("ann@example.gov.uk")?.optOut == .all)
    }

    @Test(arguments: [
        ("opt_out", "sometimes", "2:4: error: opt_out must be empty, 'none', 'reminders' or 'all'; got 'sometimes'"),
        ("interim", "maybe", "2:4: error: interim must be yes or no (or empty to keep the roster's); got 'maybe'"),
        ("delegate", "not-an-address", "2:4: error: bad delegate email 'not-an-address': it has no '@'"),
        ("delegate", "bob@example.gov.uk", "2:4: error: a person cannot be their own delegate"),
        ("forums", "cslg;nope", "2:4: error: unknown forum 'nope'"),
        (
            "delegate_mode", "sometimes",
            "2:4: error: delegate_mode must be one of copy, instead, invitations; got 'sometimes'"
        ),
        ("first_name", "Bob\u{7}", "2:4: error: first_name contains a control character (U+0007)"),
    ])
    func aBadValueIsAnErrorAtItsCellAndChangesNothing(column: String, cell: String, expected: String) {
        let (roster, diagnostics) = Self.apply("employee_id,\(column)\nE2,\(cell)\n")
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first.map { "\($0.line):\($0.column): error: \($0.message)" } == expected)
        #expect(roster.overlay == nil, "a file with errors is not applied")
    }

    @Test func twoRowsForOnePersonAreAnError() {
        let (_, diagnostics) = Self.apply("email,opt_out\nbob@example.gov.uk,all\nBOB@example.gov.uk,none\n")
        #expect(
            diagnostics.map(\.description) == [
                "/etc/convene/people.csv:3:1: error: a second row for bob@example.gov.uk (first on line 2)\n"
                    + "    hint: keep one row per person"
            ])
    }

    @Test func aFileWithNoKeyColumnIsAnError() {
        let (_, diagnostics) = Self.apply("name,opt_out\nBob Birch,all\n")
        #expect(
            diagnostics.contains {
                $0.severity == .error && $0.message.hasPrefix("the header row names neither 'employee_id' nor 'email'")
            })
    }

    @Test func aFreshExportWithoutTheTeamsColumnsGivesTheSamePeople() {
        let withTeamColumns = RosterFixture.parse(Self.roster).roster
        let (fresh, diagnostics) = Self.apply(
            """
            employee_id,opt_out,delegate,interim,forums,notes
            E1,reminders,po.ann@example.gov.uk,yes,hod,HR note
            E3,,,,-directors,

            """,
            roster: """
                employee_id,email,name,grade
                E1,ann@example.gov.uk,Ann Ash,PS
                E2,bob@example.gov.uk,Bob Birch,DG
                E3,cat@example.gov.uk,Cat Cole,SCS2

                """)
        #expect(diagnostics == [])
        #expect(fresh.people == withTeamColumns.people)
    }
}

/// The roster's `employee_id` column: a person's identity when present.
struct EmployeeIDTests {
    @Test func anEmployeeNumberNamesOnePerson() {
        let (roster, diagnostics) = RosterFixture.parse(
            """
            employee_id,email,name,grade
            E1,ann@example.gov.uk,Ann Ash,PS
            E1,bob@example.gov.uk,Bob Birch,DG
            ,cat@example.gov.uk,Cat Cole,DG

            """)
        #expect(
            diagnostics.map { "\($0.line):\($0.column): \($0.message)" } == [
                "3:1: duplicate employee_id 'E1' (first on line 2)"
            ])
        #expect(roster.person(employeeID: "E1")?.email == "ann@example.gov.uk")
        #expect(roster.person("cat@example.gov.uk")?.employeeID == nil, "an empty number: known by address")
    }
}
