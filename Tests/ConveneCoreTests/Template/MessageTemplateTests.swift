import Testing

@testable import ConveneCore

/// One malformed template and the diagnostic it must produce.
struct TemplateMistake: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String
    var testDescription: String { message }
}

struct MessageTemplateParsingTests {
    static let mistakes: [TemplateMistake] = [
        .init(text: "", line: 1, column: 1, message: "the template is empty"),
        .init(text: "\n  \n", line: 1, column: 1, message: "the template is empty"),
        .init(text: "Hello\n---\nBody", line: 1, column: 1, message: "expected 'subject:' on the first line"),
        .init(text: "\n\nTitle: x\n---\nBody", line: 3, column: 1, message: "expected 'subject:' on the first line"),
        .init(text: "subject:   \n---\nBody", line: 1, column: 9, message: "the subject is empty"),
        .init(text: "subject: Hi\nBody", line: 2, column: 1, message: "expected a line '---' after the subject line"),
        .init(text: "subject: Hi", line: 2, column: 1, message: "expected a line '---' after the subject line"),
        .init(text: "subject: Hi\n---\n\n", line: 2, column: 1, message: "the template has no body after '---'"),
        .init(text: "subject: Hi\n---\nDear ((first name", line: 3, column: 6, message: "'((' is never closed"),
        .init(text: "subject: Hi ((name\n---\nx", line: 1, column: 13, message: "'((' is never closed"),
        .init(text: "subject: Hi\n---\n((a ((name))", line: 3, column: 1, message: "'((' is never closed"),
        .init(text: "subject: Hi\n---\n((??yes))", line: 3, column: 1, message: "placeholder has no name"),
        .init(text: "subject: Hi\n---\nHello (())", line: 3, column: 7, message: "placeholder has no name"),
        .init(text: "subject: Hi\n---\nx ((  ??a))", line: 3, column: 3, message: "placeholder has no name"),
        .init(
            text: "subject: Hi\n---\nHi ((name (x)))", line: 3, column: 11,
            message: "a placeholder cannot contain '(' or ')'"),
        .init(
            text: "subject: Hi\n---\nDear ((frist name)),", line: 3, column: 6,
            message: "unknown placeholder '((frist name))'"),
        .init(
            text: "subject: Hi ((colour))\n---\nx", line: 1, column: 13, message: "unknown placeholder '((colour))'"),
        .init(
            text: "\u{FEFF}subject: Hi\r\n---\r\n\r\nDear ((nme))\r\n", line: 4, column: 6,
            message: "unknown placeholder '((nme))'"),
        .init(text: "subject: Hi\n---\nSee [the page]()", line: 3, column: 15, message: "link has no URL"),
        .init(text: "subject: Hi\n---\nSee [the page](  )", line: 3, column: 15, message: "link has no URL"),
        .init(text: "subject: Hi\n---\nSee [](https://x.gov.uk)", line: 3, column: 5, message: "link has no text"),
        .init(text: "subject: Hi\n---\nSee [page](https://x", line: 3, column: 11, message: "link is never closed"),
        .init(
            text: "subject: Hi\n---\n[page](javascript:alert(1))", line: 3, column: 8,
            message: "link URL must start with https://, http:// or mailto:"),
        .init(text: "subject: Hi\n---\n#\n", line: 3, column: 1, message: "heading has no text"),
        .init(text: "subject: Hi\n---\n##   \n", line: 3, column: 1, message: "heading has no text"),
        .init(text: "subject: Hi\n---\ntext\n  * \n", line: 4, column: 3, message: "list item has no text"),
        .init(text: "subject: Hi\n---\n1.\n", line: 3, column: 1, message: "list item has no text"),
        .init(text: "subject: Hi\n---\nText\n^\n", line: 4, column: 1, message: "inset has no text"),
    ]

    @Test(arguments: mistakes)
    func malformedTemplateIsReportedWithItsPosition(_ mistake: TemplateMistake) {
        let (template, diagnostics) = MessageTemplate.parse(mistake.text, name: "t", file: "templates/t.txt")
        #expect(template == nil)
        let first = diagnostics.first
        #expect(first?.file == "templates/t.txt")
        #expect(first?.severity == .error)
        #expect(first?.message == mistake.message)
        #expect(first?.line == mistake.line)
        #expect(first?.column == mistake.column)
    }

    @Test func unknownPlaceholderSuggestsTheNearestKnownOne() {
        let (_, diagnostics) = MessageTemplate.parse(
            "subject: x\n---\nDear ((frist name)), ((organiser)) ((favourite colour))", name: "t", file: "t.txt")
        #expect(
            diagnostics.map(\.hint) == [
                "did you mean '((first name))'?",
                "did you mean '((organizer))'?",
                "known placeholders: " + MessageTemplate.knownPlaceholderNames.joined(separator: ", "),
            ])
    }

    @Test func everyMistakeIsReportedInFileOrder() {
        let text = "subject: ((nope))\n---\n# \nDear ((first name\n\n[x]()\n"
        let (template, diagnostics) = MessageTemplate.parse(text, name: "t", file: "t.txt")
        #expect(template == nil)
        #expect(
            diagnostics.map(\.description) == [
                "t.txt:1:10: error: unknown placeholder '((nope))'\n    hint: known placeholders: "
                    + MessageTemplate.knownPlaceholderNames.joined(separator: ", "),
                "t.txt:3:1: error: heading has no text",
                "t.txt:4:6: error: '((' is never closed\n    hint: end the placeholder with '))' on the same line",
                "t.txt:6:4: error: link has no URL\n    hint: write it as [text](https://…)",
            ])
    }

    @Test func deeperHeadingIsAWarningAndTheTemplateStillParses() {
        let (template, diagnostics) = MessageTemplate.parse("subject: x\n---\n### Small", name: "t", file: "t.txt")
        #expect(template != nil)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.location == SourceLocation(line: 3, column: 1))
        #expect(template?.render([:]).plain == "### Small\n")
    }

    @Test func placeholdersAreListedNormalisedWithTheirPositions() throws {
        let text = "subject: ((Event Title))\n---\nDear ((First_Name)),\n\n[Join](((JOIN-URL)))\n((interim??Acting))"
        let template = try #require(MessageTemplate.parse(text, name: "t", file: "t.txt").template)
        #expect(template.name == "t")
        #expect(template.placeholders.map(\.name) == ["eventtitle", "firstname", "joinurl", "interim"])
        #expect(
            template.placeholders.map(\.location) == [
                SourceLocation(line: 1, column: 10), SourceLocation(line: 3, column: 6),
                SourceLocation(line: 5, column: 8), SourceLocation(line: 6, column: 1),
            ])
    }

    @Test func separatorMayFollowBlankLinesAndTheSubjectKeywordIgnoresCase() throws {
        let template = try #require(
            MessageTemplate.parse("Subject: Hello\n\n---\nBody", name: "t", file: "t.txt").template)
        let rendered = template.render([:])
        #expect(rendered.subject == "Hello")
        #expect(rendered.plain == "Body\n")
    }

    @Test func aLaterRuleIsBodyMarkupNotASecondSeparator() throws {
        let template = try #require(
            MessageTemplate.parse("subject: Hi\n---\nAbove\n---\nBelow", name: "t", file: "t.txt").template)
        #expect(template.render([:]).plain == "Above\n\n" + String(repeating: "-", count: 40) + "\n\nBelow\n")
    }
}

struct MessageTemplatePlaceholderNameTests {
    @Test(arguments: [
        ("First_Name", "firstname"), ("FIRST-NAME", "firstname"), (" first name ", "firstname"),
        ("Join URL", "joinurl"), ("days-to_go", "daystogo"), ("Zoë", "zoë"),
    ])
    func namesMatchIgnoringCaseSpacesUnderscoresAndHyphens(_ written: String, _ normalised: String) {
        #expect(MessageTemplate.normalise(written) == normalised)
    }

    @Test func everyDocumentedPlaceholderIsKnown() {
        #expect(
            MessageTemplate.knownPlaceholders == [
                "firstname", "name", "email", "grade", "department", "interim", "forum", "eventtitle", "eventdate",
                "eventtime", "eventend", "location", "joinurl", "description", "daystogo", "organizer", "whatchanged",
                "reason",
            ])
    }

    @Test(arguments: ["((first name))", "((first_name))", "((FIRST-NAME))", "((First Name))"])
    func anySpellingOfANameRendersTheSameValue(_ placeholder: String) throws {
        let template = try #require(
            MessageTemplate.parse("subject: \(placeholder)\n---\n\(placeholder)", name: "t", file: "t.txt").template)
        let rendered = template.render(["firstname": "Zoë"])
        #expect(rendered.subject == "Zoë")
        #expect(rendered.plain == "Zoë\n")
    }
}
