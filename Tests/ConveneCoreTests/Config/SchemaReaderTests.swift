import Testing

@testable import ConveneCore

/// A one-line field (title, location, id, phrases) reading what YAML gives for `key: VALUE`.
private func oneLine(_ yaml: String, multiline: Bool = false) -> (String?, [Diagnostic]) {
    guard case .success(let root?) = YAMLParser.parse(yaml, file: "c.yaml"), case .mapping(let pairs) = root.value,
        let node = pairs.first?.value
    else {
        Issue.record("\(yaml) does not parse to a mapping")
        return (nil, [])
    }
    let reader = SchemaReader(file: "c.yaml")
    return (reader.scalar(node, "'location'", multiline: multiline), reader.diagnostics)
}

struct SchemaReaderOneLineTests {
    @Test(arguments: [
        ("location: >\n  Online\n", "Online"),
        ("location: |\n  Online\n", "Online"),
        ("location: >-\n  Online\n", "Online"),
        ("location: |+\n  Online\n", "Online"),
        ("location: >\n  Online\n\n\n", "Online"),
        ("location: >\n  Lancaster House,\n  London SW1A 1BB\n", "Lancaster House, London SW1A 1BB"),
        ("location: >2\n   Online\n", " Online"),
        ("location: >\r\n  Online\r\n", "Online"),
    ])
    func aBlockWhoseOnlyLineBreakIsTheLastIsOneLine(yaml: String, expected: String) {
        let (text, diagnostics) = oneLine(yaml)
        #expect(diagnostics == [])
        #expect(text == expected)
    }

    @Test(arguments: [
        ("location: |\n  Lancaster House\n  London\n", "'|' block", "'|' keeps every line break"),
        ("location: |-\n  Lancaster House\n  London\n", "'|' block", "'|' keeps every line break"),
        ("location: >\n  Lancaster House\n\n  London\n", "'>' block", "empty or more-indented line"),
        ("location: >\n  Lancaster House\n    London\n", "'>' block", "empty or more-indented line"),
        ("location: >+\n  Online\n\n", "'>' block", "'>+' the empty lines at the end"),
        ("location: >\n\n  Online\n", "'>' block", "empty or more-indented line"),
    ])
    func anyOtherLineBreakInABlockIsRefusedAtItsIndicatorNamingFoldedStrip(yaml: String, block: String, why: String) {
        let (text, diagnostics) = oneLine(yaml)
        #expect(text == nil)
        #expect(diagnostics.count == 1)
        let diagnostic = diagnostics.first
        #expect(diagnostic?.location == SourceLocation(line: 1, column: 11))
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.message == "'location' must be one line, but this \(block) has a line break inside it")
        #expect(diagnostic?.hint?.contains("write '>-' (folded, strip)") == true)
        #expect(diagnostic?.hint?.contains(why) == true)
    }

    @Test(arguments: [
        ("location: \"Online\\n\"\n", "'location' contains a line feed (LF)"),
        ("location: Lancaster\n\n  House\n", "'location' contains a line feed (LF)"),
        ("location: \"On\\tline\"\n", "'location' contains a tab character"),
        ("location: >\n  On\tline\n", "'location' contains a tab character"),
    ])
    func quotedAndPlainScalarsStayStrict(yaml: String, message: String) {
        let (text, diagnostics) = oneLine(yaml)
        #expect(text == nil)
        #expect(diagnostics.map(\.message) == [message])
        #expect(diagnostics.first?.hint == "write it on one line")
    }

    @Test func aMultiLineFieldKeepsEveryLineBreak() {
        let (text, diagnostics) = oneLine("description: |\n  One.\n  Two.\n", multiline: true)
        #expect(diagnostics == [])
        #expect(text == "One.\nTwo.\n")
    }
}
