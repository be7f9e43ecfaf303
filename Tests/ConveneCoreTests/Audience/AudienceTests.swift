import Foundation
import Testing

@testable import ConveneCore

struct AudienceTests {
    static func config() -> Config {
        let organizer = Mailbox(name: "Team", address: "team@example.gov.uk")
        return Config(
            file: "convene.yaml",
            service: ServiceSettings(
                timeZone: TimeZone(identifier: "Europe/London")!, from: organizer, organizer: organizer),
            smtp: SMTPConfig(url: "smtp://localhost:25", tls: .none),
            grades: RosterFixture.grades.grades,
            forums: [
                Forum(id: "cslg", name: "CSLG", grades: ["PS", "DG"]),
                Forum(id: "hod", name: "HoD", roles: ["head-of-department"]),
                Forum(id: "pslg", name: "PSLG", grades: ["CE"], include: ["cslg"]),
                Forum(id: "directors", name: "Directors", grades: ["SCS2"]),
            ],
            events: [], notifications: [])
    }

    static let roster = RosterFixture.parse(
        """
        email,name,grade,roles,forums,opt_out
        ps@example.gov.uk,Pat Perm,Perm Sec,head-of-department,,
        dg@example.gov.uk,Dee Gee,SCS3,,,reminders
        ce@example.gov.uk,Chris Exec,CE,,,
        dir@example.gov.uk,Dana Director,SCS2,,,
        dd@example.gov.uk,Deputy Dan,SCS2,,-directors;pslg,
        out@example.gov.uk,Oona Out,DG,,-cslg,

        """
    ).roster

    @Test func pslgHasChiefExecutivesPlusEveryCSLGMemberWithReasons() {
        let audience = Audience(config: Self.config(), roster: Self.roster)
        let members = audience.members(of: "pslg")
        #expect(
            members.map(\.person.email) == [
                "ps@example.gov.uk", "dg@example.gov.uk", "ce@example.gov.uk", "dd@example.gov.uk",
            ])
        #expect(members[0].reasons == ["via cslg: grade PS (Permanent Secretary)"])
        #expect(members[2].reasons == ["grade CE (Chief Executive)"])
        #expect(members[3].reasons == ["listed in the roster's forums column"])
    }

    @Test func minusIdRemovesAMembershipTheGradeWouldGive() {
        let audience = Audience(config: Self.config(), roster: Self.roster)
        #expect(audience.members(of: "directors").map(\.person.email) == ["dir@example.gov.uk"])
        #expect(!audience.members(of: "cslg").map(\.person.email).contains("out@example.gov.uk"))
        #expect(
            !audience.members(of: "pslg").map(\.person.email).contains("out@example.gov.uk"),
            "removal from cslg also removes what pslg includes through it")
    }

    @Test func rolesBringPeopleIn() {
        let audience = Audience(config: Self.config(), roster: Self.roster)
        let hod = audience.members(of: "hod")
        #expect(hod.map(\.person.email) == ["ps@example.gov.uk"])
        #expect(hod[0].reasons == ["role head-of-department"])
        #expect(audience.forums(of: hod[0].person) == ["cslg", "hod", "pslg"])
    }
}
