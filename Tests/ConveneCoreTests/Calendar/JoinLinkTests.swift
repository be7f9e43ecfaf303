import Foundation
import Testing

@testable import ConveneCore

/// The joining link of an online meeting reaches every calendar: LOCATION (when the location names no place),
/// DESCRIPTION, CONFERENCE (RFC 7986) and URL, in the REQUEST and in the CANCEL, as Python's icalendar reads them.
struct JoinLinkTests {
    static let link = "https://meet.example.gov.uk/your-agenda"
    /// Long enough to be folded, with `,` and `;` that TEXT escapes and a URI keeps as they are.
    static let longLink =
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ2?context=a,b;c=%7b%22Tid%22%7d&x=1"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var location: String?
        var description: String?
        var joinURL: String?
        var expectedLocation: String?
        var expectedDescription: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "online with a description", location: "Online", description: "Director-led conversations.\n",
            joinURL: link, expectedLocation: "Online: \(link)",
            expectedDescription: "Director-led conversations.\n\nJoin: \(link)"),
        Case(
            name: "online without a description", location: "Online (Teams)", description: nil, joinURL: link,
            expectedLocation: "Online (Teams): \(link)", expectedDescription: "Join: \(link)"),
        Case(
            name: "no location at all", location: nil, description: "  \n", joinURL: link, expectedLocation: link,
            expectedDescription: "Join: \(link)"),
        Case(
            name: "a physical place keeps its location", location: "70 Whitehall, London SW1A 2AS",
            description: "Breakfast; coffee, tea.", joinURL: link, expectedLocation: "70 Whitehall, London SW1A 2AS",
            expectedDescription: "Breakfast; coffee, tea.\n\nJoin: \(link)"),
        Case(
            name: "a long link with commas and semicolons", location: "Microsoft Teams", description: "Über uns",
            joinURL: longLink, expectedLocation: "Microsoft Teams: \(longLink)",
            expectedDescription: "Über uns\n\nJoin: \(longLink)"),
        Case(
            name: "in person, no link", location: "Lancaster House", description: "The annual day.", joinURL: nil,
            expectedLocation: "Lancaster House", expectedDescription: "The annual day."),
    ]

    @Test(arguments: cases)
    func theJoiningLinkReachesLocationDescriptionConferenceAndURL(_ c: Case) async throws {
        let invites = [CalendarInvite.Method.request, .cancel].map { method in
            MailFixtures.invite(
                method: method, sequence: method == .cancel ? 1 : 0, location: c.location, description: c.description,
                joinURL: c.joinURL)
        }
        let findings = try await PythonChecker.checkCalendars(invites.map(ICalendarWriter.render))
        #expect(findings.count == 2)
        for (found, invite) in zip(findings, invites) {
            #expect(found.parseError == nil && found.errors?.isEmpty == true, "\(found.errors ?? [])")
            #expect(found.maxLineOctets <= 75 && found.splitUtf8Lines == 0 && found.emptyContinuations == 0)
            #expect(found.method == invite.method.rawValue)
            let event = try #require(found.events?.first)
            #expect(event.location == c.expectedLocation)
            #expect(event.description == c.expectedDescription)
            #expect(event.url == c.joinURL)
            #expect(found.contentLineNames.filter { $0 == "CONFERENCE" }.count == (c.joinURL == nil ? 0 : 1))
            if let joinURL = c.joinURL {
                let conference = try #require(event.conference)
                #expect(conference.value == joinURL)
                #expect(conference.params == ["VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join online"])
            }
        }
    }

    /// Locations that say only "online" get the link; anything naming a place, a room or a number is kept.
    @Test(arguments: [
        ("", true), ("   ", true), ("Online", true), ("ONLINE", true), ("Online (Teams)", true),
        ("Microsoft Teams", true), ("MS Teams", true), ("Zoom", true), ("Google Meet", true), ("Webex", true),
        ("Virtual", true), ("Online via Zoom", true), ("Teams meeting", true), ("Video call", true),
        ("70 Whitehall, London SW1A 2AS", false), ("Lancaster House", false), ("Room 1", false),
        ("Online; Room 1, \"Main\"", false), ("Hybrid: Teams and the Boardroom", false),
        ("Meet at reception", false), ("The Zoom Room", false), ("https://zoom.us/j/123", false), ("TBC", false),
        ("Conference room", false), ("Meeting", false), ("-", false),
    ])
    func aLocationIsOnlineWhenItNamesNoPlace(_ location: String, _ online: Bool) {
        #expect(JoinLink.isOnline(location) == online)
    }

    /// The link is added once: a description that already gives it is left as written.
    @Test(
        arguments: [
            ("Join at \(link) from 11:55.", link, "Join at \(link) from 11:55."),
            ("Bring a question.\n\n", link, "Bring a question.\n\nJoin: \(link)"),
            ("Bring a question.", nil, "Bring a question."),
            (nil, nil, nil),
        ] as [(String?, String?, String?)])
    func theDescriptionGivesTheLinkOnce(_ description: String?, _ joinURL: String?, _ expected: String?) {
        #expect(JoinLink.description(description, joinURL: joinURL) == expected)
    }
}
