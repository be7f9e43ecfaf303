import Foundation
import Testing

@testable import ConveneCore

/// `validate` warns where an event without a location, joining link or description would leave a hole in a sentence,
/// and stays quiet where the renderer leaves the line out instead.
struct MessageTemplateEmptyPlaceholderTests {
    static func event(_ id: String, location: String?, joinURL: String?, description: String?) -> Event {
        Event(
            id: id, title: "Event \(id)", forums: ["cslg"], start: LocalDateTime(parsing: "2027-03-18 09:30")!,
            duration: Duration(minutes: 60), location: location, joinURL: joinURL, description: description)
    }

    static let events = [
        event("online", location: "Online", joinURL: "https://meet.example.gov.uk/a", description: "Talk."),
        event("breakfast", location: "70 Whitehall", joinURL: nil, description: "Coffee."),
        event("roundtable", location: "Cabinet Office", joinURL: "https://meet.example.gov.uk/b", description: nil),
        event("bare", location: "  ", joinURL: "", description: "\n"),
    ]

    /// A template (subject line, `---`, body) and the warnings as `line:column ((placeholder)) events`.
    static let cases: [(template: String, warnings: [String])] = [
        ("subject: Hi\n---\nDear ((first name)), we meet at ((location)).", ["3:33 ((location)) bare"]),
        ("subject: Hi\n---\n* Where: ((location))\n* When: ((event time))", []),
        ("subject: Hi\n---\nDear ((first name)),\n\n((description))\n\n[Join online](((join url)))", []),
        ("subject: Hi\n---\nMeet at ((location)) or online at ((join url)).", ["3:35 ((join url)) breakfast"]),
        ("subject: Hi\n---\n((interim??Acting. ))Bring ((description)).", ["3:28 ((description)) roundtable, bare"]),
        ("subject: Hi\n---\n((location??In person.)) See you, ((name)).", []),
        ("subject: Hi\n---\n[Meet at ((location))](https://example.gov.uk/map)", ["3:10 ((location)) bare"]),
        ("subject: Invitation at ((location))\n---\nHello", ["1:24 ((location)) bare"]),
        ("subject: Hi\n---\n# ((event title)): ((join url))", ["3:20 ((join url)) breakfast, bare"]),
        // A link whose URL comes out empty is left out, and its sentence reads on without it.
        (
            "subject: Hi\n---\nJoin [((join url))](((join url))) with ((name)), ((join url))",
            ["3:7 ((join url)) breakfast, bare"]
        ),
        ("subject: Hi\n---\n[Join online](((join url))) with ((name))", ["3:15 ((join url)) breakfast, bare"]),
    ]

    @Test(arguments: cases)
    func anEmptyEventFieldInsideASentenceIsAWarningNamingTheEvents(_ text: String, _ expected: [String]) throws {
        let template = try #require(MessageTemplate.parse(text, name: "t", file: "templates/t.txt").template)
        let warnings = template.emptyPlaceholderWarnings(events: Self.events, file: "templates/t.txt")
        #expect(warnings.allSatisfy { $0.severity == .warning && $0.file == "templates/t.txt" })
        #expect(
            warnings.map { warning in
                let name = warning.message.components(separatedBy: " is empty")[0]
                return "\(warning.line):\(warning.column) \(name) " + Self.named(warning).joined(separator: ", ")
            } == expected)
    }

    /// The event ids a warning names ("… is empty for events a, b, so …").
    static func named(_ warning: Diagnostic) -> [String] {
        guard let list = warning.message.firstMatch(of: #/is empty for events? (.*?), so /#)?.1 else { return [] }
        return list.components(separatedBy: ", ")
    }

    /// What the warning quotes is what the first named event's message says: checked against the renderer, with
    /// every other placeholder given a value.
    @Test(arguments: cases.filter { !$0.warnings.isEmpty })
    func theQuotedSentenceIsWhatTheMessageSays(_ text: String, _ expected: [String]) throws {
        let template = try #require(MessageTemplate.parse(text, name: "t", file: "templates/t.txt").template)
        for warning in template.emptyPlaceholderWarnings(events: Self.events, file: "templates/t.txt") {
            let id = try #require(Self.named(warning).first)
            let event = try #require(Self.events.first { $0.id == id })
            var values = Dictionary(uniqueKeysWithValues: MessageTemplate.knownPlaceholders.map { ($0, "X") })
            values["interim"] = "yes"
            values["location"] = event.location ?? ""
            values["joinurl"] = event.joinURL ?? ""
            values["description"] = event.description ?? ""
            let rendered = template.render(values)
            let quoted = try #require(warning.message.split(separator: "would read \"").last?.dropLast())
            let sentence = quoted.replacing(/\(\(([^()]*)\)\)/) {
                values[MessageTemplate.normalise(String($0.1))] ?? "?"
            }
            #expect(
                (rendered.subject + "\n" + rendered.plain).contains(sentence),
                "\(warning.message)\n--- rendered for \(id):\n\(rendered.subject)\n\(rendered.plain)")
        }
    }

    @Test func theWarningSaysWhatToDo() throws {
        let text = "subject: Hi\n---\nDear ((first name)), join at ((join url)) on ((event date))."
        let template = try #require(MessageTemplate.parse(text, name: "t", file: "templates/t.txt").template)
        let warnings = template.emptyPlaceholderWarnings(events: Self.events, file: "templates/t.txt")
        #expect(
            warnings.map(\.description) == [
                "templates/t.txt:3:30: warning: ((join url)) is empty for events breakfast, bare, so this line would "
                    + "read \"Dear ((first name)), join at  on ((event date)).\"\n"
                    + "    hint: set 'join_url:' on those events, or put ((join url)) on a line with no other "
                    + "placeholder: a line whose placeholders all come out empty is left out"
            ])
        #expect(template.emptyPlaceholderWarnings(events: Array(Self.events.prefix(1)), file: "t.txt").isEmpty)
    }
}
