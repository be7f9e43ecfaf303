import ConveneCore
import ConveneService
import ConveneTesting
import Foundation

/// A small programme in a temp folder, as an admin would set it up: a rules file, a roster, the shipped
/// templates and an SMTP password file; the journal goes in `state/`. `convene` runs against it with
/// `--config` and `--state`.
final class DeliveryFixture {
    /// The `smtp:` section.
    struct SMTP {
        var url: String
        var tls = "none"
        var caFile: String? = nil
        var username: String? = nil
        var password: String? = nil
        var responseTimeout: Int? = nil
        var connections = 1
    }

    /// Four people in one forum, one with a delegate: every message to Bob is copied to his private office.
    static let smallRoster = """
        email,name,grade,delegate
        ada@example.test,Ada Lovelace,DIR,
        bob@example.test,Bob Brown,DIR,office.bob@example.test
        cy@example.test,Cy Young,DIR,
        dee@example.test,Dee Dale,DIR,

        """

    /// `count` people, for load and crash tests.
    static func roster(of count: Int) -> String {
        "email,name,grade\n" + (1...count).map { "person\($0)@example.test,Person \($0),DIR\n" }.joined()
    }

    /// Three fortnightly talks, each with an invitation three weeks before and a reminder a week before:
    /// 24 messages for the small roster between 2027-02-01 and 2027-04-01.
    static let programme = """
        events:
          - id: talk
            title: Directors' Talk
            forums: [team]
            start: 2027-03-04 10:00
            duration: 60m
            repeat: every 2 weeks for 3 times
            location: Online
            join_url: https://meet.example.test/talk
        notifications:
          - id: invitation
            kind: invitation
            send: 21 days before at 09:00
            template: invitation
          - id: week-before
            kind: reminder
            send: 7 days before at 09:00
            template: reminder

        """

    /// One event with an invitation only, for big rosters.
    static let singleInvitation = """
        events:
          - id: summit
            title: Leadership Summit
            forums: [team]
            start: 2027-03-04 10:00
            duration: 3h
            location: Online
        notifications:
          - id: invitation
            kind: invitation
            send: 21 days before at 09:00
            template: invitation

        """

    let directory: URL
    let programme: String
    var configPath: String { directory.appendingPathComponent("convene.yaml").path }
    var statePath: String { directory.appendingPathComponent("state").path }

    init(smtp: SMTP, roster: String = DeliveryFixture.smallRoster, programme: String = DeliveryFixture.programme) throws
    {
        directory = try TestEnvironment.temporaryDirectory("delivery")
        self.programme = programme
        try FileManager.default.copyItem(
            at: TestEnvironment.packageRoot.appendingPathComponent("config/templates"),
            to: directory.appendingPathComponent("templates"))
        try roster.write(to: directory.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        try write(smtp: smtp)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// (Re)writes the rules file with this `smtp:` section, e.g. to point the same state at another server.
    func write(smtp: SMTP) throws {
        var section = "smtp:\n  url: \(smtp.url)\n  tls: \(smtp.tls)\n  helo: convene.test\n  connect_timeout: 5s\n"
        if let caFile = smtp.caFile { section += "  ca_file: \(caFile)\n" }
        if let username = smtp.username { section += "  username: \(username)\n" }
        if let password = smtp.password {
            try (password + "\n").write(
                to: directory.appendingPathComponent("smtp-password"), atomically: true, encoding: .utf8)
            section += "  password_file: smtp-password\n"
        }
        if let timeout = smtp.responseTimeout { section += "  response_timeout: \(timeout)s\n" }
        if smtp.connections != 1 { section += "  connections: \(smtp.connections)\n" }
        let rules = """
            service:
              timezone: Europe/London
              from: Convene Test <team@example.test>
              organizer: team@example.test
              roster: roster.csv
              templates: templates
            \(section)
            grades:
              - id: DIR
                name: Director
            forums:
              - id: team
                name: Test Network
                grades: [DIR]
            \(programme)
            """
        try rules.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Runs `convene COMMAND …` on this fixture's rules file and state folder.
    func convene(_ command: String, _ arguments: [String] = [], seconds: Int = 90, wrapper: [String] = []) async throws
        -> ConveneBinary.Result
    {
        try await ConveneBinary.run(
            [command, "--config", configPath, "--state", statePath] + arguments, seconds: seconds, wrapper: wrapper)
    }

    /// The arguments of `convene COMMAND …` on this fixture, for `ConveneBinary.start`.
    func arguments(_ command: String, _ arguments: [String] = []) -> [String] {
        [command, "--config", configPath, "--state", statePath] + arguments
    }

    /// `convene run --now FROM --until TO`: the simulated clock.
    func run(from: String, until: String) async throws -> ConveneBinary.Result {
        try await convene("run", ["--now", from, "--until", until])
    }

    /// Every record in the journal, as convene reads it.
    func journal() throws -> [JournalRecord] {
        try FileJournal.read(directory: statePath).records
    }
}
