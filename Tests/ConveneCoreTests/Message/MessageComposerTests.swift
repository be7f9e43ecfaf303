import ConveneCore
import Foundation
import Testing

/// The whole path an action takes to bytes: planner action → template values → shipped templates → MIME + iCalendar,
/// checked by Python's `email` and `icalendar`.
struct MessageComposerTests {
    /// The shipped templates, parsed as the loader does.
    static func shippedTemplates() throws -> [String: MessageTemplate] {
        let folder = PythonChecker.packageRoot.appendingPathComponent("config/templates")
        var templates: [String: MessageTemplate] = [:]
        for name in ["invitation", "reminder", "update", "cancellation"] {
            let path = folder.appendingPathComponent("\(name).txt").path
            let (template, diagnostics) = MessageTemplate.parse(
                try String(contentsOfFile: path, encoding: .utf8), name: name, file: path)
            #expect(diagnostics.isEmpty)
            let parsed: MessageTemplate = try #require(template)
            templates[name] = parsed
        }
        return templates
    }

    static func fixture() -> PlanningFixture {
        var fixture = PlanningFixture(
            events: [
                PlanningFixture.event(
                    "talk", "2027-03-28 12:00", forums: ["cslg"], location: "Room 1, \"Old\" Admiralty; London")
            ],
            rosterText: #"""
                email,name,first_name,grade,interim,delegate
                zoe@example.gov.uk,"Zoë O'Brien-Müller, ""Jr""",Zoë,DG,yes,office@example.gov.uk

                """#)
        fixture.config.events[0].title = "Leadership: what's next? 🎉"
        fixture.config.events[0].description = "Line one.\nLine two, with; punctuation: here."
        return fixture
    }

    @Test func everyKindComposedFromAPlanIsWellFormedAndCarriesTheRightCalendar() async throws {
        var fixture = Self.fixture()
        let composer = MessageComposer(config: fixture.config, templates: try Self.shippedTemplates())
        let sent = fixture.run(
            from: PlanningFixture.at("2027-03-01 00:00"), until: PlanningFixture.at("2027-03-25 00:00"))
        #expect(sent.map(\.kind) == [.invitation, .reminder])
        fixture.config.events[0].start = LocalDateTime(parsing: "2027-03-28 14:00")!
        let updates = fixture.run(
            from: PlanningFixture.at("2027-03-25 10:00"), until: PlanningFixture.at("2027-03-25 11:00"))
        fixture.config.events[0].status = .cancelled
        let cancellations = fixture.run(
            from: PlanningFixture.at("2027-03-26 10:00"), until: PlanningFixture.at("2027-03-26 11:00"))
        let actions = sent + updates + cancellations
        #expect(actions.map(\.kind) == [.invitation, .reminder, .update, .cancellation])

        for action in actions {
            // One composer for all four: what it keeps from one occurrence's messages must follow the event's move.
            #expect(
                composer.values(for: action)["eventtime"]
                    == ([.invitation, .reminder].contains(action.kind) ? "12:00" : "14:00"))
            let bytes = composer.outgoing(for: action, now: action.due).bytes
            let found = try await PythonChecker.checkMessage(bytes)
            expectWellFormed(found)
            #expect(found.to?.first?.name == "Zoë O'Brien-Müller, \"Jr\"")
            #expect(found.cc?.map(\.address) == ["office@example.gov.uk"])
            #expect(found.messageId == "<\(action.messageID)>")
            let calendars = found.parts.compactMap(\.ical)
            if action.kind == .reminder {
                #expect(calendars.isEmpty, "a reminder carries no calendar part")
                continue
            }
            let calendar = try #require(calendars.first)
            #expect(calendar.parseError == nil)
            #expect(calendar.method == (action.kind == .cancellation ? "CANCEL" : "REQUEST"))
            let event = try #require(calendar.events?.first)
            #expect(event.uid == "talk-20270328@example.gov.uk")
            #expect(event.sequence == action.sequence)
            #expect(event.summary == "Leadership: what's next? 🎉")
            #expect(event.location == "Room 1, \"Old\" Admiralty; London")
            #expect(event.status == (action.kind == .cancellation ? "CANCELLED" : "CONFIRMED"))
            // 28 March 2027 is the day the clocks go forward: 12:00 BST is 11:00 UTC, 14:00 BST is 13:00 UTC.
            #expect(
                event.dtstartUtc?.hasPrefix(action.kind == .invitation ? "2027-03-28T11:00" : "2027-03-28T13:00")
                    == true, "\(event.dtstartUtc ?? "")")
            #expect(calendars.allSatisfy { ($0.errors ?? []).allSatisfy { $0.errors.isEmpty } })
            #expect(Set(calendar.tzidsUsed ?? []) == Set((calendar.vtimezones ?? []).map(\.tzid)))
        }
    }

    /// `((organizer))` says whom to contact and how: name and address in the text part, the address as a mailto link
    /// in the HTML part, the name escaped.
    @Test(arguments: [
        (
            Mailbox(name: "Collective Leadership Team", address: "collective.leadership@example.gov.uk"),
            "Collective Leadership Team <collective.leadership@example.gov.uk>",
            "Collective Leadership Team &lt;\(MessageComposerTests.mailto("collective.leadership@example.gov.uk"))&gt;"
        ),
        (
            Mailbox(name: "", address: "team@example.gov.uk"), "team@example.gov.uk",
            MessageComposerTests.mailto("team@example.gov.uk")
        ),
        (
            Mailbox(name: "O'Neil & <Partners>", address: "o.neil@example.gov.uk"),
            "O'Neil & <Partners> <o.neil@example.gov.uk>",
            "O&#39;Neil &amp; &lt;Partners&gt; &lt;\(MessageComposerTests.mailto("o.neil@example.gov.uk"))&gt;"
        ),
    ])
    func organizerGivesTheNameAndAddress(_ organizer: Mailbox, _ plain: String, _ html: String) throws {
        var fixture = Self.fixture()
        fixture.config.service.organizer = organizer
        let composer = MessageComposer(config: fixture.config, templates: try Self.shippedTemplates())
        let sent = fixture.run(
            from: PlanningFixture.at("2027-03-01 00:00"), until: PlanningFixture.at("2027-03-25 00:00"))
        #expect(sent.map(\.kind) == [.invitation, .reminder])
        for action in sent {
            #expect(composer.values(for: action)["organizer"] == plain)
            let message = composer.message(for: action, now: action.due)
            #expect(message.plain.contains("If you have any questions, please contact \(plain).\n"), "\(message.plain)")
            #expect(message.html.contains("If you have any questions, please contact \(html).</p>"), "\(message.html)")
        }
    }

    /// The anchor the HTML part gives an address.
    static func mailto(_ address: String) -> String {
        #"<a href="mailto:\#(address)" style="color: #1d70b8; text-decoration: underline;">\#(address)</a>"#
    }

    /// Through the whole message, as a recipient's client reads it: the invitation's and the cancellation's calendar
    /// parts carry the joining link of an online event in LOCATION, DESCRIPTION, CONFERENCE and URL.
    @Test func anOnlineEventsCalendarPartsCarryTheJoiningLink() async throws {
        var fixture = Self.fixture()
        let link = "https://meet.example.gov.uk/talk?id=1,2"
        fixture.config.events[0].location = "Online (Teams)"
        fixture.config.events[0].joinURL = link
        let composer = MessageComposer(config: fixture.config, templates: try Self.shippedTemplates())
        let sent = fixture.run(
            from: PlanningFixture.at("2027-03-01 00:00"), until: PlanningFixture.at("2027-03-10 00:00"))
        fixture.config.events[0].status = .cancelled
        let cancelled = fixture.run(
            from: PlanningFixture.at("2027-03-26 10:00"), until: PlanningFixture.at("2027-03-26 11:00"))
        let actions = sent + cancelled
        #expect(actions.map(\.kind) == [.invitation, .cancellation])
        for action in actions {
            let found = try await PythonChecker.checkMessage(composer.outgoing(for: action, now: action.due).bytes)
            let calendar = try #require(found.parts.compactMap(\.ical).first)
            #expect(calendar.parseError == nil && (calendar.errors ?? []).isEmpty)
            let event = try #require(calendar.events?.first)
            #expect(event.location == "Online (Teams): \(link)")
            #expect(event.description == "Line one.\nLine two, with; punctuation: here.\n\nJoin: \(link)")
            #expect(event.url == link)
            #expect(event.conference?.value == link)
            #expect(event.conference?.params["FEATURE"] == "VIDEO")
        }
    }

    @Test func templateValuesSayWhatChangedAndDaysToGo() throws {
        var fixture = Self.fixture()
        fixture.run(from: PlanningFixture.at("2027-03-01 00:00"), until: PlanningFixture.at("2027-03-10 00:00"))
        fixture.config.events[0].start = LocalDateTime(parsing: "2027-03-28 14:00")!
        fixture.config.events[0].location = "Room 2"
        let update = try #require(
            fixture.plan(now: PlanningFixture.at("2027-03-10 10:00")).actions.first { $0.kind == .update })
        let composer = MessageComposer(config: fixture.config, templates: try Self.shippedTemplates())
        let values = composer.values(for: update)
        #expect(
            values["whatchanged"]
                == "moved from Sunday 28 March 2027 12:00 to Sunday 28 March 2027 14:00; location changed from Room 1, \"Old\" Admiralty; London to Room 2"
        )
        #expect(values["daystogo"] == "18")
        #expect(values["interim"] == "yes")
        #expect(values["firstname"] == "Zoë")
        #expect(values["grade"] == "Director General")
        #expect(values["eventtime"] == "14:00" && values["eventend"] == "15:00")
        let message = composer.message(for: update, now: update.due)
        #expect(message.subject.hasPrefix("Updated: Leadership: what's next? 🎉"))
        #expect(message.plain.contains("moved from Sunday 28 March 2027 12:00 to Sunday 28 March 2027 14:00"))
    }
}
