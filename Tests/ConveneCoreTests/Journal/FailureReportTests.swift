import Foundation
import Testing

@testable import ConveneCore

/// `FailureReport` folds the journal into people: who was refused for good, who is waiting for a retry, and who got
/// the message after failing. Each case is a journal in, three lists of `address:attempts` out.
struct FailureReportTests {
    static let key = "summit/20270304/invitation/bob@example.test"
    static let bob = "bob@example.test"
    static let office = "office.bob@example.test"

    static func record(
        _ type: JournalRecord.RecordType, minute: Int, code: Int? = nil, permanent: Bool? = nil,
        reply: String? = nil,
        copies: [JournalRecord.Copy]? = nil, connection: Bool? = nil, reason: String? = nil
    ) -> JournalRecord {
        JournalRecord(
            type: type, at: Date(timeIntervalSince1970: 1_800_000_000 + Double(minute) * 60), key: key,
            kind: .invitation,
            msgid: "<m1@example.test>", to: bob, code: code, permanent: permanent, reply: reply,
            reason: reason,
            copies: copies, connection: connection)
    }

    static func copy(_ outcome: DeliveryOutcome, _ code: Int) -> JournalRecord.Copy {
        JournalRecord.Copy(to: office, outcome: outcome, code: code, reply: "\(code) reply")
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var records: [JournalRecord]
        var permanent: [String]
        var awaiting: [String]
        var delivered: [String]
    }

    static let cases: [Case] = [
        Case(
            description: "sent at once: nobody listed",
            records: [record(.attempt, minute: 0), record(.sent, minute: 0)],
            permanent: [], awaiting: [], delivered: []),
        Case(
            description: "a 550 for the principal is a permanent failure",
            records: [record(.failed, minute: 0, code: 550, permanent: true, reply: "550 no such user")],
            permanent: ["bob@example.test:1"], awaiting: [], delivered: []),
        Case(
            description: "two 451s wait for a retry",
            records: [
                record(.failed, minute: 0, code: 451, permanent: false),
                record(.failed, minute: 1, code: 451, permanent: false),
            ],
            permanent: [], awaiting: ["bob@example.test:2"], delivered: []),
        Case(
            description: "a 451 then sent moves to delivered after retry",
            records: [record(.failed, minute: 0, code: 451, permanent: false), record(.sent, minute: 2)],
            permanent: [], awaiting: [], delivered: ["bob@example.test:1"]),
        Case(
            description: "a connection failure says nothing about the message",
            records: [record(.failed, minute: 0, code: 421, permanent: false, connection: true)],
            permanent: [], awaiting: [], delivered: []),
        Case(
            description: "a delegate refused for good on a sent record",
            records: [record(.sent, minute: 0, copies: [copy(.permanent, 550)])],
            permanent: ["office.bob@example.test:1<bob@example.test"], awaiting: [], delivered: []),
        Case(
            description: "a delegate 451 on a sent record is never retried: permanent, with a note",
            records: [record(.sent, minute: 0, copies: [copy(.temporary, 451)])],
            permanent: ["office.bob@example.test:1<bob@example.test"], awaiting: [], delivered: []),
        Case(
            description: "principal and delegate both 451, then both delivered",
            records: [
                record(.failed, minute: 0, code: 451, permanent: false, copies: [copy(.temporary, 451)]),
                record(.sent, minute: 2),
            ],
            permanent: [], awaiting: [],
            delivered: ["bob@example.test:1", "office.bob@example.test:1<bob@example.test"]),
        Case(
            description: "the delegate's copy delivered while the principal waits",
            records: [
                record(.failed, minute: 0, code: 451, permanent: false, copies: [copy(.delivered, 250)])
            ],
            permanent: [], awaiting: ["bob@example.test:1"], delivered: []),
        Case(
            description: "the delegate 451 first, delivered at the retry while the principal still waits",
            records: [
                record(.failed, minute: 0, code: 451, permanent: false, copies: [copy(.temporary, 451)]),
                record(.failed, minute: 2, code: 451, permanent: false, copies: [copy(.delivered, 250)]),
            ],
            permanent: [], awaiting: ["bob@example.test:2"],
            delivered: ["office.bob@example.test:1<bob@example.test"]),
        Case(
            description: "the principal refused for good leaves the delegate's 451 unretried",
            records: [
                record(.failed, minute: 0, code: 550, permanent: true, copies: [copy(.temporary, 451)])
            ],
            permanent: ["bob@example.test:1", "office.bob@example.test:1<bob@example.test"], awaiting: [],
            delivered: []),
        Case(
            description: "a retry that ran out of time is skipped: permanent",
            records: [
                record(.failed, minute: 0, code: 451, permanent: false),
                record(.skipped, minute: 9, reason: "late"),
            ],
            permanent: ["bob@example.test:1"], awaiting: [], delivered: []),
    ]

    @Test(arguments: cases) func theJournalFoldsIntoThreeListsOfPeople(_ example: Case) {
        let report = FailureReport(records: example.records)
        func names(_ entries: [FailureReport.Entry]) -> [String] {
            entries.map { "\($0.address):\($0.attempts)" + ($0.principal.map { "<\($0)" } ?? "") }
        }
        #expect(names(report.permanentFailures) == example.permanent)
        #expect(names(report.awaitingRetry) == example.awaiting)
        #expect(names(report.deliveredAfterRetry) == example.delivered)
    }

    @Test func anEntryCarriesTheEventTheDateTheCodeAndTheReply() throws {
        let report = FailureReport(records: [
            Self.record(.failed, minute: 0, code: 451, permanent: false, reply: "451 try later"),
            Self.record(.failed, minute: 5, code: 550, permanent: true, reply: "550 no such user"),
        ])
        let entry = try #require(report.permanentFailures.first)
        #expect(entry.eventID == "summit" && entry.date == LocalDate(year: 2027, month: 3, day: 4))
        #expect(
            entry.kind == .invitation && entry.key == Self.key && entry.messageID == "<m1@example.test>")
        #expect(
            entry.attempts == 2 && entry.code == 550 && entry.reply == "550 no such user"
                && entry.note == nil)
        #expect(entry.last == Date(timeIntervalSince1970: 1_800_000_000 + 300))
    }

    @Test func aCopyLeftBehindSaysWhyItIsNotRetried() throws {
        let report = FailureReport(records: [
            Self.record(.sent, minute: 0, copies: [Self.copy(.temporary, 451)])
        ])
        #expect(
            report.permanentFailures.first?.note == "not retried: the principal's copy was delivered")
        let skipped = FailureReport(records: [
            Self.record(.failed, minute: 0, code: 451, permanent: false),
            Self.record(.skipped, minute: 9, reason: "late"),
        ])
        #expect(skipped.permanentFailures.first?.note == "not retried: late")
    }

    @Test func aDelegateRefusedForGoodStaysNamedAfterCompactionAndARetryDeliveredDoesNot() {
        let records = [
            Self.record(.failed, minute: 0, code: 451, permanent: false, copies: [Self.copy(.permanent, 550)]),
            Self.record(.sent, minute: 2),
        ]
        let compacted = JournalCompaction.compacted(records, now: Date(timeIntervalSince1970: 1_800_000_000))
        let report = FailureReport(records: compacted)
        #expect(report.permanentFailures.map(\.address) == [Self.office])
        // The record is kept whole, so the principal's 451 shows too; a plain 451 before `sent` is dropped.
        #expect(report.deliveredAfterRetry.map(\.address) == [Self.bob])
        let plain = JournalCompaction.compacted(
            [Self.record(.failed, minute: 0, code: 451, permanent: false), Self.record(.sent, minute: 2)],
            now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(FailureReport(records: plain).deliveredAfterRetry.isEmpty)
    }
}
