import Foundation
import Testing

@testable import ConveneCore

/// `rate: …, N/day`: recipients handed over in any 24 hours stay within N, counting what the journal already holds.
struct DailyQuotaTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    static func sent(_ hours: Double, cc: [String] = [], key: String = "e/20270107/invitation/a@x") -> JournalRecord {
        JournalRecord(type: .sent, at: at(hours), key: key, kind: .invitation, to: "a@x", cc: cc)
    }

    @Test func theJournalsLastDayCountsAndOlderSendsDoNot() {
        let records = [Self.sent(-30), Self.sent(-20, cc: ["pa@x"]), Self.sent(-1)]
        let quota = DailyQuota(limit: 10, records: records, now: Self.at(0))
        #expect(quota.used(at: Self.at(0)) == 3, "2 recipients 20 hours ago, 1 an hour ago; 30 hours ago is out")
    }

    @Test(
        arguments: [
            // (record, recipients the relay accepted)
            (
                JournalRecord(
                    type: .sent, at: start, key: "e/20270107/invitation/a@x", kind: .invitation, to: "a@x", cc: ["b@x"]),
                2
            ),
            (
                JournalRecord(
                    type: .sent, at: start, key: "e/20270107/delegate+1a2b/a@x", kind: .invitation, to: "a@x",
                    cc: ["pa@x"]), 1
            ),
            (
                JournalRecord(
                    type: .sent, at: start, key: "e/20270107/invitation/a@x", kind: .invitation, to: "a@x", cc: ["b@x"],
                    copies: [.init(to: "b@x", outcome: .permanent, code: 550)]), 1
            ),
            (
                JournalRecord(
                    type: .failed, at: start, key: "e/20270107/invitation/a@x", kind: .invitation, to: "a@x",
                    cc: ["b@x"],
                    code: 451, copies: [.init(to: "b@x", outcome: .delivered, code: 250)]), 1
            ),
            (
                JournalRecord(
                    type: .failed, at: start, key: "e/20270107/invitation/a@x", kind: .invitation, to: "a@x", code: 451),
                0
            ),
            (
                JournalRecord(
                    type: .attempt, at: start, key: "e/20270107/invitation/a@x", kind: .invitation, to: "a@x"), 0
            ),
            (JournalRecord(type: .skipped, at: start, key: "e/20270107/reminder/a@x", kind: .reminder, to: "a@x"), 0),
        ] as [(JournalRecord, Int)])
    func aRecordCountsTheRecipientsTheRelayAccepted(record: JournalRecord, expected: Int) {
        #expect(DailyQuota.recipientsHandedOver(by: record) == expected)
    }

    @Test func aMessageWaitsUntilEnoughOfTheDayBeforeHasAgedOut() {
        // 3 of 4 used: one recipient may go now, the next when the send of 20 hours ago (2 recipients) ages out.
        var quota = DailyQuota(limit: 4, records: [Self.sent(-20, cc: ["pa@x"]), Self.sent(-1)], now: Self.at(0))
        #expect(quota.take(recipients: 1, now: Self.at(0)) == Self.at(0))
        #expect(quota.take(recipients: 1, now: Self.at(0)) == Self.at(4))
        #expect(quota.take(recipients: 1, now: Self.at(0)) == Self.at(4), "the 2 that aged out left room for two")
        #expect(quota.take(recipients: 1, now: Self.at(0)) == Self.at(23), "then the one of an hour ago")
        #expect(quota.take(recipients: 2, now: Self.at(30)) == Self.at(30), "a day later the window is almost empty")
    }

    @Test func aMessageLargerThanTheWholeCapWaitsForAnEmptyDayInsteadOfNeverGoing() {
        var quota = DailyQuota(limit: 2, records: [Self.sent(-2)], now: Self.at(0))
        #expect(quota.take(recipients: 3, now: Self.at(0)) == Self.at(22))
    }

    @Test(
        arguments: [
            ("30/minute", "30/minute", 30, 60, nil), ("30/minute, 10000/day", "30/minute, 10000/day", 30, 60, 10_000),
            ("10000/day ,30/m", "30/minute, 10000/day", 30, 60, 10_000), ("2000/day", "2000/day", 2000, 86_400, 2000),
        ] as [(String, String, Int, Int, Int?)])
    func aRateMayCarryADailyCap(text: String, description: String, count: Int, seconds: Int, perDay: Int?) throws {
        let rate = try Rate.parse(text).get()
        #expect(rate.count == count && rate.perSeconds == seconds && rate.perDay == perDay)
        #expect(rate.description == description)
    }

    @Test(arguments: [
        "30/minute, 60/hour", "1/day, 2/day", "30/minute, 10000/day, 5/s", "0/day", "99999999999/day", "5/week",
    ])
    func aRateThatCannotWorkIsRefused(text: String) {
        #expect(throws: PhraseError.self) { try Rate.parse(text).get() }
    }
}
