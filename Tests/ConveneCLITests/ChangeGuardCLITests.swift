import ConveneTesting
import Foundation
import Testing

/// The careless save of the brief, through the binary on the shipped example: the event entries commented out
/// (`events:` left empty) validates with a warning, and the next runs send no cancellation at all until an admin
/// runs `convene approve`; then exactly the held cancellations go, once.
@Suite(.ownThread)
struct ChangeGuardCLITests {
    static func eml(_ outbox: URL, kind: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? [])
            .filter { $0.hasSuffix(".eml") && $0.contains(".\(kind).") }.sorted()
    }

    @Test func anEditThatRemovesEveryEventSendsNoCancellationUntilApproved() async throws {
        let dir = try CLI.exampleCopy()
        let rules = dir.appendingPathComponent("convene.yaml")
        let outbox = dir.appendingPathComponent("outbox")
        let state = outbox.appendingPathComponent("state").path
        let first = try await CLI.run([
            "run", "--config", rules.path, "--dry-run", outbox.path, "--now", "2026-12-01 09:00", "--until",
            "2027-01-05 18:00",
        ])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!Self.eml(outbox, kind: "invitation").isEmpty)

        // Comment out every line of the events block, keeping the key, and the rules scoped to the CSLG day (the
        // last in the file), which would otherwise name an unknown event.
        var inEvents = false
        var edited = try String(contentsOf: rules, encoding: .utf8).components(separatedBy: "\n").map {
            line -> String in
            if line.hasPrefix("events:") {
                inEvents = true
                return line
            }
            if line.hasPrefix("notifications:") { inEvents = false }
            return inEvents && !line.isEmpty ? "# " + line : line
        }.joined(separator: "\n")
        let scoped = try #require(edited.range(of: "\n  - id: cslg-day-invitation\n"))
        edited = String(edited[..<scoped.lowerBound]) + "\n"
        try edited.write(to: rules, atomically: true, encoding: .utf8)
        let validate = try await CLI.run(["validate", "--config", rules.path])
        #expect(validate.status == 0)
        #expect(validate.stderr.contains("warning: 'events' is empty"), "\(validate.stderr)")

        let held = try await CLI.run([
            "plan", "--diff", "--config", rules.path, "--state", state, "--now", "2027-01-05 18:00",
        ])
        #expect(held.status == 0, "\(held.stderr)")
        #expect(held.stdout.contains("[held] cancel"), "\(held.stdout)")
        #expect(held.stdout.contains("run `convene approve` to send them"), "\(held.stdout)")

        let second = try await CLI.run([
            "run", "--config", rules.path, "--dry-run", outbox.path, "--now", "2027-01-05 18:00", "--until",
            "2027-01-06 12:00",
        ])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.eml(outbox, kind: "cancellation").isEmpty, "nothing of a held change goes out")
        let status = try await CLI.run([
            "status", "--config", rules.path, "--state", state, "--now", "2027-01-06 12:00",
        ])
        #expect(status.stdout.contains("held: "), "\(status.stdout)")

        let approve = try await CLI.run([
            "approve", "--config", rules.path, "--state", state, "--now", "2027-01-06 12:00",
        ])
        #expect(approve.status == 0, "\(approve.stderr)")
        let planned = try await CLI.run([
            "plan", "--json", "--config", rules.path, "--state", state, "--now", "2027-01-06 12:00",
        ])
        let actions = try #require(
            try JSONSerialization.jsonObject(with: Data(planned.stdout.utf8)) as? [[String: Any]])
        let cancellations = actions.filter { $0["kind"] as? String == "cancellation" }.count
        #expect(cancellations > 0)

        let third = try await CLI.run([
            "run", "--config", rules.path, "--dry-run", outbox.path, "--now", "2027-01-06 12:00", "--until",
            "2027-01-06 18:00",
        ])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(Self.eml(outbox, kind: "cancellation").count == cancellations, "exactly the approved change, once")
        let fourth = try await CLI.run([
            "run", "--config", rules.path, "--dry-run", outbox.path, "--now", "2027-01-06 18:00", "--until",
            "2027-01-07 18:00",
        ])
        #expect(fourth.status == 0)
        #expect(Self.eml(outbox, kind: "cancellation").count == cancellations)
    }
}
