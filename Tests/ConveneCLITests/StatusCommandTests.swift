import ConveneTesting
import Foundation
import Testing

/// `convene status` reports what the journal says even when the admin's files are broken (that is when it is most
/// needed), and never reports zeros for a journal it did not find.
@Suite(.ownThread)
struct StatusCommandTests {
    /// The example with its journal in `out/state` next to the rules file, after the 61 invitations due on
    /// 17 December went out (into the dry-run outbox `out`).
    static func exampleAfterARun() async throws -> URL {
        let directory = try CLI.exampleCopy()
        let config = directory.appendingPathComponent("convene.yaml")
        let rules = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "state: /var/lib/convene", with: "state: out/state")
        try rules.write(to: config, atomically: true, encoding: .utf8)
        let run = try await CLI.run(
            [
                "run", "--config", config.path, "--now", "2026-12-17 09:00", "--until", "2026-12-17 09:00", "--dry-run",
                directory.appendingPathComponent("out").path,
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("sent 61, failed 0"), "\(run.stdout)")
        return directory
    }

    /// Appends `text` to the rules file.
    static func append(_ text: String, to config: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test func withABrokenRulesFileStatusStillShowsTheJournalsCountsAndSaysTheFilesHaveErrors() async throws {
        let directory = try await Self.exampleAfterARun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("convene.yaml").path
        let arguments = ["status", "--config", config, "--now", "2026-12-17 10:00"]
        let healthy = try await CLI.run(arguments)
        #expect(healthy.status == 0, "\(healthy.stderr)")
        #expect(healthy.stdout.contains("invitation      61       0        0"), "\(healthy.stdout)")
        #expect(healthy.stdout.contains("next: invitation hod-roundtable 2026-12-30 09:00"), "\(healthy.stdout)")

        // An admin's edit adds a notification rule with two mistakes.
        try Self.append("  - id: broken\n    kind: nudge\n    send: whenever\n    template: reminder\n", to: config)

        let broken = try await CLI.run(arguments)
        #expect(broken.status == 78, "\(broken.stdout)\n\(broken.stderr)")
        // The same counts, from the journal the rules file names (its service: section is still readable).
        #expect(
            broken.stdout.contains("journal: \(directory.path)/out/state/journal.jsonl (122 records)"),
            "\(broken.stdout)")
        #expect(broken.stdout.contains("invitation      61       0        0"), "\(broken.stdout)")
        #expect(broken.stdout.contains("pending: unknown (the files have errors; see above)"), "\(broken.stdout)")
        #expect(!broken.stdout.contains("next:"), "nothing planned from files that did not load")
        #expect(broken.stderr.contains("convene.yaml:"), "the errors, compiler-style: \(broken.stderr)")
        #expect(
            broken.stderr.contains(
                "the rules file or templates have 2 errors (above): the counts are the journal's alone"),
            "\(broken.stderr)")

        let json = try await CLI.run(arguments + ["--json"])
        #expect(json.status == 78)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["counts"] as? [String: Int])?["invitation.sent"] == 61)
        #expect(object["files_loaded"] as? Bool == false)
        #expect(object["pending"] is NSNull && object["next"] is NSNull)
    }

    @Test func aRulesFileThatDoesNotParseNeedsStateButTheCountsStillShow() async throws {
        let directory = try await Self.exampleAfterARun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("convene.yaml").path
        try Self.append("extra: [unclosed\n", to: config)

        // Nothing in the file can be trusted, its state: included: status asks for the folder.
        let unknown = try await CLI.run(["status", "--config", config])
        #expect(unknown.status == 78, "\(unknown.stdout)\n\(unknown.stderr)")
        #expect(unknown.stderr.contains("its state folder cannot be read from it"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("hint: pass --state DIR"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)

        let given = try await CLI.run([
            "status", "--config", config, "--state", directory.appendingPathComponent("out/state").path,
        ])
        #expect(given.status == 78, "\(given.stderr)")
        #expect(given.stdout.contains("invitation      61       0        0"), "\(given.stdout)")
        #expect(given.stderr.contains("this '[' is never closed"), "\(given.stderr)")
    }

    @Test(arguments: ["an empty folder", "a folder that does not exist"])
    func aStateFolderWithoutAJournalIsAnErrorNamingIt(_ kind: String) async throws {
        let directory = try CLI.exampleCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        if kind == "an empty folder" {
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        }
        let result = try await CLI.run(
            ["status", "--config", directory.appendingPathComponent("convene.yaml").path, "--state", state.path])
        #expect(result.status == 74, "\(kind): \(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("convene status: no journal in \(state.path)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "no table of zeros: \(result.stdout)")
    }
}
