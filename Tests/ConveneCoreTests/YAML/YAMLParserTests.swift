import Testing

@testable import ConveneCore

/// Parses `text`, recording a test issue (with the diagnostics) when it fails.
private func parsed(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> YAMLNode? {
    switch YAMLParser.parse(text, file: "convene.yaml") {
    case .success(let node):
        return node
    case .failure(let diagnostics):
        Issue.record("unexpected errors: \(diagnostics.map(\.description))", sourceLocation: sourceLocation)
        return nil
    }
}

/// The diagnostics for `text`, recording a test issue when it parses.
private func diagnostics(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    switch YAMLParser.parse(text, file: "convene.yaml") {
    case .success(let node):
        Issue.record(
            "expected an error, parsed \(String(describing: node?.jsonObject))", sourceLocation: sourceLocation)
        return []
    case .failure(let diagnostics):
        return diagnostics
    }
}

/// The value at `key` of a mapping node.
private func value(_ node: YAMLNode?, _ key: String) -> YAMLNode? {
    guard case .mapping(let pairs)? = node?.value else { return nil }
    return pairs.first { $0.key == key }?.value
}

/// The pair at `key` of a mapping node.
private func pair(_ node: YAMLNode?, _ key: String) -> YAMLPair? {
    guard case .mapping(let pairs)? = node?.value else { return nil }
    return pairs.first { $0.key == key }
}

/// The items of a sequence node.
private func items(_ node: YAMLNode?) -> [YAMLNode] {
    guard case .sequence(let items)? = node?.value else { return [] }
    return items
}

private func at(_ line: Int, _ column: Int) -> ConveneCore.SourceLocation {
    ConveneCore.SourceLocation(line: line, column: column)
}

struct YAMLNodeLocationTests {
    static let document = """
        service:
          timezone: Europe/London
          empty:
        grades:
          - id: PS
            aliases: [Perm Sec, "SCS4"]
          -
        notes: |
          text

        """

    @Test func mappingsAndTheirKeysAreLocatedAtTheirFirstCharacter() {
        let root = parsed(Self.document)
        #expect(root?.location == at(1, 1))
        #expect(pair(root, "service")?.keyLocation == at(1, 1))
        #expect(value(root, "service")?.location == at(2, 3))
        #expect(pair(value(root, "service"), "timezone")?.keyLocation == at(2, 3))
        #expect(value(value(root, "service"), "timezone")?.location == at(2, 13))
    }

    @Test func anEmptyValueIsTheEmptyStringLocatedJustAfterItsIndicator() {
        let root = parsed(Self.document)
        let empty = value(value(root, "service"), "empty")
        #expect(empty?.value == .scalar(""))
        #expect(empty?.location == at(3, 9))
        let lastItem = items(value(root, "grades")).last
        #expect(lastItem?.value == .scalar(""))
        #expect(lastItem?.location == at(7, 4))
    }

    @Test func sequencesFlowSequencesAndTheirItemsAreLocated() {
        let root = parsed(Self.document)
        let grades = value(root, "grades")
        #expect(grades?.location == at(5, 3))
        let first = items(grades).first
        #expect(first?.location == at(5, 5))
        #expect(value(first, "id")?.location == at(5, 9))
        let aliases = value(first, "aliases")
        #expect(aliases?.location == at(6, 14))
        #expect(items(aliases).map(\.location) == [at(6, 15), at(6, 25)])
        #expect(items(aliases).map(\.value) == [.scalar("Perm Sec"), .scalar("SCS4")])
    }

    @Test func aBlockScalarIsLocatedAtItsIndicator() {
        let notes = value(parsed(Self.document), "notes")
        #expect(notes?.location == at(8, 8))
        #expect(notes?.value == .scalar("text\n"))
    }

    @Test func mappingsKeepFileOrder() {
        guard case .mapping(let pairs)? = parsed("zeta: 1\nalpha: 2\nmid: 3\n")?.value else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.map(\.key) == ["zeta", "alpha", "mid"])
    }
}

struct YAMLUnsupportedFeatureTests {
    @Test(arguments: [
        ("a: &x 1\n", "anchors (&name) are not supported", 1, 4),
        ("&a key: v\n", "anchors (&name) are not supported", 1, 1),
        ("a:\n  - &anchor x\n", "anchors (&name) are not supported", 2, 5),
        ("a: 1\nb: *x\n", "aliases (*name) are not supported", 2, 4),
        ("- *ref\n", "aliases (*name) are not supported", 1, 3),
        ("a: !!str 1\n", "tags (!tag) are not supported", 1, 4),
        ("- !tag x\n", "tags (!tag) are not supported", 1, 3),
        ("a: {b: 1}\n", "flow mappings ({…}) are not supported; use an indented block mapping", 1, 4),
        ("a: [x, {y: z}]\n", "flow mappings ({…}) are not supported; use an indented block mapping", 1, 8),
        ("key: [a: b]\n", "flow mappings ({…}) are not supported; use an indented block mapping", 1, 8),
        ("a: 1\n---\nb: 2\n", "multiple documents are not supported", 2, 1),
        ("a: 1\n...\nb: 2\n", "multiple documents are not supported", 3, 1),
        ("? a\n: b\n", "complex keys (?) are not supported", 1, 1),
        ("[a, b]: c\n", "complex keys (?) are not supported", 1, 7),
        ("a:\n\tb: 1\n", "tab characters are not allowed in indentation", 2, 1),
        ("a:\n  b: 1\n  \tc: 2\n", "tab characters are not allowed in indentation", 3, 3),
        ("-\t- x\n", "tab characters are not allowed in indentation", 1, 2),
        ("a: b\na: c\n", "duplicate key 'a' (first defined at line 1)", 2, 1),
        ("%YAML 1.2\n---\na: 1\n", "directives (%YAML, %TAG) are not supported", 1, 1),
    ])
    func anUnsupportedFeatureIsRejectedByNameAtItsPosition(yaml: String, message: String, line: Int, column: Int) {
        let errors = diagnostics(yaml)
        #expect(errors.count == 1)
        #expect(errors.first?.message == message)
        #expect(errors.first?.location == at(line, column))
        #expect(errors.first?.file == "convene.yaml")
    }

    @Test(arguments: ["Q&A", "a*b", "x!y", "50%", "a#b", "a,b", "what?", "x: y", "[z]", "@home"])
    func indicatorCharactersInsideTextAreOrdinaryText(text: String) {
        // Unquoted only where YAML itself reads them as text; the rest must be quoted and stay text.
        let plainIsText = !(text.hasPrefix("@") || text.hasPrefix("[") || text.contains(": "))
        let yaml = plainIsText ? "k: \(text)\n" : "k: '\(text)'\n"
        #expect(value(parsed(yaml), "k")?.value == .scalar(text))
    }

    @Test func severalDuplicateKeysAndTabsAreReportedTogetherInFileOrder() {
        let errors = diagnostics("a: 1\na: 2\nb:\n\tc: 1\n\td: 2\na: 3\n")
        #expect(
            errors.map { "\($0.line):\($0.column) \($0.message)" } == [
                "2:1 duplicate key 'a' (first defined at line 1)",
                "4:1 tab characters are not allowed in indentation",
                "5:1 tab characters are not allowed in indentation",
                "6:1 duplicate key 'a' (first defined at line 1)",
            ])
    }

    @Test func errorsCarryAHintAndPrintCompilerStyle() {
        let error = diagnostics("a: {b: 1}\n").first
        #expect(error?.description.hasPrefix("convene.yaml:1:4: error: flow mappings") == true)
        #expect(diagnostics("a:\n\tb: 1\n").first?.hint != nil)
    }

    @Test(arguments: [
        ("a: b: c\n", 1, 4),  // a mapping on its key's line
        ("key: - a\n", 1, 6),  // a sequence on its key's line
        ("a:\n  b: 1\n c: 2\n", 3, 2),  // lines up with nothing
        ("k: \"abc\n", 1, 4),  // never closed
        ("k: [a, b\n", 1, 4),  // never closed
        ("k: \"a\\qb\"\n", 1, 6),  // unknown escape
        ("k: \"v\"# c\n", 1, 7),  // comment without a space
        ("k: |x\n  a\n", 1, 5),  // junk after the header
        ("k: a\n  b: c\n", 2, 4),  // a key inside a multi-line value
        ("k: [a,, b]\n", 1, 7),  // empty item
        ("- a\nb: 1\n", 2, 1),  // a key after a top-level list
        ("k: 'a\nb'\n", 2, 1),  // continuation not indented
    ])
    func malformedDocumentsAreRejectedAtTheRightPlace(yaml: String, line: Int, column: Int) {
        let errors = diagnostics(yaml)
        #expect(errors.first?.location == at(line, column), "\(errors.map(\.description))")
    }

    @Test(arguments: [String(repeating: "[", count: 5000), String(repeating: "- ", count: 500) + "x\n"])
    func absurdlyDeepNestingIsAnErrorNotACrash(yaml: String) {
        let errors = diagnostics(yaml)
        #expect(errors.first?.message.contains("nested more than 64 levels") == true)
    }

    @Test(arguments: ["a: b\u{7}c\n", "a: b\u{2028}c\n", "a: b\u{85}c\n"])
    func controlCharactersAndAmbiguousLineSeparatorsAreRejected(yaml: String) {
        let errors = diagnostics(yaml)
        #expect(errors.map(\.location) == [at(1, 5)])
    }
}

struct YAMLScalarTests {
    @Test(arguments: [
        (#""a\tb""#, "a\tb"), (#""caf\u00e9""#, "café"), (#""\x41\x42""#, "AB"), (#""\U0001F600""#, "😀"),
        (#""a\\b""#, "a\\b"), (#""say \"hi\"""#, "say \"hi\""), (#""l1\nl2""#, "l1\nl2"), (#""a\/b""#, "a/b"),
        (#""\_""#, "\u{A0}"), ("\"tab\\\tend\"", "tab\tend"), (#""x # y""#, "x # y"),
        ("'it''s'", "it's"), (#"'a\nb'"#, "a\\nb"), (#"' # not a comment '"#, " # not a comment "),
        ("\"\"", ""), ("''", ""),
    ])
    func quotedScalarsDecodeTheirEscapes(quoted: String, expected: String) {
        #expect(value(parsed("k: \(quoted)\n"), "k")?.value == .scalar(expected))
    }

    @Test(arguments: [
        ("k: \"a\n  b\n\n  c\"\n", "a b\nc"),
        ("k: 'a  \n  b'\n", "a b"),
        ("k: \"a\\\n  b\"\n", "ab"),
        ("k: a\n  b\n\n  c\n", "a b\nc"),
        ("k: a # note\n", "a"),
        ("k:\n  a\n  b\n", "a b"),
    ])
    func multiLineFlowScalarsFoldLineBreaks(yaml: String, expected: String) {
        #expect(value(parsed(yaml), "k")?.value == .scalar(expected))
    }

    @Test(arguments: [
        ("k: |\n  a\n  b\n", "a\nb\n"),
        ("k: |-\n  a\n\n", "a"),
        ("k: |+\n  a\n\n", "a\n\n"),
        ("k: >\n  a\n  b\n\n  c\n", "a b\nc\n"),
        ("k: >-\n  a\n    b\n  c\n", "a\n  b\nc"),
        ("k: >\n\n  a\n", "\na\n"),
        ("k: |\n", ""),
        ("k: |\n    # text, not a comment\n  # a comment: less indented than the text\n", "# text, not a comment\n"),
        ("- |2\n    a\n", "  a\n"),
        ("- >1-\n  a\n  b\n", " a\n b"),
    ])
    func blockScalarsApplyChompingAndIndentation(yaml: String, expected: String) {
        let root = parsed(yaml)
        let node = items(root).first ?? value(root, "k")
        #expect(node?.value == .scalar(expected))
    }
}

struct YAMLConveneDocumentTests {
    @Test func valuesThatOtherParsersWouldTypeStayTheStringsTheAdminTyped() {
        let root = parsed(
            """
            umask: 0777
            enabled: no
            version: 1.10
            nothing: ~
            word: null
            time: 12:30
            on: on
            list: [yes, No, 010, 1e3]
            empty:

            """)
        let expected: [String: Any] = [
            "umask": "0777", "enabled": "no", "version": "1.10", "nothing": "~", "word": "null",
            "time": "12:30", "on": "on", "list": ["yes", "No", "010", "1e3"], "empty": "",
        ]
        #expect(YAMLFixtureSuiteTests.jsonEqual(root?.jsonObject ?? "", expected))
    }

    @Test func aRulesFileWithNestedListsAndMappingsParses() {
        let root = parsed(
            """
            ---
            service:
              timezone: Europe/London        # IANA zone
              from: Collective Leadership Team <team@example.gov.uk>
              send_window: 08:00-18:00 Mon-Fri
              max_roster_shrink: 10%
            smtp:
              url: smtp://smtp.example.gov.uk:587
            grades:                          # most senior first
              - id: PS
                name: Permanent Secretary
                aliases: [Perm Sec, SCS4]
            forums:
            - id: directors
              name: Directors' Network
            ...

            """)
        let expected: [String: Any] = [
            "service": [
                "timezone": "Europe/London", "from": "Collective Leadership Team <team@example.gov.uk>",
                "send_window": "08:00-18:00 Mon-Fri", "max_roster_shrink": "10%",
            ],
            "smtp": ["url": "smtp://smtp.example.gov.uk:587"],
            "grades": [["id": "PS", "name": "Permanent Secretary", "aliases": ["Perm Sec", "SCS4"]]],
            "forums": [["id": "directors", "name": "Directors' Network"]],
        ]
        #expect(YAMLFixtureSuiteTests.jsonEqual(root?.jsonObject ?? "", expected))
    }

    @Test(arguments: ["", "# only a comment\n\n", "---\n# nothing\n", "   \n"])
    func anEmptyDocumentHasNoRoot(yaml: String) {
        #expect(YAMLParser.parse(yaml, file: "x") == .success(nil))
    }

    @Test func windowsLineEndingsAndAByteOrderMarkAreAccepted() {
        let root = parsed("\u{FEFF}a: 1\r\nb:\r\n  - x\r\n")
        #expect(YAMLFixtureSuiteTests.jsonEqual(root?.jsonObject ?? "", ["a": "1", "b": ["x"]] as [String: Any]))
        #expect(pair(root, "b")?.keyLocation == at(2, 1))
    }

    @Test func aTopLevelScalarOrListIsReturnedAsIs() {
        #expect(parsed("hello world\n")?.value == .scalar("hello world"))
        #expect(items(parsed("- a\n- b\n")).map(\.value) == [.scalar("a"), .scalar("b")])
    }
}

/// The schema lets a one-line field drop the line break that ends a `>` or `|` block, and only that one: the parser
/// says which scalars are blocks.
struct YAMLScalarStyleTests {
    @Test(arguments: [
        ("k: >\n  Online\n", YAMLNode.Style.folded, "Online\n"),
        ("k: >-\n  Online\n", .folded, "Online"),
        ("k: |\n  Online\n", .literal, "Online\n"),
        ("k: |+\n  Online\n\n", .literal, "Online\n\n"),
        ("k: Online\n", .flow, "Online"),
        ("k: \"Online\\n\"\n", .flow, "Online\n"),
        ("k: 'Online'\n", .flow, "Online"),
        ("k:\n", .flow, ""),
    ])
    func eachScalarSaysWhetherItWasABlock(yaml: String, style: YAMLNode.Style, text: String) {
        let node = value(parsed(yaml), "k")
        #expect(node?.style == style)
        #expect(node?.value == .scalar(text))
    }

    @Test func listsMappingsAndTheirItemsKeepTheirOwnStyles() {
        let root = parsed("a:\n  - >\n    one\n  - two\nb: [x]\n")
        #expect(root?.style == .flow)
        #expect(items(value(root, "a")).map(\.style) == [.folded, .flow])
        #expect(items(value(root, "b")).map(\.style) == [.flow])
    }
}
