import Foundation
import Testing

@testable import ConveneCore

/// Compaction keeps exactly what reconcile needs: a compacted journal plans the same actions as the full one.
struct JournalCompactionTests {
    /// A programme with everything the fold tracks: invitations, reminders, skips, retries, permanent failures,
    /// deliveries in flight at a crash, an update, a cancelled date, a cancelled event and a leaver.
    @Test func aCompactedJournalPlansTheSameAsTheFullOneThroughAWholeProgramme() {
        var fixture = PlanningFixture(events: [
            PlanningFixture.event(
                "talk", "2027-01-07 12:00", forums: ["directors", "cslg"], repeat: "every 2 weeks for 6 times"),
            PlanningFixture.event("day", "2027-02-18 09:30", forums: ["pslg"], minutes: 420),
            PlanningFixture.event("hod", "2027-01-20 16:00", forums: ["hod"], repeat: "every 4 weeks for 3 times"),
        ])
        // One leaver of five invited people is 20%: allow it, so the leaver is cancelled rather than refused.
        fixture.config.service.maxRosterShrink = 0.5
        var full: [JournalRecord] = []
        var compact: [JournalRecord] = []
        var random = SplitMix(seed: 2027)
        var now = PlanningFixture.at("2026-12-01 00:00")
        let end = PlanningFixture.at("2027-04-30 00:00")
        var compactions = 0
        var dropped = 0
        var outcomes: [String: Int] = [:]

        func plans(_ fixture: PlanningFixture, _ records: [JournalRecord], at now: Date) -> Plan {
            let roster = fixture.roster
            return Reconciler(
                config: fixture.config, roster: roster, audience: Audience(config: fixture.config, roster: roster),
                state: JournalState(records: records)
            ).plan(now: now)
        }

        var steps = 0
        while now < end, steps < 2_000 {
            steps += 1
            // The admin edits the programme part way through: a late joiner (invited at once, with the reminder
            // already past skipped), a moved event (an update), a cancelled date and event, and a leaver.
            let joiner = "new@example.gov.uk,Nia New,SCS2,,,\n"
            if now >= PlanningFixture.at("2027-01-16 10:00"), !fixture.rosterText.contains(joiner) {
                fixture.rosterText += joiner
            }
            if now >= PlanningFixture.at("2027-02-01 00:00"), fixture.config.events[2].status == .confirmed {
                fixture.config.events[1].start = LocalDateTime(parsing: "2027-02-18 13:00")!
                fixture.config.events[0].except = [LocalDate(parsing: "2027-03-04")!]
                fixture.config.events[2].status = .cancelled
                fixture.rosterText = fixture.rosterText.replacingOccurrences(
                    of: "dir2@example.gov.uk,Dev Two,SCS2,,,\n", with: "")
            }
            let expected = plans(fixture, full, at: now)
            let actual = plans(fixture, compact, at: now)
            let same = actual.actions == expected.actions
            #expect(same, "plans differ at \(now): \(difference(Array(actual.actions), Array(expected.actions)))")
            #expect(actual.refusal == expected.refusal)
            guard same else { return }

            let due = expected.actions.filter { $0.due <= now }
            if due.isEmpty {
                guard let next = expected.actions.first?.due else { break }
                now = max(now, next)
                continue
            }
            for action in due {
                var records = [action.attemptRecord(at: now)]
                let roll = random.next() % 20
                if action.skipReason != nil {
                    records.append(action.skippedRecord(at: now))
                    outcomes["skipped", default: 0] += 1
                } else if roll == 0 {
                    outcomes["in flight", default: 0] += 1  // a crash: no outcome
                } else if roll <= 3 {
                    records.append(action.failedRecord(at: now, code: 451, permanent: false, reply: "451 try later"))
                    outcomes["temporary", default: 0] += 1
                } else if roll == 4 {
                    records.append(action.failedRecord(at: now, code: 550, permanent: true, reply: "550 no such user"))
                    outcomes["permanent", default: 0] += 1
                } else {
                    records.append(action.sentRecord(at: now, reply: "250 ok"))
                    outcomes["sent", default: 0] += 1
                }
                full += records
                compact += records
            }
            // Compact often, at the instant the daemon would.
            if steps % 2 == 0 {
                let before = compact.count
                compact = JournalCompaction.compacted(compact, now: now)
                dropped += before - compact.count
                compactions += 1
            }
            now = now.addingTimeInterval(60)
        }
        #expect(compactions > 10)
        #expect(dropped > full.count / 3, "compaction dropped \(dropped) of \(full.count) records")
        for outcome in ["sent", "skipped", "temporary", "permanent", "in flight"] {
            #expect(outcomes[outcome, default: 0] > 0, "the programme never produced '\(outcome)': \(outcomes)")
        }
        #expect(full.contains { $0.kind == .update && $0.type == .sent })
        #expect(full.contains { $0.kind == .cancellation && $0.type == .sent })
    }

    @Test func attemptsWithAnOutcomeAreDroppedAndAnAttemptInFlightIsKept() {
        let now = PlanningFixture.at("2027-01-01 09:00")
        let records = [
            record(.attempt, "a", now), record(.sent, "a", now),
            record(.attempt, "b", now), record(.failed, "b", now), record(.attempt, "b", now),
            record(.attempt, "c", now), record(.skipped, "c", now),
        ]
        let kept = JournalCompaction.compacted(records, now: now)
        #expect(kept.map { "\($0.type.rawValue) \($0.msgid!)" } == ["sent a", "failed b", "attempt b", "skipped c"])
        #expect(JournalState(records: kept).inFlight.keys.sorted() == ["b"])
    }

    @Test func temporaryFailuresGoOnceTheMessageIsSentAndStayWhileItAwaitsARetry() {
        let now = PlanningFixture.at("2027-01-01 09:00")
        let records = [
            record(.failed, "a", now), record(.failed, "a", now), record(.sent, "a", now),
            record(.failed, "b", now), record(.failed, "b", now),
            record(.failed, "c", now, permanent: true),
        ]
        let kept = JournalCompaction.compacted(records, now: now)
        #expect(kept.map { "\($0.type.rawValue) \($0.msgid!)" } == ["sent a", "failed b", "failed b", "failed c"])
        #expect(JournalState(records: kept).failures["b"]?.count == 2)
    }

    @Test func recordsOfOccurrencesThatEndedMoreThanTwoDaysAgoAreDropped() {
        let records = [
            record(.sent, "old", PlanningFixture.at("2026-12-20 09:00"), date: "20270105"),
            record(.sent, "recent", PlanningFixture.at("2026-12-20 09:00"), date: "20270107"),
            record(.sent, "ahead", PlanningFixture.at("2026-12-20 09:00"), date: "20270120"),
        ]
        // Without a snapshot the local day is assumed to end as late as any zone's: noon UTC the next day.
        let kept = JournalCompaction.compacted(records, now: PlanningFixture.at("2027-01-09 00:00"))
        #expect(kept.map { $0.msgid! } == ["recent", "ahead"])
    }

    /// The first action that differs, as transcript lines (the full values are pages long).
    private func difference(_ actual: [Action], _ expected: [Action]) -> String {
        guard
            let index = actual.indices.first(where: { $0 < expected.count && actual[$0] != expected[$0] })
                ?? (actual.count == expected.count ? nil : min(actual.count, expected.count))
        else { return "none" }
        let line = { (actions: [Action]) in
            index < actions.count
                ? "\(actions[index].line) due \(actions[index].due) skip \(actions[index].skipReason ?? "-")" : "(none)"
        }
        return "action \(index): compacted \(line(actual)), full \(line(expected))"
    }

    private func record(
        _ type: JournalRecord.RecordType, _ id: String, _ at: Date, permanent: Bool = false, date: String = "20270301"
    ) -> JournalRecord {
        JournalRecord(
            type: type, at: at, key: "ev/\(date)/invitation/\(id)@example.gov.uk", kind: .reminder, msgid: id,
            code: type == .failed ? (permanent ? 550 : 451) : nil, permanent: type == .failed ? permanent : nil)
    }
}

/// A small deterministic random source (SplitMix64), so a failing programme can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number from 0 up to (not including) `bound`.
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
