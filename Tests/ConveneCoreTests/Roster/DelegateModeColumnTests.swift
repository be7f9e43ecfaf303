import Testing

@testable import ConveneCore

/// The roster's `delegate_mode` column: empty is `copy`, any case of the three values is read, anything else is a
/// diagnostic at the field that lists the values.
struct DelegateModeColumnTests {
    @Test(arguments: [
        ("", DelegateMode.copy), ("copy", .copy), ("instead", .instead), ("Instead", .instead),
        (" invitations ", .invitations), ("INVITATIONS", .invitations),
    ])
    func eachValueIsRead(_ text: String, _ mode: DelegateMode) throws {
        let (roster, diagnostics) = RosterFixture.parse(
            "email,name,grade,delegate,delegate_mode\nann@example.gov.uk,Ann Ash,PS,po@example.gov.uk,\"\(text)\"\n")
        #expect(diagnostics == [])
        #expect(try #require(roster.people.first).delegateMode == mode)
    }

    @Test func aRosterWithoutTheColumnCopiesTheDelegate() throws {
        let (roster, _) = RosterFixture.parse(
            "email,name,grade,delegate\nann@example.gov.uk,Ann Ash,PS,po@example.gov.uk\n")
        #expect(try #require(roster.people.first).delegateMode == .copy)
    }

    @Test func anUnknownValueIsAnErrorAtItsFieldListingTheValues() {
        let (roster, diagnostics) = RosterFixture.parse(
            """
            email,name,grade,delegate,delegate_mode
            ann@example.gov.uk,Ann Ash,PS,po@example.gov.uk,bcc
            bob@example.gov.uk,Bob Birch,PS,po@example.gov.uk,instead

            """)
        #expect(roster.people.map(\.email) == ["bob@example.gov.uk"])
        #expect(diagnostics.count == 1)
        let diagnostic = diagnostics.first
        #expect(
            diagnostic?.description.hasPrefix(
                "roster.csv:2:49: error: delegate_mode must be copy, instead or invitations; got 'bcc'") == true,
            "\(diagnostics)")
        #expect(diagnostic?.hint?.contains("copy") == true && diagnostic?.hint?.contains("invitations") == true)
    }

    @Test func aModeWithoutADelegateIsAWarning() throws {
        let (roster, diagnostics) = RosterFixture.parse(
            "email,name,grade,delegate,delegate_mode\nann@example.gov.uk,Ann Ash,PS,,instead\n")
        #expect(try #require(roster.people.first).delegate == nil)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(
            diagnostics.first?.description.hasPrefix(
                "roster.csv:2:32: warning: delegate_mode 'instead' without a delegate") == true, "\(diagnostics)")
    }
}
