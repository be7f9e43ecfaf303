import ConveneTesting
import Foundation
import Testing

/// `convene history` answers "what was this person sent?" from the history files and the journal, after compaction
/// has dropped the records from the journal, across restarts, and with the rules file broken.
@Suite(.ownThread)
struct HistoryCommandTests {
    static let person = "bridget.singh@example.gov.uk"

    /// The example after the 17 December run, then a run on 11 January that compacts the journal at start (it is
    /// padded past the 10,000-line threshold with attempts of a long-ended occurrence): the 7 January occurrence
    /// ended more than two days before, so its invitations leave the journal for the history.
    static func exampleAfterACompaction() async throws -> (directory: URL, config: String, state: String) {
        let directory = try await StatusCommandTests.exampleAfterARun()
        let config = directory.appendingPathComponent("convene.yaml").path
        let state = directory.appendingPathComponent("out/state").path
        var filler = ""
        for index in 0..<10_000 {
            filler +=
                #"{"at":"2020-01-01T09:00:00Z","key":"old/20200101/invitation/p\#(index)@example.test","#
                + #""kind":"invitation","msgid":"old.\#(index)@example.test","type":"attempt","v":1}"# + "\n"
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: state + "/journal.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data(filler.utf8))
        try handle.close()
        let run = try await CLI.run(
            [
                "run", "--config", config, "--now", "2027-01-11 09:00", "--until", "2027-01-11 09:00", "--dry-run",
                directory.appendingPathComponent("out").path,
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("journal compacted"), "\(run.stderr)")
        return (directory, config, state)
    }

    @Test func aMessageSentBeforeACompactionIsStillListedForItsRecipientAndAfterARestart() async throws {
        let (directory, config, state) = try await Self.exampleAfterACompaction()
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = try String(contentsOfFile: state + "/journal.jsonl", encoding: .utf8)
        #expect(!journal.contains("your-agenda/20270107/invitation/\(Self.person)"), "compaction dropped it")
        #expect(FileManager.default.fileExists(atPath: state + "/history/2026-12.jsonl"))

        let history = try await CLI.run(["history", Self.person.uppercased(), "--config", config])
        #expect(history.status == 0, "\(history.stderr)")
        let line = try #require(history.stdout.split(separator: "\n").first { $0.contains("your-agenda 2027-01-07") })
        #expect(
            line.hasPrefix(
                "2026-12-17 09:00  sent  invitation  your-agenda 2027-01-07  <your-agenda.20270107.invitation.0."))
        #expect(line.contains("to \(Self.person)") && line.contains("reply: 250 written to"), "\(line)")

        // Another start (and its own compaction check) neither loses nor repeats it.
        let again = try await CLI.run(
            [
                "run", "--config", config, "--now", "2027-01-12 09:00", "--until", "2027-01-12 09:00", "--dry-run",
                directory.appendingPathComponent("out").path,
            ])
        #expect(again.status == 0, "\(again.stderr)")
        let after = try await CLI.run(["history", Self.person, "--config", config])
        #expect(
            after.stdout.split(separator: "\n").filter { $0.contains("your-agenda 2027-01-07") }.count == 1,
            "\(after.stdout)")

        // A delegate's history has the principal's messages they were copied on.
        let delegate = try await CLI.run(["history", "private.office.hmt@example.gov.uk", "--config", config])
        #expect(delegate.status == 0, "\(delegate.stderr)")
        #expect(
            delegate.stdout.contains(
                "sent  invitation  hod-roundtable 2027-01-20  <hod-roundtable.20270120.invitation.0."),
            "\(delegate.stdout)")
        #expect(delegate.stdout.contains("to samuel.jenkins@example.gov.uk, cc private.office.hmt@example.gov.uk"))

        // --from leaves out what happened before the day.
        let recent = try await CLI.run(["history", Self.person, "--from", "2027-01-01", "--config", config])
        #expect(recent.status == 0)
        #expect(!recent.stdout.contains("2026-12-17"), "\(recent.stdout)")
    }

    @Test func anOccurrencesMessagesAreListedAndJSONParsesWithTheRulesFileBroken() async throws {
        let (directory, config, state) = try await Self.exampleAfterACompaction()
        defer { try? FileManager.default.removeItem(at: directory) }

        let event = try await CLI.run([
            "history", "--event", "your-agenda", "--occurrence", "2027-01-07", "--config", config,
        ])
        #expect(event.status == 0, "\(event.stderr)")
        let invitations = event.stdout.split(separator: "\n").filter {
            $0.contains("  sent  invitation  your-agenda 2027-01-07  ")
        }
        #expect(invitations.count == 61, "\(event.stdout)")
        #expect(event.stdout.split(separator: "\n").allSatisfy { $0.contains("your-agenda 2027-01-07") })

        // The rules file stops parsing: history needs only the state folder.
        try StatusCommandTests.append("extra: [unclosed\n", to: config)
        let json = try await CLI.run(["history", Self.person, "--json", "--state", state, "--config", config])
        #expect(json.status == 0, "\(json.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let first = try #require(array.first { $0["occurrence"] as? String == "2027-01-07" })
        #expect(first["outcome"] as? String == "sent")
        #expect(first["kind"] as? String == "invitation")
        #expect(first["event"] as? String == "your-agenda")
        #expect(first["to"] as? String == Self.person)
        #expect((first["message_id"] as? String)?.hasPrefix("your-agenda.20270107.invitation.0.") == true)
        #expect((first["reply"] as? String)?.hasPrefix("250 ") == true)
        // With the zone unreadable, times are UTC, and it says so.
        #expect(first["at"] as? String == "2026-12-17T09:00:00+00:00")
        #expect(json.stderr.contains("times are in UTC"), "\(json.stderr)")
    }

    @Test func aStateFolderWithNoJournalOrHistoryIs74AndMistakesAre64() async throws {
        let directory = try CLI.exampleCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("convene.yaml").path
        let empty = directory.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)

        let missing = try await CLI.run(["history", Self.person, "--config", config, "--state", empty])
        #expect(missing.status == 74, "\(missing.stderr)")
        #expect(missing.stderr.contains("no journal or history in \(empty)"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)

        for arguments in [
            ["history"], ["history", Self.person, "--event", "your-agenda"],
            ["history", Self.person, "--from", "17/12/2026"],
            ["history", "--event", "your-agenda", "--occurrence", "soon"],
            ["history", Self.person, "--occurrence", "2027-01-07"],
            ["history", Self.person, "--bogus"],
        ] {
            let result = try await CLI.run(arguments + ["--config", config, "--state", empty])
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
    }
}
