import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// Which events `validate` checks each template against: the ones whose messages use it.
@Suite(.ownThread)
struct ConfigLoaderTests {
    static let rules = """
        service:
          timezone: Europe/London
          from: Team <team@example.gov.uk>
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: PS
            name: Permanent Secretary
          - id: DG
            name: Director General
          - id: SCS2
            name: Director
        forums:
          - id: cslg
            name: CSLG
            grades: [PS, DG]
          - id: directors
            name: Directors
            grades: [SCS2]
          - id: everyone
            name: Everyone
            include: [cslg, directors]
        events:
          - id: cslg-day
            title: CSLG day
            forums: [cslg]
            start: 2027-03-18 09:30
            duration: 60m
          - id: directors-day
            title: Directors day
            forums: [directors]
            start: 2027-03-19 09:30
            duration: 60m
          - id: all-hands
            title: All hands
            forums: [everyone]
            start: 2027-03-20 09:30
            duration: 60m
          - id: called-off
            title: Called off
            forums: [directors]
            start: 2027-03-21 09:30
            duration: 60m
            status: cancelled
        notifications:
          - id: directors-invitation
            kind: invitation
            send: 21 days before
            template: invitation-directors
            forums: [directors]
          - id: invitation
            kind: invitation
            send: 21 days before
            template: invitation
          - id: week-before
            kind: reminder
            send: 7 days before
            template: reminder
          - id: permanent-secretaries
            kind: reminder
            send: 1 day before
            template: ps-note
            grades: [PS]

        """

    static let roster = """
        email,name,grade
        ps@example.gov.uk,Pat Perm,PS
        dg@example.gov.uk,Dee Gee,DG
        dir@example.gov.uk,Dana Director,SCS2

        """

    /// A person gets the first invitation rule they pass and every reminder rule they pass, as the planner sends
    /// them; a cancelled event only its cancellation.
    @Test(arguments: [
        ("invitation-directors", ["directors-day", "all-hands"]),
        ("invitation", ["cslg-day", "all-hands"]),
        ("reminder", ["cslg-day", "directors-day", "all-hands"]),
        ("ps-note", ["cslg-day", "all-hands"]),
        ("update", ["cslg-day", "directors-day", "all-hands"]),
        ("cancellation", ["cslg-day", "directors-day", "all-hands", "called-off"]),
    ])
    func aTemplateIsCheckedAgainstTheEventsThatUseIt(_ template: String, _ events: [String]) throws {
        let (parsed, diagnostics) = ConfigParser.parse(Self.rules, file: "convene.yaml")
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        let config = try #require(parsed)
        let (roster, rosterDiagnostics) = RosterParser.parse(
            Array(Self.roster.utf8), file: "roster.csv", grades: config.gradeTable,
            forumIDs: Set(config.forums.map(\.id)))
        #expect(rosterDiagnostics.isEmpty, "\(rosterDiagnostics)")
        let byTemplate = ConfigLoader.events(byTemplate: config, audience: Audience(config: config, roster: roster))
        #expect(byTemplate[template]?.map(\.id) ?? [] == events)
    }
}
