import Foundation
import Testing

@testable import ConveneCore

/// The fixture's event with its `start:` and `end:` lines replaced by `lines` (each indented under the event), in
/// `zone`; its first replaced line is line 26 of the file, the next 27, and so on.
private func schedule(_ lines: [String], zone: String = "Europe/London") -> (Config?, [Diagnostic]) {
    let event = lines.map { "    " + $0 }.joined(separator: "\n")
    let text = ConfigFixture.valid
        .replacingOccurrences(of: "    start: 2027-03-18 09:30\n    end: 2027-03-18 16:30", with: event)
        .replacingOccurrences(of: "  timezone: Europe/London", with: "  timezone: \(zone)")
    return ConfigFixture.parse(text)
}

/// Warnings as `line:col message`, after checking that they are all warnings and left the config usable.
private func warnings(_ lines: [String], zone: String = "Europe/London") -> [String] {
    let (config, diagnostics) = schedule(lines, zone: zone)
    #expect(config?.events.count == 1)
    #expect(!diagnostics.hasErrors, "\(diagnostics)")
    return diagnostics.map { "\($0.line):\($0.column) \($0.message)" }
}

struct EventClockChangeTests {
    static let gap = "does not exist in Europe/London (the clocks go forward an hour): it will be 02:30 BST"
    static let overlap =
        "happens twice in Europe/London (the clocks go back an hour): convene uses the first, 01:30 BST, as calendar "
        + "programs do"

    @Test(arguments: [
        (["start: 2027-03-28 01:30", "duration: 60m"], ["26:12 'start' 01:30 on 2027-03-28 \(gap)"]),
        (["start: 2027-10-31 01:30", "duration: 90m"], ["26:12 'start' 01:30 on 2027-10-31 \(overlap)"]),
        (["start: 2027-03-28 00:30", "end: 2027-03-28 01:30"], ["27:10 'end' 01:30 on 2027-03-28 \(gap)"]),
        (["start: 2027-03-28 02:30", "duration: 60m"], []),
        (["start: 2027-10-31 02:00", "duration: 60m"], []),
        // A series: every date is checked, and one warning lists the dates of each kind of finding.
        (
            ["start: 2027-03-28 01:30", "duration: 60m", "repeat: every 52 weeks for 3 times"],
            ["26:12 'start' 01:30 on 2027-03-28, 2028-03-26 and 2029-03-25 \(gap)"]
        ),
        (
            ["start: 2027-03-21 01:30", "duration: 90m", "repeat: every 1 weeks until 2027-11-07"],
            ["26:12 'start' 01:30 on 2027-03-28 \(gap)", "26:12 'start' 01:30 on 2027-10-31 \(overlap)"]
        ),
        (
            ["start: 2027-03-21 01:30", "duration: 60m", "repeat: every 1 weeks for 3 times", "except: [2027-03-28]"],
            []
        ),
        (["start: 2027-03-28 01:30", "duration: 60m", "status: cancelled"], []),
    ])
    func aTimeTheClocksSkipOrRepeatSaysWhatItWillBe(lines: [String], expected: [String]) {
        #expect(warnings(lines) == expected)
    }

    @Test(arguments: [
        (
            ["start: 2027-03-28 01:30", "end: 2027-03-28 02:15"],
            [
                "26:12 'start' 01:30 on 2027-03-28 \(gap)",
                "27:10 'end' 02:15 on 2027-03-28 is not after the start once read in Europe/London (start 02:30 BST, "
                    + "end 02:15 BST): convene keeps the 45m written, so the event runs 02:30 BST–03:15 BST",
            ]
        ),
        (
            ["start: 2027-10-31 01:30", "duration: 30m"],
            [
                "26:12 'start' 01:30 on 2027-10-31 \(overlap)",
                "27:15 the event on 2027-10-31 ends at 01:00 GMT, after the clocks go back, which calendar programs "
                    + "read as the first 01:00 in Europe/London, 01:00 BST: not after its start, 01:30 BST",
            ]
        ),
        (
            ["start: 2027-10-30 09:00", "end: 2027-10-31 17:00"],
            [
                "27:10 the event on 2027-10-30 spans a clock change in Europe/London: convene keeps the 32h between "
                    + "'start' and 'end' on the wall clock, so it ends at 16:00 GMT, not 17:00 GMT"
            ]
        ),
        (["start: 2027-10-30 09:00", "duration: 32h"], []),
    ])
    func anEndThatComesOutNotAfterTheStartOrMovesIsReported(lines: [String], expected: [String]) {
        #expect(warnings(lines) == expected)
    }

    @Test func theHintsSayHowToMendIt() {
        let (_, spanning) = schedule(["start: 2027-10-30 09:00", "end: 2027-10-31 17:00"])
        #expect(spanning.map(\.hint) == ["write 'duration: 33h' instead of 'end' to end at 17:00"])
        let (_, skipped) = schedule(["start: 2027-03-28 01:30", "duration: 60m"])
        #expect(skipped.map(\.hint) == ["choose a time the clocks do not skip"])
        #expect(skipped.map(\.severity) == [.warning])
        #expect(skipped.first?.description.hasPrefix("c.yaml:26:12: warning: 'start' 01:30 on 2027-03-28") == true)
    }

    @Test(arguments: [
        (
            "America/New_York", "2027-03-14 02:30",
            [
                "26:12 'start' 02:30 on 2027-03-14 does not exist in America/New_York (the clocks go forward an "
                    + "hour): it will be 03:30 EDT"
            ]
        ),
        ("America/New_York", "2027-03-28 01:30", []),
        ("Asia/Tokyo", "2027-03-28 01:30", []),
        ("Africa/Abidjan", "2027-03-28 01:30", []),
    ])
    func everyZoneHasItsOwnChanges(zone: String, start: String, expected: [String]) {
        #expect(warnings(["start: \(start)", "duration: 60m"], zone: zone) == expected)
    }

    @Test(arguments: [
        ("2027-03-28 01:30", ["'moved' 01:30 on 2027-03-28 \(gap)"]),
        ("2027-10-31 01:30", ["'moved' 01:30 on 2027-10-31 \(overlap)"]),
        ("2027-10-31 02:30", []),
    ])
    func aSingleWallTimeIsCheckedTheSameWay(time: String, expected: [String]) {
        let reader = SchemaReader(file: "c.yaml")
        reader.timeZone = TimeZone(identifier: "Europe/London")
        let at = SourceLocation(line: 9, column: 14)
        ConfigParser.checkWallClock(LocalDateTime(parsing: time)!, key: "moved", at: at, reader)
        #expect(reader.diagnostics.map(\.message) == expected)
        #expect(reader.diagnostics.allSatisfy { $0.location == at && $0.severity == .warning })
    }

    @Test func anUnknownZoneIsOneErrorNotAWarningPerEvent() {
        let (_, diagnostics) = schedule(["start: 2027-03-28 01:30", "duration: 60m"], zone: "Mars/Olympus")
        #expect(diagnostics.map(\.message) == ["unknown time zone 'Mars/Olympus'"])
    }
}

struct EventSeriesShapeTests {
    @Test(arguments: [
        (
            ["start: 2027-01-06 12:00", "duration: 60m", "repeat: every 2 weeks on Tue,Thu for 4 times"],
            [
                "26:12 the start date Wednesday 6 January 2027 is not a Tue or Thu: the series begins on Thursday "
                    + "7 January 2027"
            ]
        ),
        (
            ["start: 2027-01-06 12:00", "duration: 60m", "repeat: every 1 weeks on Tue until 2027-01-11"],
            ["26:12 the start date Wednesday 6 January 2027 is not a Tue: the series has no dates at all"]
        ),
        (["start: 2027-01-07 12:00", "duration: 60m", "repeat: every 2 weeks on Tue,Thu for 4 times"], []),
        (["start: 2027-01-06 12:00", "duration: 60m", "repeat: every 2 weeks for 4 times"], []),
        (
            ["start: 2027-02-10 08:00", "duration: 90m", "repeat: every 1 months for 4 times"],
            ["28:13 the monthly series lands on a weekend: Saturday 10 April 2027"]
        ),
        (
            ["start: 2027-02-10 08:00", "duration: 90m", "repeat: every 1 months for 4 times", "except: [2027-04-10]"],
            []
        ),
        (
            ["start: 2027-01-31 10:00", "duration: 30m", "repeat: every 1 months for 12 times"],
            [
                "28:13 the monthly series lands on a weekend on 4 dates: Sunday 31 January 2027, Sunday 28 February "
                    + "2027, Saturday 31 July 2027 and 1 more"
            ]
        ),
        (["start: 2027-02-12 08:00", "duration: 90m", "repeat: every 1 months for 4 times"], []),
        (["start: 2027-01-09 10:00", "duration: 60m", "repeat: every 7 days for 3 times"], []),
        (["start: 2027-02-10 08:00", "duration: 90m", "repeat: every 1 months for 4 times", "status: cancelled"], []),
    ])
    func aSeriesThatSkipsItsStartOrDriftsOntoWeekendsIsReported(lines: [String], expected: [String]) {
        #expect(warnings(lines) == expected)
    }

    @Test func theHintsNameTheWayOut() {
        let (_, weekday) = schedule([
            "start: 2027-01-06 12:00", "duration: 60m", "repeat: every 2 weeks on Tue,Thu for 4 times",
        ])
        #expect(
            weekday.map(\.hint) == ["start on a Tue or Thu, or add Wed after 'on' if that day belongs to the series"])
        let (_, weekend) = schedule(["start: 2027-02-10 08:00", "duration: 90m", "repeat: every 1 months for 4 times"])
        #expect(weekend.first?.hint?.contains("take these dates out with 'except:'") == true)
    }
}
