import ConveneTesting
import Foundation
import Testing

@Suite(.ownThread)
struct PlanCommandTests {
    static let config = CLI.root.appendingPathComponent("config/convene.yaml").path
    static let now = "2026-12-01 09:00"

    func plan(_ extra: [String], state: String = "/nonexistent-state") async throws -> CLI.Result {
        try await CLI.run(["plan", "--config", Self.config, "--state", state, "--now", Self.now] + extra)
    }

    @Test func jsonForAYearIsStableOrderedAndComplete() async throws {
        let first = try await plan(["--json", "--to", "2027-11-30"])
        let second = try await plan(["--json", "--to", "2027-11-30"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout, "same inputs, same bytes")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [[String: Any]])
        #expect(actions.count > 500)
        let keys: Set<String> = [
            "due", "kind", "event", "occurrence", "notification", "recipient", "cc", "uid", "sequence", "key",
            "message_id",
        ]
        #expect(actions.allSatisfy { keys.isSubset(of: Set($0.keys)) })
        let dues = actions.map { $0["due"] as! String }
        #expect(dues == dues.sorted(), "due order (one offset per season, so text order is time order within one zone)")
        #expect(
            dues.contains { $0.hasSuffix("+01:00") } && dues.contains { $0.hasSuffix("+00:00") },
            "offsets follow BST and GMT")
        // The cancelled climate event and the excepted series dates never appear.
        #expect(!actions.contains { $0["event"] as? String == "pslg-climate" })
        #expect(!actions.contains { ["2027-05-13", "2027-05-27"].contains($0["occurrence"] as? String) })
        // The Permanent Secretary with a private office has it copied.
        #expect(
            actions.contains {
                $0["recipient"] as? String == "samuel.jenkins@example.gov.uk"
                    && ($0["cc"] as? [String]) == ["private.office.hmt@example.gov.uk"]
            })
        // Opted out of reminders: invitations only.
        let optedOut = actions.filter { $0["recipient"] as? String == "ruth.vaughan@example.gov.uk" }.map {
            $0["kind"] as! String
        }
        #expect(!optedOut.isEmpty && !optedOut.contains("reminder"))
    }

    @Test func windowAndGroupingOptionsNarrowTheTable() async throws {
        let grouped = try await plan(["--from", "2026-12-17", "--to", "2026-12-17"])
        #expect(grouped.status == 0)
        #expect(grouped.stdout.contains("2026-12-17 09:00  invitation  your-agenda"))
        #expect(grouped.stdout.hasSuffix("61 deliveries\n"))
        let each = try await plan(["--from", "2026-12-17", "--to", "2026-12-17", "--recipients"])
        #expect(each.stdout.components(separatedBy: "\n").filter { $0.contains("@example.gov.uk") }.count == 61)
        #expect(try await plan(["--from", "17/12/2026"]).status == 64)
    }

    @Test func aRosterThatDropsAThirdOfTheInvitedPeopleIsRefused() async throws {
        let dir = try CLI.exampleCopy()
        let config = dir.appendingPathComponent("convene.yaml").path
        let outbox = dir.appendingPathComponent("outbox").path
        let run = try await CLI.run([
            "run", "--config", config, "--dry-run", outbox, "--now", "2026-12-01 09:00", "--until", "2026-12-18 12:00",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // HR sends a truncated export that stops after the 70th person: 19 of the 61 Directors invited are missing.
        // (Enough departments remain for the breakfast's tables, so it is the roster guard that refuses.)
        let roster = dir.appendingPathComponent("roster.csv")
        let text = try String(contentsOf: roster, encoding: .utf8)
        var lines: [String] = []
        text.enumerateLines { line, _ in lines.append(line) }
        // The header and 70 people (people.csv's rows for those cut off are warnings, not people).
        try (lines.prefix(71).joined(separator: "\r\n") + "\r\n").write(to: roster, atomically: true, encoding: .utf8)
        let validate = try await CLI.run(["validate", "--config", config])
        #expect(validate.stdout.contains("70 people"), "\(validate.stdout)\(validate.stderr)")
        let plan = try await CLI.run([
            "plan", "--config", config, "--state", outbox + "/state", "--now", "2026-12-20 09:00",
        ])
        #expect(plan.status == 65)
        #expect(plan.stderr.contains("more than max_roster_shrink 10%: refusing to send cancellations"))
    }
}

@Suite(.ownThread)
struct PreviewCommandTests {
    static let config = CLI.root.appendingPathComponent("config/convene.yaml").path

    @Test func previewPrintsTheExactMessageForOneDelivery() async throws {
        let result = try await CLI.run([
            "preview", "--config", Self.config, "--state", "/nonexistent", "--now", "2026-12-01 09:00",
            "--event", "your-agenda", "--occurrence", "2027-01-21", "--notification", "invitation", "--to",
            "zainab.usher@example.gov.uk",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.hasPrefix("Date: Tue, 01 Dec 2026 09:00:00 +0000\r\n"))
        #expect(text.contains("\r\nMessage-ID: <your-agenda.20270121.invitation.0."))
        #expect(text.contains("Content-Type: text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(!text.contains("\n\n"), "CRLF only")
    }

    @Test func unknownNamesAreUsageErrorsWithHints() async throws {
        let base = ["preview", "--config", Self.config, "--state", "/nonexistent", "--to", "x@example.gov.uk"]
        let event = try await CLI.run(base + ["--event", "nope", "--notification", "invitation"])
        #expect(event.status == 64)
        #expect(event.stderr.contains("unknown event 'nope'") && event.stderr.contains("your-agenda"))
        let rule = try await CLI.run(base + ["--event", "your-agenda", "--notification", "nope"])
        #expect(rule.status == 64)
        #expect(rule.stderr.contains("unknown notification 'nope'"))
    }

    @Test func outWritesEveryPlannedMessageInTheWindowAsEml() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("convene-preview-\(UUID().uuidString)")
            .path
        let result = try await CLI.run([
            "preview", "--config", Self.config, "--state", "/nonexistent", "--now", "2026-12-01 09:00",
            "--from", "2026-12-17", "--to", "2026-12-31", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let planned = try await CLI.run([
            "plan", "--config", Self.config, "--state", "/nonexistent", "--now", "2026-12-01 09:00", "--from",
            "2026-12-17", "--to", "2026-12-31", "--json",
        ])
        let count = (try JSONSerialization.jsonObject(with: Data(planned.stdout.utf8)) as? [Any])?.count
        #expect(files.count == count)
        #expect(
            files.first == "001-invitation-your-agenda-adam.rowe_example.gov.uk.eml", "NNN-kind-event-recipient.eml"
        )
        #expect(files.allSatisfy { $0.hasSuffix(".eml") })
        #expect(result.stdout.contains("wrote \(files.count) messages"))
        let reminder = try #require(files.first { $0.contains("-reminder-") })
        let bytes = try String(contentsOfFile: out + "/" + reminder, encoding: .utf8)
        #expect(!bytes.contains("text/calendar"), "reminders are plain mail")
    }
}
