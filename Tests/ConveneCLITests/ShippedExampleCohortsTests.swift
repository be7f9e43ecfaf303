import ConveneTesting
import Foundation
import Testing

/// The shipped example's Directors' breakfast is a hosted series that needs its allocator: more Directors than
/// places, so tables rotate and every table has a waitlist; and the shipped replies (`config/replies`, which
/// `scripts/demo` and the README show) answer guests of the 12 April table, so a decline there frees a place to offer.
@Suite(.ownThread) struct ShippedExampleCohortsTests {
    /// `convene cohorts directors-breakfast --json` on the shipped files with no journal: the planned series.
    static func plannedSeries() async throws -> [String: Any] {
        let result = try await CLI.run([
            "cohorts", "directors-breakfast", "--json", "--config",
            CLI.root.appendingPathComponent("config/convene.yaml").path, "--state", "/nonexistent-state", "--now",
            "2026-12-01 09:00",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func emails(_ people: Any?) -> [String] {
        (people as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
    }

    @Test func theBreakfastSeatsTwelveDirectorsFromTwelveDepartmentsAndTheRestWait() async throws {
        let series = try await Self.plannedSeries()
        let occurrences = try #require(series["occurrences"] as? [[String: Any]])
        let summary = try #require(series["summary"] as? [String: Any])
        #expect(occurrences.count == 4)
        let audience = try #require(summary["audience"] as? Int)
        #expect(audience > 4 * 12, "more Directors than places in the whole series: \(audience)")
        var hosts: Set<String> = []
        for table in occurrences {
            let guests = table["guests"] as? [[String: Any]] ?? []
            let host = try #require(table["host"] as? [String: Any])
            let departments = Set(guests.compactMap { $0["department"] as? String })
            #expect(guests.count == 12, "a full table on \(table["date"] ?? "")")
            #expect(departments.count == 12 && !departments.contains(host["department"] as? String ?? ""))
            #expect(!Self.emails(table["waitlist"]).isEmpty, "someone waits for a place on \(table["date"] ?? "")")
            hosts.insert(host["email"] as? String ?? "")
        }
        #expect(hosts.count == 4, "a different Permanent Secretary hosts each breakfast: \(hosts)")
        #expect(summary["invited"] as? Int == 48 && summary["everyone_invited_once"] as? Bool == false)
    }

    /// Who each shipped reply is from: the sender, or for a bounce the recipient it reports.
    static func answerers() throws -> [String: String] {
        let folder = CLI.root.appendingPathComponent("config/replies/new")
        var answerers: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n")
            let from = try #require(lines.first { $0.hasPrefix("From: ") })
            let bounced = lines.first { $0.hasPrefix("Final-Recipient: rfc822; ") }
            let address =
                from.contains("MAILER-DAEMON")
                ? String(try #require(bounced).dropFirst("Final-Recipient: rfc822; ".count))
                : String(from.split(separator: "<").last?.split(separator: ">").first ?? "")
            answerers[name] = address
        }
        return answerers
    }

    @Test func theShippedRepliesAnswerGuestsOfTheTwelfthOfAprilTable() async throws {
        let answerers = try Self.answerers()
        #expect(answerers.count == 6, "\(answerers)")
        let series = try await Self.plannedSeries()
        let occurrences = try #require(series["occurrences"] as? [[String: Any]])
        let table = try #require(occurrences.first { $0["date"] as? String == "2027-04-12" })
        let guests = Set(Self.emails(table["guests"]))
        for (file, address) in answerers.sorted(by: { $0.key < $1.key }) {
            #expect(guests.contains(address), "\(file) answers for \(address), who is not at the 12 April table")
        }
        #expect(!Self.emails(table["waitlist"]).isEmpty, "the declined place has someone to go to")
    }
}
