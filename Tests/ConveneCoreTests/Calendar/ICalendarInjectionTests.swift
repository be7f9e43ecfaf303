import ConveneCore
import Foundation
import Testing

/// Hostile text from the rules file or roster must stay inside its own property.
struct ICalendarInjectionTests {
    static let hostile: [(input: String, sanitised: String)] = [
        ("Title\r\nATTENDEE:mailto:x@evil.example", "Title\nATTENDEE:mailto:x@evil.example"),
        ("Dot\r\n.\r\nEND:VEVENT", "Dot\n.\nEND:VEVENT"),
        ("Bcc: x@evil\nBEGIN:VALARM\rTRIGGER:-PT5M", "Bcc: x@evil\nBEGIN:VALARM\nTRIGGER:-PT5M"),
        ("a;b,c:d\"e\"\\f", "a;b,c:d\"e\"\\f"),
        ("nul\u{00}bell\u{07}esc\u{1B}del\u{7F}", "nulbellescdel"),
        ("line\u{2028}sep\u{85}nel", "line\nsepnel"),
    ]

    @Test(arguments: hostile)
    func summaryLocationAndDescriptionRoundTripToTheSanitisedText(input: String, sanitised: String) async throws {
        let invite = MailFixtures.invite(summary: input, location: input, description: input)
        let findings = try #require(try await PythonChecker.checkCalendars([ICalendarWriter.render(invite)]).first)
        #expect(findings.parseError == nil)
        #expect(findings.errors?.isEmpty == true)
        #expect(findings.contentLineNames == MailFixtures.expectedContentLines)
        let event = try #require(findings.events?.first)
        #expect(event.summary == sanitised)
        #expect(event.location == sanitised)
        #expect(event.description == sanitised + "\n\nJoin: https://meet.example.gov.uk/your-agenda")
        #expect(findings.bareLf == 0 && findings.bareCr == 0)
    }

    @Test(arguments: hostile)
    func namesStayInsideTheirParameter(input: String, sanitised: String) async throws {
        let invite = MailFixtures.invite(attendees: [Mailbox(name: input, address: "zoe@example.gov.uk")])
        let findings = try #require(try await PythonChecker.checkCalendars([ICalendarWriter.render(invite)]).first)
        #expect(findings.errors?.isEmpty == true)
        #expect(findings.contentLineNames == MailFixtures.expectedContentLines)
        let attendee = try #require(findings.events?.first?.attendees.first)
        #expect(attendee.value == "mailto:zoe@example.gov.uk")
        #expect(attendee.params["CN"] == sanitised)
        #expect(attendee.params["ROLE"] == "REQ-PARTICIPANT")
    }

    @Test func addressesAndUrlsCannotBreakTheirLine() async throws {
        var invite = MailFixtures.invite(attendees: [
            Mailbox(name: "Zoe", address: "zoe@example.gov.uk\r\nATTENDEE:mailto:x@evil")
        ])
        invite.joinURL = "https://meet.example/x\r\nBEGIN:VALARM"
        invite.uid = "uid-1@example.gov.uk\r\nUID:other"
        let findings = try #require(try await PythonChecker.checkCalendars([ICalendarWriter.render(invite)]).first)
        #expect(findings.errors?.isEmpty == true)
        #expect(findings.contentLineNames == MailFixtures.expectedContentLines)
        let event = try #require(findings.events?.first)
        #expect(event.attendees.count == 1)
        #expect(event.uid == "uid-1@example.gov.uk\nUID:other")
        // The same line-safe link everywhere it goes, so the description's link is the one the URL opens.
        #expect(event.url == "https://meet.example/xBEGIN:VALARM")
        #expect(event.conference?.value == "https://meet.example/xBEGIN:VALARM")
        #expect(event.description?.hasSuffix("\n\nJoin: https://meet.example/xBEGIN:VALARM") == true)
    }

    /// A link that looks like parameters or the next property stays the CONFERENCE value: the parameters are ours.
    @Test(arguments: [
        "https://meet.example/x\";FEATURE=AUDIO;LABEL=evil:y",
        "https://meet.example/a,b;c=d\\e",
        "https://meet.example/x\u{2028}DESCRIPTION:evil",
    ])
    func aJoiningLinkCannotAddParametersOrProperties(_ link: String) async throws {
        let invite = MailFixtures.invite(location: "Online", joinURL: link)
        let findings = try #require(try await PythonChecker.checkCalendars([ICalendarWriter.render(invite)]).first)
        #expect(findings.errors?.isEmpty == true)
        #expect(findings.contentLineNames == MailFixtures.expectedContentLines)
        let event = try #require(findings.events?.first)
        let safe = link.replacingOccurrences(of: "\u{2028}", with: "")
        #expect(event.conference?.value == safe)
        #expect(event.conference?.params == ["VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join online"])
        #expect(event.url == safe)
        #expect(event.location == "Online: " + safe)
    }
}
