import Foundation
import Testing

@testable import ConveneCore

/// The shipped templates in `config/templates/`, rendered with fixed values and compared byte for byte
/// with `Golden/<name>.txt` and `Golden/<name>.html`. Run with `CONVENE_UPDATE_GOLDEN=1` to rewrite the
/// golden files after a deliberate change, then read the diff.
struct MessageTemplateGoldenTests {
    /// `((organizer))` as the message layer gives it: name and address, the address a mailto link in HTML.
    static let organizer = MessageComposer.contact(MailFixtures.organizer)

    /// Values as the message layer would pass them, with awkward characters in the name and title.
    static let values: [String: String] = [
        "firstname": "Zoë",
        "name": "Zoë O'Brien-Müller, \"Jr\"",
        "email": "zoe.obrien-muller@example.gov.uk",
        "grade": "Director",
        "department": "Department for Business & Trade",
        "interim": "yes",
        "forum": "Directors' Network",
        "eventtitle": "Your Agenda <b>& Your Conversations",
        "eventdate": "Thursday 7 January 2027",
        "eventtime": "12:00",
        "eventend": "13:00",
        "location": "Online",
        "joinurl": "https://meet.example.gov.uk/your-agenda?id=42&lang=en",
        "description": "Director-led conversations, designed by Directors for Directors.\n"
            + "# Not a heading, and ((not a placeholder))\n",
        "daystogo": "7",
        "organizer": organizer.plain,
        "whatchanged": "",
        "reason": "",
    ]

    /// What changes per template: the `what changed` text only means something for updates and cancellations.
    static let cases: [(name: String, subject: String, overrides: [String: String])] = [
        ("invitation", "Invitation: Your Agenda <b>& Your Conversations, Thursday 7 January 2027", [:]),
        ("reminder", "Reminder: Your Agenda <b>& Your Conversations, Thursday 7 January 2027", [:]),
        (
            "update", "Updated: Your Agenda <b>& Your Conversations, Thursday 7 January 2027",
            [
                "whatchanged":
                    "The start time has moved from 10:00 to 12:00.\nThe end time has moved from 11:00 to 13:00."
            ]
        ),
        (
            "cancellation", "Cancelled: Your Agenda <b>& Your Conversations, Thursday 7 January 2027",
            [
                "whatchanged": "This date has been removed from the programme.",
                "reason": "this date, Thursday 7 January, has been removed from the series: the <Whitsun> recess",
            ]
        ),
    ]

    @Test(arguments: cases)
    func shippedTemplateRendersAsItsGoldenFiles(_ name: String, _ subject: String, _ overrides: [String: String])
        throws
    {
        let template = try Self.shippedTemplate(name)
        let rendered = template.render(
            Self.values.merging(overrides) { $1 }, htmlValues: ["organizer": Self.organizer.html])
        #expect(rendered.subject == subject)
        try Self.compare(rendered.plain, golden: "\(name).txt")
        try Self.compare(rendered.html, golden: "\(name).html")
    }

    @Test(arguments: ["invitation", "reminder", "update", "cancellation"])
    func shippedTemplateGreetsTheRecipientAndNamesTheEvent(_ name: String) throws {
        let template = try Self.shippedTemplate(name)
        let used = Set(template.placeholders.map(\.name))
        #expect(used.isSuperset(of: ["firstname", "eventtitle", "eventdate", "organizer"]))
        #expect(used.isSubset(of: MessageTemplate.knownPlaceholders))
    }

    @Test func invitationSaysTheCalendarInvitationIsAttachedAndMentionsInterimOnlyWhenActing() throws {
        let template = try Self.shippedTemplate("invitation")
        let acting = template.render(Self.values).plain
        let substantive = template.render(Self.values.merging(["interim": "no"]) { $1 }).plain
        #expect(acting.contains("A calendar invitation is attached to this email."))
        #expect(acting.contains("interim"))
        #expect(!substantive.contains("interim"))
    }

    @Test func updateSaysWhatChanged() throws {
        let rendered = try Self.shippedTemplate("update").render(
            Self.values.merging(["whatchanged": "The location has moved from Room 1 to Room 2."]) { $1 })
        #expect(rendered.plain.contains("  The location has moved from Room 1 to Room 2.\n"))
    }

    @Test(arguments: ["invitation", "reminder", "update"])
    func anInPersonEventLeavesNoEmptyJoiningLink(_ name: String) throws {
        let rendered = try Self.shippedTemplate(name).render(
            Self.values.merging(["joinurl": "", "location": "", "description": ""]) { $1 })
        #expect(!rendered.plain.contains("Join the meeting online"))
        #expect(!rendered.plain.contains("Where:"))
        #expect(!rendered.plain.contains("\n\n\n"))
        #expect(!rendered.html.contains("<p style=\"margin: 0 0 20px 0;\"></p>"))
    }

    /// Parses `config/templates/<name>.txt`, requiring it to be free of errors and warnings.
    static func shippedTemplate(_ name: String) throws -> MessageTemplate {
        let path = "config/templates/\(name).txt"
        let text = try String(contentsOf: packageRoot().appendingPathComponent(path), encoding: .utf8)
        let (template, diagnostics) = MessageTemplate.parse(text, name: name, file: path)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return try #require(template)
    }

    static func compare(_ actual: String, golden: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(golden)
        if ProcessInfo.processInfo.environment["CONVENE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(url.path): run the tests with CONVENE_UPDATE_GOLDEN=1")
            return
        }
        #expect(
            actual == expected, "differs from \(url.path); if the change is meant, rerun with CONVENE_UPDATE_GOLDEN=1")
    }

    /// The nearest directory above this file that holds Package.swift.
    static func packageRoot() throws -> URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile)
    }
}
