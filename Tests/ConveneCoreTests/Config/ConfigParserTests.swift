import Foundation
import Testing

@testable import ConveneCore

/// A minimal valid rules file; tests break one part of it at a time.
enum ConfigFixture {
    static let valid = """
        service:
          timezone: Europe/London
          from: Team <team@example.gov.uk>
          send_window: 08:00-18:00 Mon-Fri
          rate: 30/minute
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: PS
            name: Permanent Secretary
            aliases: [Perm Sec]
          - id: DG
            name: Director General
        forums:
          - id: cslg
            name: CSLG
            grades: [PS, DG]
          - id: pslg
            name: PSLG
            include: [cslg]
        events:
          - id: day
            title: Leadership Day
            forums: [cslg]
            start: 2027-03-18 09:30
            end: 2027-03-18 16:30
        notifications:
          - id: invitation
            kind: invitation
            send: 21 days before at 09:00
            template: invitation

        """

    static func parse(_ text: String) -> (Config?, [Diagnostic]) { ConfigParser.parse(text, file: "c.yaml") }
}

struct ConfigParserTests {
    @Test func validFileIsTypedWithDefaults() throws {
        let (config, diagnostics) = ConfigFixture.parse(ConfigFixture.valid)
        #expect(diagnostics == [])
        let c = try #require(config)
        #expect(c.service.timeZone.identifier == "Europe/London")
        #expect(c.service.organizer == Mailbox(name: "Team", address: "team@example.gov.uk"))
        #expect(c.service.sendWindow.description == "08:00-18:00 Mon-Fri")
        #expect(c.service.holidays == nil && c.service.sendWindow.holidays.isEmpty)
        #expect(c.service.rate == Rate(count: 30, perSeconds: 60))
        #expect(c.service.lateJoiners == .invite && c.service.leavers == .cancel && c.service.maxRosterShrink == 0.10)
        #expect(c.grades.map(\.aliases) == [["Perm Sec"], []])
        #expect(c.events[0].duration.minutes == 420)
        #expect(c.notifications[0].send == SendOffset(amount: 21, unit: .days, at: TimeOfDay(hour: 9, minute: 0)))
    }

    @Test(arguments: [
        ("  timezone: Europe/London", "  timezone: Mars/Olympus", "2:13 unknown time zone 'Mars/Olympus'"),
        ("  timezone: Europe/London", "  timezone: BST", "2:13 unknown time zone 'BST'"),
        ("  rate: 30/minute", "  rate: lots", "5:9 bad 'rate': 'lots' is not a rate; write e.g. 30/minute"),
        ("  tls: none", "  tls: none\n  password: secret", "9:3 a password in the rules file is refused"),
        (
            "  url: smtp://127.0.0.1:2525", "  url: smtp://mail.example.com:25",
            "7:8 'tls: none' is allowed only to a loopback host, not 'mail.example.com'"
        ),
        (
            "  url: smtp://127.0.0.1:2525", "  url: smtp://127.evil.example:25",
            "7:8 'tls: none' is allowed only to a loopback host, not '127.evil.example'"
        ),
        (
            "    name: Director General", "    name: Director General\n    aliases: [perm sec]",
            "15:15 grade name 'perm sec' is already used by grade 'PS' (line 12)"
        ),
        (
            "  - id: DG", "  - id: PS",
            "13:9 duplicate grades id 'PS' (first defined at line 10)\n18:18 forum 'cslg' names unknown grade 'DG'"
        ),
        ("    include: [cslg]", "    include: [pslg]", "21:15 forum 'pslg' includes itself"),
        ("    include: [cslg]", "    include: [nope]", "21:15 forum 'pslg' includes unknown forum 'nope'"),
        (
            "    grades: [PS, DG]", "    grades: [PS, DG]\n    include: [pslg]",
            "19:15 forum 'cslg' includes 'pslg', which includes it back: cslg → pslg → cslg\n22:15 forum 'pslg' includes 'cslg', which includes it back: pslg → cslg → pslg"
        ),
        ("    grades: [PS, DG]", "    grades: [PS, G7]", "18:18 forum 'cslg' names unknown grade 'G7'"),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 09:00",
            "27:10 'end' 2027-03-18 09:00 is not after 'start' 2027-03-18 09:30"
        ),
        (
            "    end: 2027-03-18 16:30", "    duration: 90 mins please",
            "27:15 bad 'duration': '90 mins please' is not a duration; write e.g. 60m, 3h or 1h30m"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 16:30\n    repeat: every 2 weeks",
            "28:13 bad 'repeat': a series must end: add 'until YYYY-MM-DD' or 'for N times'"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 16:30\n    repeat: every 2 weeks on Funday for 3 times",
            "28:13 bad 'repeat': 'funday' is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
        ),
        (
            "    start: 2027-03-18 09:30", "    start: 2027-02-30 09:30",
            "26:12 bad 'start': 2027-02-30 does not exist: February 2027 has 28 days"
        ),
        (
            "    start: 2027-03-18 09:30", "    start: 2027-03-18 9.30",
            "26:12 bad 'start': '2027-03-18 9.30' is not a date and time; write YYYY-MM-DD HH:MM"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2028-02-30 16:30",
            "27:10 bad 'end': 2028-02-30 does not exist: February 2028 has 29 days"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 16:30\n    except: [2027-04-31, 2027-13-01, 18/03/2027]",
            "28:14 'except' date 2027-04-31 does not exist: April 2027 has 30 days\n28:26 'except' date 2027-13-01 does not exist: there is no month 13\n28:38 'except' dates must be YYYY-MM-DD; got '18/03/2027'"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 16:30\n    repeat: every 1 weeks until 2027-06-31",
            "28:13 bad 'repeat': 'until' date 2027-06-31 does not exist: June 2027 has 30 days"
        ),
        (
            "    end: 2027-03-18 16:30", "    duration: 999999999999999999h",
            "27:15 bad 'duration': a duration over 14 days is not an event"
        ),
        (
            "    end: 2027-03-18 16:30",
            "    end: 2027-03-18 16:30\n    repeat: every 9000000000000000000 days for 5 times",
            "28:13 bad 'repeat': the interval must be from 1 to 1000"
        ),
        (
            "    send: 21 days before at 09:00", "    send: 99999999999 days before",
            "31:11 bad 'send': '99999999999 days before' is more than ten years before the event; expected 'N days|weeks|hours before [at HH:MM]'"
        ),
        (
            "    title: Leadership Day", "    title: |\n      Leadership\n      Day",
            "24:12 'title' must be one line, but this '|' block has a line break inside it"
        ),
        (
            "  from: Team <team@example.gov.uk>", "  from: Team <team at example.gov.uk>",
            "3:9 bad 'from': 'team at example.gov.uk' has no '@'"
        ),
        (
            "    send: 21 days before at 09:00", "    send: three weeks ahead",
            "31:11 bad 'send': 'three weeks ahead' is not a send time; expected 'N days|weeks|hours before [at HH:MM]'"
        ),
        (
            "    title: Leadership Day", "    title: Leadership Day\n    colour: red",
            "25:5 unknown key 'colour' in each item of 'events'"
        ),
        (
            "    kind: invitation", "    kind: invite",
            "30:11 'kind' must be one of: invitation, reminder, message; got 'invite'"
        ),
        (
            "    end: 2027-03-18 16:30", "    end: 2027-03-18 16:30\n    repeat: every 1 days for 5000 times",
            "28:13 the series has more than 1000 dates; convene plans at most 1000"
        ),
        (
            "    forums: [cslg]\n    start", "    forums: [hods]\n    start",
            "25:14 event 'day' is for unknown forum 'hods'"
        ),
        ("  rate: 30/minute", "  rate: 30/minute\n  holidays: ''", "6:13 'holidays' must name a file"),
        (
            "  rate: 30/minute", "  rate: 30/minute\n  holidays: [a.txt, b.txt]",
            "6:13 'holidays' must be a single value, not a list or mapping"
        ),
        (
            "  send_window: 08:00-18:00 Mon-Fri", "  send_window: 08:00-18:00 ,",
            "4:16 bad 'send_window': ',' names no weekday; expected 'HH:MM-HH:MM [Mon-Fri | Mon,Wed,Fri]'"
        ),
        (
            "    send: 21 days before at 09:00", "    send: 9999999999999999 weeks before",
            "31:11 bad 'send': '9999999999999999 weeks before' is more than ten years before the event; expected 'N days|weeks|hours before [at HH:MM]'"
        ),
    ])
    func eachMistakeIsReportedAtItsLineAndColumn(old: String, new: String, expected: String) {
        #expect(ConfigFixture.valid.contains(old))
        let (_, diagnostics) = ConfigFixture.parse(ConfigFixture.valid.replacingOccurrences(of: old, with: new))
        let errors = diagnostics.filter { $0.severity == .error }.map { "\($0.line):\($0.column) \($0.message)" }
        #expect(errors == expected.components(separatedBy: "\n"))
    }

    @Test func holidaysNamesAFileForTheLoaderAndWhereItIsWritten() throws {
        let text = ConfigFixture.valid.replacingOccurrences(
            of: "  rate: 30/minute", with: "  rate: 30/minute\n  holidays: bank-holidays.txt")
        let (config, diagnostics) = ConfigFixture.parse(text)
        #expect(diagnostics == [])
        let service = try #require(config?.service)
        #expect(service.holidays == "bank-holidays.txt")
        #expect(service.holidaysLocation == SourceLocation(line: 6, column: 13))
        // The core reads no files: the dates arrive from the loader.
        #expect(service.sendWindow.holidays.isEmpty)
    }

    @Test func missingSectionsAndKeysAreAllReported() {
        let (_, diagnostics) = ConfigFixture.parse("service:\n  from: team@example.gov.uk\n")
        let messages = diagnostics.map(\.message)
        #expect(messages.contains("the rules file is missing required key 'smtp'"))
        #expect(messages.contains("the rules file is missing required key 'events'"))
        #expect(messages.contains("'service' is missing required key 'timezone'"))
        #expect(diagnostics.count == 6)
    }

    @Test func yamlFeaturesOutsideTheSubsetAreConfigErrors() {
        let (config, diagnostics) = ConfigFixture.parse(
            ConfigFixture.valid.replacingOccurrences(
                of: "  timezone: Europe/London", with: "  timezone: &tz Europe/London"))
        #expect(config == nil)
        #expect(diagnostics.first?.message.contains("anchors") == true)
    }

    @Test func aOneLineFieldMayBeAFoldedOrLiteralBlock() throws {
        let text = ConfigFixture.valid.replacingOccurrences(
            of: "    title: Leadership Day",
            with:
                "    title: >\n      Leadership\n      Day\n    location: |\n      Lancaster House\n    join_url: >-\n      https://meet.example.gov.uk/day"
        )
        let (config, diagnostics) = ConfigFixture.parse(text)
        #expect(diagnostics == [])
        #expect(config?.events[0].title == "Leadership Day")
        #expect(config?.events[0].location == "Lancaster House")
        #expect(config?.events[0].joinURL == "https://meet.example.gov.uk/day")
    }

    @Test func valuesStayWhatTheAdminTyped() throws {
        let text = ConfigFixture.valid.replacingOccurrences(
            of: "    title: Leadership Day", with: "    title: no\n    location: 0777 1.10")
        let (config, diagnostics) = ConfigFixture.parse(text)
        #expect(diagnostics == [])
        #expect(config?.events[0].title == "no")
        #expect(config?.events[0].location == "0777 1.10")
    }
}

struct PhraseTests {
    @Test(arguments: [("60m", 60), ("3h", 180), ("1h30m", 90), ("90 minutes", 90), ("2 hours", 120)])
    func durations(text: String, minutes: Int) throws {
        #expect(try Duration.parse(text).get().minutes == minutes)
    }

    @Test(arguments: ["", "0m", "m", "10", "-5m", "15d"])
    func badDurations(text: String) {
        #expect((try? Duration.parse(text).get()) == nil)
    }

    @Test func recurrenceRoundTrips() throws {
        let r = try Recurrence.parse("every 2 weeks on Thu,Mon until 2027-07-29").get()
        #expect(
            r
                == Recurrence(
                    interval: 2, unit: .weeks, weekdays: [.monday, .thursday],
                    end: .until(LocalDate(year: 2027, month: 7, day: 29))))
        #expect(r.description == "every 2 weeks on Mon,Thu until 2027-07-29")
        #expect(
            try Recurrence.parse("every month for 6 times").get()
                == Recurrence(interval: 1, unit: .months, end: .count(6)))
    }

    @Test(arguments: [
        ("08:00-18:00 Mon-Fri", "08:00-18:00 Mon-Fri"), ("07:30-19:00 Wed,Fri,Mon", "07:30-19:00 Mon,Wed,Fri"),
        ("00:00-24:00 Fri-Mon", "00:00-24:00 Mon,Fri-Sun"), ("09:00-17:00 Sat,Sun", "09:00-17:00 Sat,Sun"),
        ("08:00-18:00 Mon-Sun", "08:00-18:00"),
    ])
    func sendWindowsReadBackAsWritten(text: String, description: String) throws {
        let window = try SendWindow.parse(text).get()
        #expect(window.description == description)
        #expect(try SendWindow.parse(window.description).get() == window)
    }

    @Test(arguments: [
        ("21 days before at 09:00", "21 days before at 09:00"), ("1 days before at 08:00", "1 day before at 08:00"),
        ("1 hour before", "1 hour before"), ("1 week before", "1 week before"), ("0 hours before", "0 hours before"),
    ])
    func sendOffsetsReadBackAsWritten(text: String, description: String) throws {
        let offset = try SendOffset.parse(text).get()
        #expect(offset.description == description)
        #expect(try SendOffset.parse(offset.description).get() == offset)
    }

    @Test func sendOffsetsStopAtTenYears() {
        #expect((try? SendOffset.parse("3653 days before").get()) != nil)
        #expect((try? SendOffset.parse("3654 days before").get()) == nil)
        #expect((try? SendOffset.parse("522 weeks before").get()) != nil)
        #expect((try? SendOffset.parse("523 weeks before").get()) == nil)
        #expect((try? SendOffset.parse("87672 hours before").get()) != nil)
        #expect((try? SendOffset.parse("87673 hours before").get()) == nil)
        #expect((try? SendOffset.parse("9223372036854775807 hours before").get()) == nil)
    }

    @Test func sendWindowsAcceptRangesAndLists() throws {
        #expect(
            try SendWindow.parse("08:00-18:00 Mon-Fri").get().days == [
                .monday, .tuesday, .wednesday, .thursday, .friday,
            ])
        #expect(try SendWindow.parse("07:30-19:00 Mon,Wed,Fri").get().days == [.monday, .wednesday, .friday])
        #expect(try SendWindow.parse("00:00-24:00 Fri-Mon").get().days == [.monday, .friday, .saturday, .sunday])
        #expect((try? SendWindow.parse("18:00-08:00").get()) == nil)
    }

    @Test func emailAddressesAreCheckedStrictly() {
        #expect(EmailAddress.isValid("ann.o'brien+events@example.gov.uk"))
        #expect(EmailAddress.problem(with: "a@b") == "has no dot in the domain")
        #expect(EmailAddress.problem(with: "a b@example.gov.uk") == "contains ' ' before the '@'")
        #expect(
            EmailAddress.problem(with: "a@example.gov.uk\r\nRCPT TO:<x@evil>")
                == "contains a control character (U+000D)")
        #expect(EmailAddress.problem(with: "a..b@example.gov.uk") == "has an empty part between dots before the '@'")
    }
}
