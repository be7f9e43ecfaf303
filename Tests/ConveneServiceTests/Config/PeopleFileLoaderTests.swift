import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// The loader reads the team's `people.csv` wherever it reads the roster: merged before planning, its problems
/// failing the load as the roster's do (so the daemon keeps its last good files), its bytes part of what
/// `convene approve` approves.
struct PeopleFileLoaderTests {
    static func workspace(people: String?) throws -> String {
        let dir = try TestEnvironment.temporaryDirectory("people")
        try FileManager.default.copyItem(
            at: TestEnvironment.packageRoot.appendingPathComponent("config/templates"),
            to: dir.appendingPathComponent("templates"))
        let rules = ConfigLoaderTests.rules.replacingOccurrences(
            of: "  from: Team <team@example.gov.uk>\n",
            with: "  from: Team <team@example.gov.uk>\n  people: people.csv\n"
        )
        .replacingOccurrences(of: "invitation-directors", with: "invitation")
        .replacingOccurrences(of: "template: ps-note", with: "template: reminder")
        try Data(rules.utf8).write(to: dir.appendingPathComponent("convene.yaml"))
        try Data(ConfigLoaderTests.roster.utf8).write(to: dir.appendingPathComponent("roster.csv"))
        if let people { try Data(people.utf8).write(to: dir.appendingPathComponent("people.csv")) }
        return dir.appendingPathComponent("convene.yaml").path
    }

    @Test func thePeopleFileIsMergedAndPartOfTheFingerprint() throws {
        let first = try ConfigLoader.load(
            configPath: Self.workspace(people: "email,delegate\ndir@example.gov.uk,po@example.gov.uk\n")
        ).get()
        #expect(first.roster.person("dir@example.gov.uk")?.delegate == "po@example.gov.uk")
        #expect(first.roster.overlay?.applied == 1)
        let second = try ConfigLoader.load(
            configPath: Self.workspace(people: "email,delegate\ndir@example.gov.uk,diary@example.gov.uk\n")
        ).get()
        #expect(first.fingerprint != second.fingerprint, "an approval of one people file does not cover another")
    }

    @Test(arguments: [
        (nil, "cannot read the people file"),
        ("email,opt_out\ndir@example.gov.uk,sometimes\n", "opt_out must be empty, 'none', 'reminders' or 'all'"),
    ])
    func aMissingOrBrokenPeopleFileFailsTheLoadAsRosterData(people: String?, message: String) throws {
        let result = ConfigLoader.load(configPath: try Self.workspace(people: people))
        guard case .failure(let failure) = result else {
            Issue.record("the load succeeded")
            return
        }
        #expect(failure.kind == .data)
        #expect(failure.diagnostics.contains { $0.severity == .error && $0.message.hasPrefix(message) })
    }
}
