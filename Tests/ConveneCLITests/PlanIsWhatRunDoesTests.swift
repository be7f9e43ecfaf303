import ConveneTesting
import Foundation
import Testing

/// `plan` is exactly what `run` does: over random programmes, send windows and clocks, simulating a year with
/// `run --until` sends, or journals as skipped, exactly the messages `plan --json` listed at the start (no more, no
/// less), and no reminder goes out after its occurrence starts.
@Suite(.ownThread)
struct PlanIsWhatRunDoesTests {
    /// SplitMix64: a seeded generator, so a failing programme can be reproduced from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// A random programme: a few events (one-off or series, some with an excepted or moved date), an invitation rule
    /// and up to two reminder rules with day, week or hour offsets, an always-open or office-hours window.
    static func programme(seed: UInt64) -> (rules: String, now: String, until: String) {
        var random = Generator(state: seed)
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
        func day(from base: Int = 0) -> String {
            let date = Calendar(identifier: .gregorian).date(
                byAdding: .day, value: base + Int.random(in: 0..<300, using: &random),
                to: DateComponents(
                    calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 2027,
                    month: 1, day: 4
                ).date!)!
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            return "\(parts.year!)-\(two(parts.month!))-\(two(parts.day!))"
        }
        var events: [String] = []
        for index in 0..<Int.random(in: 1...3, using: &random) {
            let start = "\(day()) \(two(Int.random(in: 7...19, using: &random))):\(pick(["00", "30"]))"
            var event = """
                  - id: e\(index)
                    title: Event \(index)
                    forums: [\(pick(["directors", "cslg", "directors, cslg"]))]
                    start: \(start)
                    duration: \(pick(["45m", "1h", "3h"]))
                """
            if Bool.random(using: &random) {
                event +=
                    "\n    repeat: every \(Int.random(in: 1...3, using: &random)) \(pick(["weeks", "days", "months"])) for \(Int.random(in: 2...6, using: &random)) times"
                if Bool.random(using: &random) {
                    let scheduled = String(start.prefix(10))
                    event +=
                        "\n    moved:\n      \(scheduled): \(scheduled) \(two(Int.random(in: 8...17, using: &random))):15"
                }
            }
            events.append(event)
        }
        var rules = """
              - id: invitation
                kind: invitation
                send: \(Int.random(in: 7...28, using: &random)) days before at \(two(Int.random(in: 6...20, using: &random))):00
                template: invitation
            """
        for index in 0..<Int.random(in: 0...2, using: &random) {
            let send = pick([
                "\(Int.random(in: 1...6, using: &random)) days before at \(two(Int.random(in: 6...20, using: &random))):00",
                "1 week before", "\(Int.random(in: 1...30, using: &random)) hours before", "1 day before at 08:00",
            ])
            rules += "\n  - id: reminder\(index)\n    kind: reminder\n    send: \(send)\n    template: reminder"
        }
        let window = pick(["08:00-18:00 Mon-Fri", "09:00-17:30 Mon-Thu", "00:00-24:00 Mon-Sun"])
        let now = "\(day(from: -60)) \(two(Int.random(in: 0...23, using: &random))):\(pick(["00", "17", "45"]))"
        let text = """
            service:
              timezone: Europe/London
              from: Collective Leadership Team <collective.leadership@example.gov.uk>
              organizer: collective.leadership@example.gov.uk
              send_window: \(window)
            smtp:
              url: smtp://127.0.0.1:2525
              tls: none
            grades:
              - id: DG
                name: Director General
              - id: SCS2
                name: Director
            forums:
              - id: directors
                name: Directors' Network
                grades: [SCS2]
              - id: cslg
                name: Civil Service Leadership Group
                grades: [DG]
            events:
            \(events.joined(separator: "\n"))
            notifications:
            \(rules)

            """
        return (text, now, "2028-12-31 23:59")
    }

    static let roster = """
        email,name,grade,opt_out
        dg@example.gov.uk,Dee Gee,DG,
        dir1@example.gov.uk,Ann Director,SCS2,
        dir2@example.gov.uk,Bob Director,SCS2,reminders

        """

    @Test(arguments: Array(UInt64(1)...UInt64(24)))
    func simulatingAYearDoesExactlyWhatPlanListed(seed: UInt64) async throws {
        let (rules, now, until) = Self.programme(seed: seed)
        let programme = try Programme(rules: rules, roster: Self.roster)
        let validate = try await CLI.run(["validate", "--config", programme.rulesPath])
        guard validate.status == 0 else {
            // A generated file the parser refuses (e.g. a moved date that is not scheduled) must say why, located.
            #expect(validate.stderr.contains("error:"), "seed \(seed): \(validate.stderr)")
            return
        }
        let planned = try await programme.plan(now: now)
        let expected = Set(
            planned.map {
                "\($0["message_id"] as? String ?? "?") \($0["kind"] as? String == "skip" ? "skipped" : "sent")"
            })
        try await programme.run(now: now, until: until)
        let journal = try programme.journal()
        let outcomes = journal.filter { ["sent", "skipped"].contains($0["type"] as? String) }
        let done = Set(outcomes.map { "\($0["msgid"] as? String ?? "?") \($0["type"] as? String ?? "")" })
        #expect(
            done == expected,
            "seed \(seed): only planned: \(expected.subtracting(done).sorted().prefix(5)); only run: \(done.subtracting(expected).sorted().prefix(5))\n\(rules)"
        )
        #expect(outcomes.count == done.count, "seed \(seed): each message once")

        // No reminder after its occurrence starts (the start from the calendar messages of the same occurrence).
        var starts: [String: String] = [:]
        for record in journal {
            if let event = record["event"] as? [String: Any], let key = record["key"] as? String {
                starts[key.split(separator: "/").prefix(2).joined(separator: "/")] = event["start"] as? String
            }
        }
        for record in outcomes where record["type"] as? String == "sent" && record["kind"] as? String == "reminder" {
            let occurrence = (record["key"] as? String ?? "").split(separator: "/").prefix(2).joined(separator: "/")
            let start = try #require(
                starts[occurrence], "seed \(seed): a reminder for \(occurrence) without its invitation")
            #expect(
                (record["at"] as? String ?? "") < start,
                "seed \(seed): reminder at \(record["at"] ?? "") for \(occurrence) starting \(start)")
        }
    }
}
