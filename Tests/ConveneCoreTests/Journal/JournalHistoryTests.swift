import ConveneCore
import Foundation
import Testing

/// The history keeps every outcome compaction drops, reads each once however many copies a crash left, and answers
/// for a person or an occurrence.
struct JournalHistoryTests {
    static let at = Date(timeIntervalSince1970: 1_798_675_200)  // 2026-12-31 00:00:00 UTC

    static func record(
        _ type: JournalRecord.RecordType, _ id: String, to: String = "a@example.test", cc: [String]? = nil,
        key: String? = nil, at: Date = at
    ) -> JournalRecord {
        JournalRecord(
            type: type, at: at, key: key ?? "talk/20270107/invitation/\(to)", kind: .invitation, msgid: id, to: to,
            cc: cc)
    }

    @Test func compactionHandsBackEveryRecordItDropsAndTheKeptOnesAreWhatCompactedKeeps() {
        let records = [
            Self.record(.attempt, "m1"), Self.record(.failed, "m1"), Self.record(.attempt, "m1"),
            Self.record(.sent, "m1"),
            Self.record(.skipped, "m2", key: "later/20300101/invitation/a@example.test"),
        ]
        let now = Self.at.addingTimeInterval(86_400)
        let (kept, dropped) = JournalCompaction.partitioned(records, now: now)
        #expect(kept == JournalCompaction.compacted(records, now: now))
        #expect(kept.count + dropped.count == records.count)
        // The temporary failure a later `sent` settled is dropped from the journal, but it is an outcome: history.
        #expect(dropped.filter(JournalHistory.isOutcome).map(\.type) == [.failed])
    }

    @Test func theSameOutcomeInTheHistoryAndTheJournalIsListedOnceInTimeOrder() {
        let early = Self.record(.sent, "m1", at: Self.at.addingTimeInterval(-60))
        let late = Self.record(.skipped, "m2", at: Self.at)
        let merged = JournalHistory.merged(
            history: [late, early, early], journal: [Self.record(.attempt, "m3"), early, late])
        #expect(merged == [early, late])
    }

    @Test(arguments: [
        ("2027-01-31T23:59:59Z", "2027-01"), ("2027-02-01T00:00:00Z", "2027-02"), ("1999-12-31T12:00:00Z", "1999-12"),
    ])
    func aRecordsFileIsTheMonthOfItsTimeInUTC(time: String, month: String) throws {
        let date = try #require(ISO8601DateFormatter().date(from: time))
        #expect(JournalHistory.month(of: date) == month)
    }

    @Test func aPersonsHistoryHasWhatWasAddressedToThemAndWhatTheirDelegateWasCopied() {
        let own = Self.record(.sent, "m1", to: "Pat@Example.test", cc: ["office@example.test"])
        let copied = Self.record(.sent, "m2", to: "boss@example.test", cc: ["PAT@example.test"])
        var retried = Self.record(.failed, "m3", to: "boss@example.test")
        retried.copies = [
            JournalRecord.Copy(to: "pat@example.test", outcome: .temporary, code: 451, reply: "451 later")
        ]
        let other = Self.record(.sent, "m4", to: "someone@example.test")
        let query = HistoryQuery(subject: .person("pat@example.test"))
        #expect([own, copied, retried, other].filter(query.matches).map(\.msgid) == ["m1", "m2", "m3"])
        // The delegate's own history shows the principal's message they were copied on.
        #expect(HistoryQuery(subject: .person("office@example.test")).matches(own))
        #expect(!HistoryQuery(subject: .person("pat@example.test"), from: Self.at.addingTimeInterval(1)).matches(own))
    }

    @Test func anEventsHistoryIsEveryOccurrenceOrOneOccurrence() {
        let first = Self.record(.sent, "m1", key: "talk/20270107/invitation/a@example.test")
        let second = Self.record(.sent, "m2", key: "talk/20270121/invitation/a@example.test")
        let otherEvent = Self.record(.sent, "m3", key: "talks/20270107/invitation/a@example.test")
        let all = [first, second, otherEvent]
        #expect(
            all.filter(HistoryQuery(subject: .event("talk", occurrence: nil)).matches).map(\.msgid) == ["m1", "m2"])
        let one = HistoryQuery(subject: .event("talk", occurrence: LocalDate(year: 2027, month: 1, day: 21)))
        #expect(all.filter(one.matches).map(\.msgid) == ["m2"])
        #expect(
            second.occurrenceRef.event == "talk"
                && second.occurrenceRef.date == LocalDate(year: 2027, month: 1, day: 21))
    }
}
