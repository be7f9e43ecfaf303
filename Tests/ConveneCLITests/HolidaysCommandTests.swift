import ConveneTesting
import Foundation
import Testing

/// `service.holidays` through the built binary: `validate` reports the file's mistakes with the rest, and `plan`
/// moves what falls on a holiday to the working day before.
@Suite(.ownThread)
struct HolidaysCommandTests {
    static let holidaysFile = "holidays-england-and-wales.txt"

    /// A copy of the example with `lines` added to its holidays file.
    static func example(addingHolidays lines: String) throws -> (dir: URL, config: String, holidays: String) {
        let dir = try CLI.exampleCopy()
        let holidays = dir.appendingPathComponent(holidaysFile)
        let text = try String(contentsOf: holidays, encoding: .utf8)
        try (text + lines).write(to: holidays, atomically: true, encoding: .utf8)
        return (dir, dir.appendingPathComponent("convene.yaml").path, holidays.path)
    }

    /// The plan table's rows as words (columns are padded to their widest cell).
    static func rows(_ table: String) -> [String] {
        table.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
    }

    @Test func validateReportsABadHolidayLineWithTheRulesFilesMistakesAndExits78() async throws {
        let (_, config, holidays) = try Self.example(addingHolidays: "2027-02-30 Pancake day\n2027-06-01\n")
        let lineCount = try String(contentsOfFile: holidays, encoding: .utf8).split(separator: "\n").count
        let rules = try String(contentsOfFile: config, encoding: .utf8)
        try rules.replacingOccurrences(of: "  timezone: Europe/London", with: "  timezone: Europe/Londres")
            .write(toFile: config, atomically: true, encoding: .utf8)

        let result = try await CLI.run(["validate", "--config", config])
        #expect(result.status == 78)
        let expected = [
            "\(holidays):\(lineCount - 1):1: error: '2027-02-30' is not a date: February 2027 has 28 days",
            "\(holidays):\(lineCount):11: error: holiday 2027-06-01 has no name",
            "\(config):5:13: error: unknown time zone 'Europe/Londres'",
        ]
        for line in expected {
            #expect(result.stderr.contains(line), "missing: \(line)\n--- stderr:\n\(result.stderr)")
        }
        #expect(result.stderr.contains("hint: write 'YYYY-MM-DD name', e.g. '2027-01-01 New Year's Day'"))
    }

    @Test func anUnreadableHolidaysFileIsAConfigErrorNamingIt() async throws {
        let (dir, config, _) = try Self.example(addingHolidays: "")
        let rules = try String(contentsOfFile: config, encoding: .utf8)
        #expect(rules.contains("  holidays: \(Self.holidaysFile)"))
        try rules.replacingOccurrences(of: "  holidays: \(Self.holidaysFile)", with: "  holidays: bank-holidays.txt")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let line = rules.components(separatedBy: "\n").firstIndex { $0.hasPrefix("  holidays:") }! + 1

        let result = try await CLI.run(["validate", "--config", config])
        #expect(result.status == 78)
        let missing = dir.appendingPathComponent("bank-holidays.txt").path
        #expect(
            result.stderr.contains("\(config):\(line):13: error: cannot read the holidays file \(missing)"),
            "\(result.stderr)")
        // `plan` loads the same way and does nothing with a config it cannot read.
        let plan = try await CLI.run([
            "plan", "--config", config, "--state", "/nonexistent", "--now", "2026-12-01 09:00",
        ])
        #expect(plan.status == 78)
    }

    @Test func validateShowsTheHolidaysItRead() async throws {
        let config = CLI.root.appendingPathComponent("config/convene.yaml").path
        let ok = try await CLI.run(["validate", "--config", config])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("104 people (people.csv: 11 rows applied), 24 holidays"))

        let printed = try await CLI.run(["validate", "--print", "--config", config])
        #expect(printed.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any]
        let service = try #require(json?["service"] as? [String: Any])
        #expect(service["holidays"] as? String == Self.holidaysFile)
        #expect(service["send_window"] as? String == "08:00-18:00 Mon-Fri")
        let dates = try #require(service["holiday_dates"] as? [String: String])
        #expect(dates.count == 24)
        #expect(dates["2027-03-29"] == "Easter Monday")
    }

    @Test func planMovesAnInvitationDueOnAHolidayToThePreviousWorkingDay() async throws {
        // The fortnightly series' invitation for 7 January 2027 is due on Thursday 17 December 2026 at 09:00.
        let (_, config, _) = try Self.example(addingHolidays: "2026-12-17 Office closure\n")
        let plan = try await CLI.run([
            "plan", "--config", config, "--state", "/nonexistent", "--now", "2026-12-01 09:00",
            "--from", "2026-12-16", "--to", "2026-12-17",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            Self.rows(plan.stdout).contains("2026-12-16 09:00 invitation your-agenda 2027-01-07 invitation 0 61"),
            "\(plan.stdout)")
        #expect(!plan.stdout.contains("2026-12-17"), "\(plan.stdout)")
        #expect(plan.stdout.hasSuffix("61 deliveries\n"))
    }

    @Test func theShippedBankHolidaysMoveRemindersBeforeTheLongWeekend() async throws {
        // Breakfast on Monday 10 May 2027: a week before is the Early May bank holiday, a day before a Sunday. Its table
        // is reminded: the host and twelve guests a week before, the guests alone (the Directors) the day before.
        let (dir, config, _) = try Self.example(addingHolidays: "")
        let rules = dir.appendingPathComponent("convene.yaml")
        let text = try String(contentsOf: rules, encoding: .utf8)
        let breakfast = "    start: 2027-02-12 08:00\n    duration: 1h30m"
        #expect(text.contains(breakfast))
        try text.replacingOccurrences(of: breakfast, with: "    start: 2027-02-10 08:00\n    duration: 1h30m")
            .write(to: rules, atomically: true, encoding: .utf8)
        let plan = try await CLI.run([
            "plan", "--config", config, "--state", "/nonexistent", "--now", "2026-12-01 09:00",
            "--from", "2027-04-30", "--to", "2027-05-10",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let rows = Self.rows(plan.stdout)
        #expect(
            rows.contains("2027-04-30 09:00 reminder directors-breakfast 2027-05-10 week-before 0 13"), "\(plan.stdout)"
        )
        #expect(
            rows.contains("2027-05-07 08:00 reminder directors-breakfast 2027-05-10 day-before 0 12"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("2027-05-03") && !plan.stdout.contains("skip"), "\(plan.stdout)")
    }
}
