import ConveneTesting
import Foundation
import Testing

@Suite(.ownThread)
struct ValidateCommandTests {
    @Test func shippedExampleIsValid() async throws {
        let result = try await CLI.run([
            "validate", "--config", CLI.root.appendingPathComponent("config/convene.yaml").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "OK — 5 forums, 5 events, 5 notifications, 104 people (people.csv: 11 rows applied), 24 holidays\n"))
        #expect(result.stderr == "", "the example has no warnings either")
    }

    /// The example with two more events: one at a time the clocks skip, with a folded `location: >`, and a monthly
    /// series that lands on weekends.
    static func exampleWithScheduleWarnings() throws -> (path: URL, text: String) {
        let dir = try CLI.exampleCopy()
        let path = dir.appendingPathComponent("convene.yaml")
        let events = """
              - id: night-shift
                title: Night Shift Briefing
                forums: [directors]
                start: 2027-03-28 01:30
                duration: 60m
                location: >
                  Online
              - id: monthly-surgery
                title: Directors' Surgery
                forums: [directors]
                start: 2027-01-08 10:00
                duration: 30m
                repeat: every 1 months for 8 times

            notifications:
            """
        let text = try String(contentsOf: path, encoding: .utf8)
            .replacingOccurrences(of: "\nnotifications:", with: "\n" + events)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return (path, text)
    }

    @Test func scheduleWarningsArePrintedWithTheirPlaceAndValidatePasses() async throws {
        let (path, text) = try Self.exampleWithScheduleWarnings()
        let result = try await CLI.run(["validate", "--config", path.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "OK — 5 forums, 7 events, 5 notifications, 104 people (people.csv: 11 rows applied), 24 holidays, 2 warnings"
            ))
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "    start: 2027-03-28 01:30")) + 1
        let repeats = try #require(lines.firstIndex(of: "    repeat: every 1 months for 8 times")) + 1
        #expect(
            result.stderr == """
                \(path.path):\(start):12: warning: 'start' 01:30 on 2027-03-28 does not exist in Europe/London (the \
                clocks go forward an hour): it will be 02:30 BST
                    hint: choose a time the clocks do not skip
                \(path.path):\(repeats):13: warning: the monthly series lands on a weekend on 2 dates: Saturday 8 May \
                2027 and Sunday 8 August 2027
                    hint: 'every N months' keeps the day of the month, not the weekday: take these dates out with \
                'except:' or start on another day

                """)

        let printed = try await CLI.run(["validate", "--print", "--config", path.path])
        #expect(printed.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any]
        let night = (json?["events"] as? [[String: Any]])?.first { $0["id"] as? String == "night-shift" }
        #expect(night?["location"] as? String == "Online", "the line break that ends 'location: >' is dropped")
    }

    @Test func aLineBreakInsideAOneLineBlockIsAnErrorNamingFoldedStrip() async throws {
        let dir = try CLI.exampleCopy()
        let path = dir.appendingPathComponent("convene.yaml")
        let text = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
            of: "    location: Lancaster House, Stable Yard, London SW1A 1BB",
            with: "    location: |\n      Lancaster House, Stable Yard\n      London SW1A 1BB")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--config", path.path])
        #expect(result.status == 78)
        let line = try #require(text.components(separatedBy: "\n").firstIndex(of: "    location: |")) + 1
        #expect(
            result.stderr.hasPrefix(
                """
                \(path.path):\(line):15: error: 'location' must be one line, but this '|' block has a line break inside it
                    hint: '|' keeps every line break: write '>-' (folded, strip) to join the lines with spaces

                """), "\(result.stderr)")
    }

    /// A placeholder inside a sentence that some event leaves empty is a warning naming those events, for the events
    /// the template is actually used for; validate still succeeds.
    @Test func anEmptyPlaceholderInsideASentenceIsAWarningNamingTheEvents() async throws {
        let dir = try CLI.exampleCopy()
        let rules = dir.appendingPathComponent("convene.yaml")
        let dayBefore = "    template: reminder\n    forums: [directors]"
        let text = try String(contentsOf: rules, encoding: .utf8)
        #expect(text.contains(dayBefore))
        // The day-before reminder goes to the Directors' network alone: give it a template of its own.
        try text.replacingOccurrences(of: dayBefore, with: "    template: nudge\n    forums: [directors]")
            .write(to: rules, atomically: true, encoding: .utf8)
        let nudge = dir.appendingPathComponent("templates/nudge.txt")
        try """
        subject: Tomorrow: ((event title))
        ---
        Dear ((first name)), join at ((join url)) tomorrow.

        [Join the meeting online](((join url)))

        * Where: ((location))
        """.write(to: nudge, atomically: true, encoding: .utf8)
        let invitation = dir.appendingPathComponent("templates/invitation.txt")
        let sentence = "You are invited to ((event title)), an event"
        let original = try String(contentsOf: invitation, encoding: .utf8)
        #expect(original.contains(sentence))
        let edited = original.replacingOccurrences(
            of: sentence, with: "You are invited to ((event title)) (((description))), an event")
        try edited.write(to: invitation, atomically: true, encoding: .utf8)

        let result = try await CLI.run(["validate", "--config", rules.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasSuffix("104 people (people.csv: 11 rows applied), 24 holidays, 2 warnings\n"),
            "\(result.stdout)")
        let lines = edited.components(separatedBy: "\n")
        let row = try #require(lines.firstIndex { $0.contains("(((description)))") })
        let column = try #require(lines[row].range(of: "((description))")).lowerBound.utf16Offset(in: lines[row]) + 1
        let warnings = result.stderr.components(separatedBy: "\n").filter { $0.contains(": warning: ") }
        #expect(
            warnings == [
                // pslg-climate has no description either, but it is cancelled: nobody is invited to it.
                "\(invitation.path):\(row + 1):\(column): warning: ((description)) is empty for event hod-roundtable, "
                    + "so this line would read \"You are invited to ((event title)) (), an event for members of the "
                    + "((forum)).\"",
                // Only Directors get the nudge: cslg-leadership-day has no joining link either, but is not named.
                "\(nudge.path):3:30: warning: ((join url)) is empty for event directors-breakfast, so this line would "
                    + "read \"Dear ((first name)), join at  tomorrow.\"",
            ], "\(result.stderr)")

        let json = try await CLI.run(["validate", "--json", "--config", rules.path])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diagnostics = object["diagnostics"] as? [[String: Any]] ?? []
        #expect(object["ok"] as? Bool == true)
        #expect(diagnostics.map { $0["severity"] as? String } == ["warning", "warning"])
    }

    @Test func brokenExampleReportsEveryMistakeWithLineAndColumnInOneRun() async throws {
        let dir = try CLI.exampleCopy()
        let path = dir.appendingPathComponent("convene.yaml")
        var text = try String(contentsOf: path, encoding: .utf8)
        let edits: [(String, String)] = [
            ("  timezone: Europe/London", "  timezone: Europe/Londres"),
            ("  password_credential: smtp-password", "  password: hunter2"),
            ("    aliases: [SCS3]", "    aliases: [SCS3, Perm Sec]"),
            ("    include: [cslg]", "    include: [cslg, pslg]"),
            ("    repeat: every 2 weeks until 2027-07-29", "    repeat: every fortnight-ish"),
            ("    duration: 1h30m", "    duration: ninety minutes"),
            ("    forums: [hod]", "    forums: [hods]"),
            ("    template: reminder\n    forums: [directors]", "    template: reminders\n    forums: [directors]"),
            ("  late_joiners: invite", "  late_joiner: invite"),
        ]
        for (old, new) in edits {
            #expect(text.contains(old), "the example still has \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--config", path.path])
        #expect(result.status == 78)
        let lines = text.components(separatedBy: "\n")
        func location(of needle: String, column: String) -> String {
            let index = lines.firstIndex { $0.contains(needle) }!
            let col = lines[index].range(of: column)!.lowerBound.utf16Offset(in: lines[index]) + 1
            return "\(path.path):\(index + 1):\(col): error:"
        }
        let expected = [
            location(of: "timezone: Europe/Londres", column: "Europe") + " unknown time zone 'Europe/Londres'",
            location(of: "password: hunter2", column: "password") + " a password in the rules file is refused",
            location(of: "aliases: [SCS3, Perm Sec]", column: "Perm Sec")
                + " grade name 'Perm Sec' is already used by grade 'PS'",
            location(of: "include: [cslg, pslg]", column: "pslg]") + " forum 'pslg' includes itself",
            location(of: "repeat: every fortnight-ish", column: "every") + " bad 'repeat':",
            location(of: "duration: ninety minutes", column: "ninety") + " bad 'duration':",
            location(of: "forums: [hods]", column: "hods") + " event 'hod-roundtable' is for unknown forum 'hods'",
            location(of: "template: reminders", column: "reminders") + " template 'reminders' not found",
            location(of: "late_joiner: invite", column: "late_joiner") + " unknown key 'late_joiner' in 'service'",
        ]
        for line in expected {
            #expect(result.stderr.contains(line), "missing: \(line)\n--- stderr:\n\(result.stderr)")
        }
        #expect(result.stderr.contains("hint: did you mean 'late_joiners'?"))
    }

    /// One run reports the rules file's, a template's and the roster's mistakes together (exit 78: the rules come
    /// first), a template used by two rules is reported once, and a misspelt role is named on both sides.
    @Test func rulesTemplatesAndRosterAreCheckedTogetherInOnePass() async throws {
        let dir = try CLI.exampleCopy()
        let rules = dir.appendingPathComponent("convene.yaml")
        let rulesText = try String(contentsOf: rules, encoding: .utf8)
        try rulesText.replacingOccurrences(of: "  timezone: Europe/London", with: "  timezone: Europe/Londres")
            .write(to: rules, atomically: true, encoding: .utf8)
        let reminder = dir.appendingPathComponent("templates/reminder.txt")
        let reminderText = try String(contentsOf: reminder, encoding: .utf8)
        try reminderText.replacingOccurrences(of: "Dear ((first name)),", with: "Dear ((frist name)),")
            .write(to: reminder, atomically: true, encoding: .utf8)
        let roster = dir.appendingPathComponent("roster.csv")
        var rosterLines = try String(contentsOf: roster, encoding: .utf8).components(separatedBy: "\n")
        let hod = try #require(rosterLines.firstIndex { $0.hasSuffix(",head-of-department") })
        rosterLines[hod] = rosterLines[hod].replacingOccurrences(
            of: ",head-of-department", with: ",head-of-departmnet")
        let scs2 = try #require(rosterLines.firstIndex { $0.contains(",SCS2,") })
        rosterLines[scs2] = rosterLines[scs2].replacingOccurrences(of: ",SCS2,", with: ",SCS9,")
        try rosterLines.joined(separator: "\n").write(to: roster, atomically: true, encoding: .utf8)

        let result = try await CLI.run(["validate", "--config", rules.path])
        #expect(result.status == 78, "\(result.stderr)")
        let diagnostics = result.stderr.components(separatedBy: "\n").filter {
            $0.contains(": error: ") || $0.contains(": warning: ")
        }
        #expect(
            diagnostics.contains {
                $0.hasPrefix(rules.path + ":") && $0.contains("unknown time zone 'Europe/Londres'")
            }, "\(result.stderr)")
        #expect(
            diagnostics.filter { $0.hasPrefix(reminder.path + ":") && $0.contains("frist name") }.count == 1,
            "\(result.stderr)")
        #expect(
            diagnostics.contains { $0.hasPrefix(roster.path + ":") && $0.contains("unknown grade 'SCS9'") },
            "\(result.stderr)")
        #expect(
            diagnostics.contains {
                $0.hasPrefix(roster.path + ":") && $0.contains("warning: unknown role 'head-of-departmnet'")
            }, "\(result.stderr)")
    }

    @Test func aForumRoleNobodyHoldsIsAWarningNamingIt() async throws {
        let dir = try CLI.exampleCopy()
        let rules = dir.appendingPathComponent("convene.yaml")
        let text = try String(contentsOf: rules, encoding: .utf8)
        #expect(text.contains("roles: [head-of-department]"))
        try text.replacingOccurrences(of: "roles: [head-of-department]", with: "roles: [head-of-departments]")
            .write(to: rules, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--config", rules.path])
        #expect(result.status == 0, "a warning does not fail validate: \(result.stderr)")
        #expect(
            result.stderr.contains(
                "warning: forum 'hod' names role 'head-of-departments', which nobody in the roster holds"),
            "\(result.stderr)")
        #expect(
            result.stderr.contains("warning: unknown role 'head-of-department': no forum's 'roles:' names it"),
            "\(result.stderr)")
    }

    @Test func rosterErrorsExitWith65AndNameTheirLines() async throws {
        let dir = try CLI.exampleCopy()
        let roster = dir.appendingPathComponent("roster.csv")
        var text = try String(contentsOf: roster, encoding: .utf8)
        let before = text.filter { $0 == "\n" || $0 == "\r\n" }.count
        text += "E1,bad-address,Bad Address,,DG,,,,,,,\r\n"
        text += "E2,unknown.grade@example.gov.uk,Unknown Grade,,G7,,,,,,,\r\n"
        try text.write(to: roster, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--config", dir.appendingPathComponent("convene.yaml").path])
        #expect(result.status == 65)
        // Physical lines: the example has a quoted multi-line notes field, so records and lines differ.
        #expect(
            result.stderr.contains("roster.csv:\(before + 1):4: error: bad email 'bad-address'"), "\(result.stderr)")
        #expect(result.stderr.contains("roster.csv:\(before + 2):48: error: unknown grade 'G7'"), "\(result.stderr)")
    }

    @Test func printEmitsTheResolvedConfigAsJSON() async throws {
        let result = try await CLI.run([
            "validate", "--print", "--config", CLI.root.appendingPathComponent("config/convene.yaml").path,
        ])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let events = json?["events"] as? [[String: Any]]
        let agenda = events?.first { $0["id"] as? String == "your-agenda" }
        let dates = agenda?["dates"] as? [String]
        #expect(dates?.contains("2027-05-13") == false, "excepted dates are not listed")
        #expect(dates?.first == "2027-01-07")
        #expect((json?["smtp"] as? [String: Any])?["password_credential"] as? String == "smtp-password")
        #expect(!result.stdout.contains("password\":"))
    }

    @Test func jsonGivesEveryDiagnosticAsDataWithTheSameExitStatus() async throws {
        let dir = try CLI.exampleCopy()
        let path = dir.appendingPathComponent("convene.yaml")
        let text = try String(contentsOf: path, encoding: .utf8)
            .replacingOccurrences(of: "  timezone: Europe/London", with: "  timezone: Mars/Olympus")
            .replacingOccurrences(of: "  late_joiners: invite", with: "  late_joiner: invite")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["validate", "--json", "--config", path.path])
        #expect(result.status == 78)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == false && json["exit"] as? Int == 78)
        let diagnostics = json["diagnostics"] as? [[String: Any]] ?? []
        #expect(
            diagnostics.map { "\($0["line"]!):\($0["column"]!) \($0["message"]!)" } == [
                "5:13 unknown time zone 'Mars/Olympus'", "14:3 unknown key 'late_joiner' in 'service'",
            ])
        #expect(diagnostics.last?["hint"] as? String == "did you mean 'late_joiners'?")

        let good = try await CLI.run([
            "validate", "--json", "--config", CLI.root.appendingPathComponent("config/convene.yaml").path,
        ])
        #expect(good.status == 0)
        #expect(
            (try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any])?["ok"] as? Bool == true)
    }

    @Test func missingConfigIsAConfigError() async throws {
        let result = try await CLI.run(["validate", "--config", "/nonexistent/convene.yaml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/convene.yaml:1:1: error: cannot read the rules file"))
    }
}

@Suite(.ownThread)
struct HelpAndUsageTests {
    @Test(arguments: ["validate", "recipients", "plan", "preview", "run", "status", "send-test"])
    func everySubcommandHasHelp(command: String) async throws {
        let result = try await CLI.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Usage: convene \(command)"))
    }

    @Test func toolHelpListsTheCommandsAndExitCodes() async throws {
        let result = try await CLI.run(["--help"])
        #expect(result.status == 0)
        for command in ["validate", "recipients", "plan", "preview", "run", "status", "send-test"] {
            #expect(result.stdout.contains("  \(command) "))
        }
        #expect(result.stdout.contains("78 bad config"))
    }

    /// A cut-short roster export that leaves the breakfast too few departments: with the journal, `validate` says the
    /// roster shrank (a data error, 65) and gives the series' problem as its consequence; `plan` stops the same way.
    @Test func aCutShortRosterThatBreaksAHostedSeriesIsReportedAsTheRosterShrinking() async throws {
        let dir = try CLI.exampleCopy()
        let config = dir.appendingPathComponent("convene.yaml").path
        let state = dir.appendingPathComponent("outbox/state").path
        let run = try await CLI.run([
            "run", "--config", config, "--dry-run", dir.appendingPathComponent("outbox").path, "--now",
            "2026-12-01 09:00", "--until", "2026-12-18 12:00",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // The export stops after 61 people: the Directors left leave a table 11 departments, too few for 12 places.
        let roster = dir.appendingPathComponent("roster.csv")
        var lines: [String] = []
        try String(contentsOf: roster, encoding: .utf8).enumerateLines { line, _ in lines.append(line) }
        try (lines.prefix(62).joined(separator: "\r\n") + "\r\n").write(to: roster, atomically: true, encoding: .utf8)

        let validate = try await CLI.run([
            "validate", "--config", config, "--state", state, "--now", "2026-12-20 09:00",
        ])
        #expect(validate.status == 65, "\(validate.stderr)")
        #expect(
            validate.stderr.contains(roster.path + ":1:1: error: the roster drops "), "\(validate.stderr)")
        #expect(validate.stderr.contains("more than max_roster_shrink 10%"))
        #expect(validate.stderr.contains("hint: a cut-short export? restore the whole roster"))
        #expect(validate.stderr.contains("error: event 'directors-breakfast' mixes departments"))
        #expect(
            validate.stderr.contains(
                "hint: the roster shrank (see the roster error): restore it first; if it is right, lower 'capacity'"))
        let plan = try await CLI.run(["plan", "--config", config, "--state", state, "--now", "2026-12-20 09:00"])
        #expect(plan.status == 65)
        #expect(plan.stderr.contains("more than max_roster_shrink 10%"), "\(plan.stderr)")
        // With no journal to compare with, only the series' problem can be said (78).
        let bare = try await CLI.run([
            "validate", "--config", config, "--state", dir.appendingPathComponent("none").path,
        ])
        #expect(bare.status == 78, "\(bare.stderr)")
        #expect(!bare.stderr.contains("max_roster_shrink"))
    }

    @Test func usageErrorsExitWith64() async throws {
        #expect(try await CLI.run([]).status == 64)
        #expect(try await CLI.run(["frobnicate"]).status == 64)
        let result = try await CLI.run(["validate", "--bogus"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown option --bogus"))
    }
}

@Suite(.ownThread)
struct RecipientsCommandTests {
    @Test func pslgListsChiefExecutivesAndEveryCSLGMemberWithWhy() async throws {
        let config = CLI.root.appendingPathComponent("config/convene.yaml").path
        let pslg = try await CLI.run(["recipients", "pslg", "--json", "--config", config])
        let cslg = try await CLI.run(["recipients", "cslg", "--json", "--config", config])
        #expect(pslg.status == 0 && cslg.status == 0)
        func members(_ r: CLI.Result) throws -> [[String: Any]] {
            (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["members"]
                as? [[String: Any]] ?? []
        }
        let pslgMembers = try members(pslg)
        let cslgEmails = Set(try members(cslg).map { $0["email"] as! String })
        let ces = pslgMembers.filter { $0["grade"] as? String == "CE" }
        #expect(ces.count == 8, "all eight chief executives; the one who opted out of everything is listed and flagged")
        #expect(cslgEmails.isSubset(of: Set(pslgMembers.map { $0["email"] as! String })))
        #expect(pslgMembers.count == ces.count + cslgEmails.count)
        for member in pslgMembers {
            let reasons = member["reasons"] as? [String] ?? []
            if member["grade"] as? String == "CE" {
                #expect(reasons == ["grade CE (Chief Executive)"])
            } else {
                #expect(reasons.allSatisfy { $0.hasPrefix("via cslg: grade ") } && !reasons.isEmpty)
            }
        }
        let human = try await CLI.run(["recipients", "pslg", "--config", config])
        #expect(human.stdout.hasPrefix("Public Service Leaders Group (pslg): \(pslgMembers.count) members"))
        #expect(human.stdout.contains("via cslg: grade PS (Permanent Secretary)"))
        #expect(human.stdout.contains("[interim]"))
        #expect(human.stdout.contains("opted out of all"))
    }

    @Test func unknownForumIsAUsageError() async throws {
        let result = try await CLI.run([
            "recipients", "nope", "--config", CLI.root.appendingPathComponent("config/convene.yaml").path,
        ])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown forum 'nope'"))
    }
}
