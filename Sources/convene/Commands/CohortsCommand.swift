import ConveneCore
import ConveneService
import Foundation

/// `convene cohorts EVENT`: a hosted series' tables, answers and waitlists, and why each table is as it is.
enum CohortsCommand {
    static let subcommand = Subcommand(
        name: "cohorts", abstract: "a hosted series: each table's host, guests, answers and waitlist",
        usage: """
            Usage: convene cohorts EVENT [--occurrence YYYY-MM-DD] [--explain] [--json] [--config PATH]
                                   [--state DIR] [--now 'YYYY-MM-DD HH:MM']
                   convene cohorts --bench [--people N] [--departments N] [--occurrences N] [--capacity N]

            For an event with 'capacity:' (a hosted series), per occurrence: the host, the guests with their
            departments and answers (accepted, tentative, declined, pending; an offer shows until when the
            place is held), those whose invitation bounced (their place is freed as by a decline), the offers
            that passed on, and the waitlist (who a freed place goes to next).
            Tables whose invitations have not gone out are the allocation as it stands today: it may change
            until they go out; an invited person is never taken out by it, nor by a change of address (same
            employee_id: they are shown at the new one, their entry re-sent there). Then a series summary: whether
            everyone has been invited once, pairs who met more than once, hosts used.

              --occurrence DATE  only this occurrence
              --explain          each table's cost terms and the repeats it had to accept, and why
              --json             {"event", "capacity", "mix", "occurrences": [{"date", "invitations_out",
                                 "offers_open", "host", "guests": [{"email", "name", "department",
                                 "answer", "held_until", "moved_from"}], "declined", "bounced", "passed",
                                 "waitlist", "pair_cost", "repeated_pairs", "notes"}], "summary": {"audience",
                                 "invited", "everyone_invited_once", "repeated_pairs", "hosts_used"}}
              --bench            time the allocator on a generated roster against a random and a greedy-only
                                 allocation: one line per method (allocator, greedy-only,
                                 random), for scripts/bench

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        if arguments.flag("bench") { return try bench(&arguments) }
        let options = try CommonOptions(&arguments)
        let occurrenceText = try arguments.option("occurrence")
        let explain = arguments.flag("explain")
        guard let eventID = arguments.positional() else { throw .usage("which event? convene cohorts EVENT") }
        try arguments.finish()
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let zone = config.service.timeZone
        let now = try options.instant(in: zone)
        guard let event = config.event(eventID) else {
            throw CommandError(
                exitCode: .usage, message: "no event '\(eventID)' in the rules file",
                hint: "events are: " + config.events.map(\.id).joined(separator: ", "))
        }
        guard event.hosting != nil else {
            throw CommandError(
                exitCode: .usage, message: "event '\(eventID)' is not a hosted series: it has no 'capacity'",
                hint: "hosted events: "
                    + (config.events.filter { $0.hosting != nil }.map(\.id).joined(separator: ", ").nonEmpty ?? "none"))
        }
        var state = JournalState()
        if let directory = options.stateDirectory(workspace), FileManager.default.fileExists(atPath: directory) {
            do {
                let read = try FileJournal.read(directory: directory)
                Output.diagnostics(read.warnings)
                state = JournalState(records: read.records)
            } catch {
                throw CommandError(exitCode: .ioError, message: error.description)
            }
        }
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now)
        guard
            let schedule = CohortSchedule(
                event: event, occurrences: occurrences, config: config, roster: workspace.roster,
                audience: workspace.audience, state: state, now: now)
        else { return .ok }
        var entries = schedule.entries
        if let occurrenceText {
            guard let date = LocalDate(parsing: occurrenceText) else {
                throw .usage("--occurrence must be YYYY-MM-DD; got '\(occurrenceText)'")
            }
            entries = entries.filter { $0.occurrence.date == date }
            if entries.isEmpty {
                throw CommandError(
                    exitCode: .usage, message: "\(eventID) has no occurrence on \(date)",
                    hint: "its dates are: "
                        + schedule.entries.map(\.occurrence.date.description).joined(separator: ", "))
            }
        }
        let roster = workspace.roster
        if options.json {
            Output.json(json(schedule, entries: entries, roster: roster, zone: zone, now: now))
        } else {
            text(schedule, entries: entries, roster: roster, zone: zone, now: now, explain: explain)
        }
        return .ok
    }

    /// A guest's standing at a table.
    static func answer(_ entry: CohortSchedule.Entry, _ key: String) -> String {
        if let answer = entry.answers[key], answer != "needs-action" { return answer }
        return entry.invitationsOut && entry.slot.invited.contains(key) || entry.slot.host == key
            ? "pending" : "to invite"
    }

    static func summary(_ schedule: CohortSchedule) -> [String: Any] {
        var turns: [String: Int] = [:]
        var meetings: [String: Int] = [:]
        var hostsUsed: [String: Int] = [:]
        for entry in schedule.entries {
            let guests = entry.table.guests
            for g in guests + entry.slot.out { turns[g, default: 0] += 1 }
            for a in guests.indices {
                for b in guests.indices where b > a {
                    meetings[[guests[a], guests[b]].sorted().joined(separator: " & "), default: 0] += 1
                }
            }
            if let host = entry.table.host { hostsUsed[host, default: 0] += 1 }
        }
        let repeated = meetings.filter { $0.value > 1 }
        return [
            "audience": schedule.guests.count, "invited": turns.count,
            "everyone_invited_once": schedule.guests.allSatisfy { turns[$0.key] != nil },
            "repeated_pairs": repeated, "hosts_used": hostsUsed,
        ]
    }

    static func json(
        _ schedule: CohortSchedule, entries: [CohortSchedule.Entry], roster: Roster, zone: TimeZone, now: Date
    ) -> [String: Any] {
        func person(_ key: String, _ entry: CohortSchedule.Entry) -> [String: Any] {
            let p = roster.person(key)
            return [
                "email": key, "name": p?.name ?? "", "department": p?.department ?? "",
                "answer": answer(entry, key),
                "held_until": entry.heldUntil[key].map { LocalDateTime(instant: $0, in: zone).description } ?? NSNull(),
                "moved_from": entry.movedFrom[key] ?? NSNull(),
            ]
        }
        return [
            "event": schedule.event.id, "capacity": schedule.hosting.capacity,
            "mix": schedule.hosting.mixDepartments ? "department" : "none",
            "occurrences": entries.map { entry -> [String: Any] in
                [
                    "date": entry.occurrence.date.description, "invitations_out": entry.invitationsOut,
                    "offers_open": entry.slot.open,
                    "host": entry.table.host.map { person($0, entry) } ?? NSNull(),
                    "guests": entry.table.guests.map { person($0, entry) },
                    "declined": entry.slot.out.filter { entry.answers[$0] == "declined" },
                    "bounced": entry.slot.out.filter { entry.answers[$0] == "bounced" },
                    "passed": entry.passed.keys.sorted(),
                    "waitlist": entry.table.waitlist.map { key -> [String: Any] in
                        ["email": key, "department": roster.person(key)?.department ?? ""]
                    },
                    "pair_cost": entry.table.pairCost, "repeated_pairs": entry.table.repeatedPairs,
                    "notes": entry.table.notes,
                ]
            },
            "summary": summary(schedule),
        ]
    }

    static func text(
        _ schedule: CohortSchedule, entries: [CohortSchedule.Entry], roster: Roster, zone: TimeZone, now: Date,
        explain: Bool
    ) {
        let hosting = schedule.hosting
        Output.line(
            "\(schedule.event.id): \(hosting.capacity) places per occurrence"
                + (hosting.mixDepartments ? ", one guest per department" : "")
                + ", \(schedule.hosts.count) hosts, \(schedule.guests.count) possible guests")
        func describe(_ key: String, _ entry: CohortSchedule.Entry) -> String {
            let p = roster.person(key)
            var line = key
            if let p { line += " (\(p.name)\(p.department.isEmpty ? "" : ", \(p.department)"))" }
            line += " — \(answer(entry, key))"
            if let until = entry.heldUntil[key] {
                line += ", place held until \(LocalDateTime(instant: until, in: zone))"
            }
            if let old = entry.movedFrom[key] { line += ", address changed from \(old): entry to be re-sent" }
            return line
        }
        for entry in entries {
            Output.line("")
            let status =
                entry.occurrence.snapshot.start <= now
                ? "held"
                : entry.invitationsOut
                    ? (entry.slot.open ? "invited, offers open" : "invited, offers closed")
                    : "planned"
                        + (entry.inviteAt.map { ", invitations \(LocalDateTime(instant: $0, in: zone))" } ?? "")
            Output.line("\(entry.occurrence.date.longDescription) (\(status)):")
            Output.line("  host: " + (entry.table.host.map { describe($0, entry) } ?? "none"))
            Output.line("  guests (\(entry.table.guests.count) of \(hosting.capacity)):")
            for key in entry.table.guests { Output.line("    " + describe(key, entry)) }
            let declined = entry.slot.out.filter { entry.answers[$0] == "declined" }
            if !declined.isEmpty { Output.line("  declined: " + declined.joined(separator: ", ")) }
            let bounced = entry.slot.out.filter { entry.answers[$0] == "bounced" }
            if !bounced.isEmpty { Output.line("  bounced: " + bounced.joined(separator: ", ")) }
            if !entry.passed.isEmpty {
                Output.line("  offers passed on: " + entry.passed.keys.sorted().joined(separator: ", "))
            }
            if !entry.table.waitlist.isEmpty {
                Output.line(
                    "  waitlist: "
                        + entry.table.waitlist.map { k in
                            "\(k)" + (roster.person(k).map { $0.department.isEmpty ? "" : " (\($0.department))" } ?? "")
                        }.joined(separator: ", "))
            }
            if explain {
                Output.line(
                    "  cost: \(entry.table.pairCost) (sum of squares of past meetings per pair), "
                        + "\(entry.table.repeatedPairs) pair\(entry.table.repeatedPairs == 1 ? "" : "s") met before, "
                        + "\(entry.table.secondTurns) second invitation\(entry.table.secondTurns == 1 ? "" : "s")")
                for note in entry.table.notes {
                    Output.line("  why: \(entry.occurrence.date.longDescription) table: \(note)")
                }
            }
        }
        let summary = summary(schedule)
        let repeated = summary["repeated_pairs"] as? [String: Int] ?? [:]
        let hostsUsed = summary["hosts_used"] as? [String: Int] ?? [:]
        Output.line("")
        Output.line(
            "series: \(summary["invited"] ?? 0) of \(schedule.guests.count) invited at least once"
                + ((summary["everyone_invited_once"] as? Bool ?? false) ? " (everyone)" : "")
                + "; \(repeated.count) pair\(repeated.count == 1 ? "" : "s") meet more than once"
                + "; \(hostsUsed.count) host\(hostsUsed.count == 1 ? "" : "s") used"
                + (hostsUsed.values.contains { $0 > 1 } ? " (some twice)" : ""))
        if explain {
            for (pair, count) in repeated.sorted(by: { $0.key < $1.key }) { Output.line("  \(pair): \(count) times") }
        }
    }

    /// `--bench`: 1,000 directors in 40 departments, 26 fortnightly tables of 12 by default; the allocator against
    /// a random allocation (same rotation, no cost) and the greedy construction alone.
    static func bench(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        func number(_ name: String, _ fallback: Int) throws(CommandError) -> Int {
            guard let text = try arguments.option(name) else { return fallback }
            guard let n = Int(text), (1...100_000).contains(n) else { throw .usage("--\(name) must be 1…100000") }
            return n
        }
        let people = try number("people", 1000)
        let departments = try number("departments", 40)
        let occurrences = try number("occurrences", 26)
        let capacity = try number("capacity", 12)
        try arguments.finish()
        let guests = (0..<people).map {
            CohortPerson(key: "director\($0)@bench.example", department: "dept\($0 % departments)")
        }
        let hosts = (0..<occurrences).map {
            CohortPerson(key: "host\($0)@bench.example", department: "dept\(($0 * 7) % departments)")
        }
        let slots = (0..<occurrences).map { CohortSlot(label: "occurrence \($0 + 1)") }
        func repeats(_ tables: [[String]]) -> Int {
            var seen: [String: Int] = [:]
            var repeated = 0
            for table in tables {
                for a in table.indices {
                    for b in table.indices where b > a {
                        let key = [table[a], table[b]].sorted().joined(separator: "|")
                        if seen[key, default: 0] > 0 { repeated += 1 }
                        seen[key, default: 0] += 1
                    }
                }
            }
            return repeated
        }
        func timed(_ body: () -> [[String]]) -> (Double, [[String]]) {
            let start = Date()
            let tables = body()
            return (Date().timeIntervalSince(start), tables)
        }
        var allocator = CohortAllocator(eventID: "bench", capacity: capacity, mix: true, hosts: hosts, guests: guests)
        let (full, fullTables) = timed { allocator.allocate(slots).map(\.guests) }
        allocator.improve = false
        let (greedy, greedyTables) = timed { allocator.allocate(slots).map(\.guests) }
        // Random: each table takes the next people of a seeded shuffle, one per department, no cost considered.
        let (random, randomTables) = timed {
            var order = guests.sorted {
                CohortAllocatorSeed.of("random", $0.key) < CohortAllocatorSeed.of("random", $1.key)
            }
            var tables: [[String]] = []
            for _ in 0..<occurrences {
                var table: [String] = []
                var used: Set<String> = []
                var rest: [CohortPerson] = []
                for person in order {
                    if table.count < capacity && used.insert(person.department).inserted {
                        table.append(person.key)
                    } else {
                        rest.append(person)
                    }
                }
                order = rest + order.filter { table.contains($0.key) }
                tables.append(table)
            }
            return tables
        }
        for (name, seconds, tables) in [
            ("allocator", full, fullTables), ("greedy-only", greedy, greedyTables), ("random", random, randomTables),
        ] {
            Output.line(
                "cohorts method=\(name) people=\(people) departments=\(departments) occurrences=\(occurrences) "
                    + "capacity=\(capacity) seconds=\(String(format: "%.3f", seconds)) "
                    + "repeated_pairs=\(repeats(tables)) invited=\(Set(tables.flatMap { $0 }).count)")
        }
        return .ok
    }
}

/// The seeded order the benchmark's random allocation uses.
enum CohortAllocatorSeed {
    static func of(_ seed: String, _ key: String) -> UInt64 { FNV1a.value(seed + "\u{0}" + key) }
}

extension String {
    /// nil for the empty string.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
