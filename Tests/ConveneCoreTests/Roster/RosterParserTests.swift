import Testing

@testable import ConveneCore

/// Fixtures shared by roster and audience tests: the example's grades and forums.
enum RosterFixture {
    static let grades = GradeTable([
        Grade(id: "PS", name: "Permanent Secretary", aliases: ["Perm Sec", "SCS4"]),
        Grade(id: "DG", name: "Director General", aliases: ["SCS3"]),
        Grade(id: "SCS2", name: "Director"),
        Grade(id: "CE", name: "Chief Executive"),
    ])
    static let forumIDs: Set<String> = ["cslg", "hod", "pslg", "directors"]

    static func parse(_ text: String) -> (roster: Roster, diagnostics: [Diagnostic]) {
        RosterParser.parse(Array(text.utf8), file: "roster.csv", grades: grades, forumIDs: forumIDs)
    }
}

struct RosterParserTests {
    @Test func excelExportWithBOMCRLFAndQuotedMultilineFieldLoads() {
        let text =
            "\u{FEFF}email,name,grade,department,notes\r\n"
            + "ann.ash@example.gov.uk,Ann Ash,PS,\"Treasury, HM\",\"first line\r\nsecond \"\"quoted\"\" line\"\r\n"
            + "bob.birch@example.gov.uk,\"Birch, Bob\",SCS3,Home Office,\r\n"
            + "\r\n\r\n"
        let (roster, diagnostics) = RosterFixture.parse(text)
        #expect(diagnostics == [])
        #expect(roster.people.map(\.email) == ["ann.ash@example.gov.uk", "bob.birch@example.gov.uk"])
        #expect(roster.people[0].department == "Treasury, HM")
        #expect(roster.people[1].name == "Birch, Bob")
        #expect(roster.people[1].grade == "DG", "an alias resolves to its grade id")
        #expect(roster.people[1].line == 4, "the quoted newline makes record 2 start on line 4")
    }

    @Test func everyBadRowIsReportedWithItsLine() {
        let text = """
            email,name,grade
            good@example.gov.uk,Good Person,PS
            not-an-address,Bad Email,PS
            unknown@example.gov.uk,Unknown Grade,SCS9
            GOOD@example.gov.uk,Duplicate,DG
            "cr@example.gov.uk","Carriage\rReturn",DG
            missing@example.gov.uk,,DG

            """
        let (roster, diagnostics) = RosterFixture.parse(text)
        #expect(roster.people.map(\.email) == ["good@example.gov.uk"])
        let found = diagnostics.map { "\($0.line):\($0.column) \($0.message)" }
        #expect(found.count == 5)
        #expect(found[0] == "3:1 bad email 'not-an-address': it has no '@'")
        #expect(found[1] == "4:38 unknown grade 'SCS9'")
        #expect(found[2] == "5:1 duplicate email 'GOOD@example.gov.uk' (first on line 2)")
        #expect(found[3] == "6:21 name contains a carriage return (CR)")
        #expect(found[4] == "8:24 missing name", "a lone CR ends a line, as in a text editor")
        #expect(diagnostics.allSatisfy { $0.file == "roster.csv" && $0.severity == .error })
    }

    @Test func missingRequiredColumnsAreNamed() {
        let (_, diagnostics) = RosterFixture.parse("email,full name\nx@example.gov.uk,X\n")
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].message == "the header row lacks required columns 'name', 'grade'")
        #expect(diagnostics[0].line == 1)
    }

    @Test func optionalColumnsAreTyped() {
        let text = """
            Email,Name,First Name,Grade,Roles,Forums,Interim,Delegate,Opt_Out
            a@example.gov.uk,Dr Ann Ash,Ann,DG,Head-of-Department; Champion,directors;-pslg,yes,po@example.gov.uk,reminders
            b@example.gov.uk,Bob Birch,,CE,,,,,all

            """
        let (roster, diagnostics) = RosterFixture.parse(text)
        #expect(diagnostics == [])
        let ann = roster.people[0]
        #expect(ann.firstName == "Ann")
        #expect(ann.roles == ["head-of-department", "champion"])
        #expect(ann.addedForums == ["directors"])
        #expect(ann.removedForums == ["pslg"])
        #expect(ann.interim)
        #expect(ann.delegate == "po@example.gov.uk")
        #expect(ann.optOut == .reminders)
        #expect(roster.people[1].firstName == "Bob")
        #expect(roster.people[1].optOut == .all)
    }

    @Test(arguments: [
        ("a@example.gov.uk,A,PS,maybe,,", "interim must be yes or no; got 'maybe'"),
        ("a@example.gov.uk,A,PS,,sometimes,", "opt_out must be empty, 'reminders' or 'all'; got 'sometimes'"),
        ("a@example.gov.uk,A,PS,,,a@example.gov.uk", "a person cannot be their own delegate"),
        ("a@example.gov.uk,A,PS,,,po@@x", "bad delegate email 'po@@x': it has more than one '@'"),
        ("a@example.gov.uk,A\u{0},PS,,,", "name contains a NUL character"),
    ])
    func badOptionalValuesAreErrors(row: String, message: String) {
        let (roster, diagnostics) = RosterFixture.parse("email,name,grade,interim,opt_out,delegate\n\(row)\n")
        #expect(roster.people.isEmpty)
        #expect(diagnostics.map(\.message) == [message])
    }

    @Test func unclosedQuoteIsLocatedAndLaterRowsStillRead() {
        let text = "email,name,grade\n\"a@example.gov.uk,A,PS\n"
        let (_, diagnostics) = RosterFixture.parse(text)
        #expect(diagnostics.map { "\($0.line):\($0.column) \($0.message)" } == ["2:1 a quoted field is never closed"])
    }

    @Test func invalidUTF8IsReportedNotMisread() {
        var bytes = Array("email,name,grade\na@example.gov.uk,Zo".utf8)
        bytes += [0xEB]  // Windows-1252 ë
        bytes += Array(",PS\n".utf8)
        let (_, diagnostics) = RosterParser.parse(
            bytes, file: "roster.csv", grades: RosterFixture.grades, forumIDs: RosterFixture.forumIDs)
        #expect(diagnostics.map(\.message) == ["the roster is not valid UTF-8"])
        #expect(diagnostics.first?.line == 2)
    }
}
