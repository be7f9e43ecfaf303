import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// What the dispatcher journals, counts and logs for a send, as a table: the server's per-recipient results in,
/// the record, the count and the log lines out. Ann is the principal; Dan, her delegate, is in Cc.
@Suite(.ownThread)
struct DeliveryLedgerTests {
    static let finished = Date(timeIntervalSince1970: 1_799_053_200)
    static let occurrence: OccurrenceRef = {
        let day = LocalDate(parsing: "2027-01-20")!
        let snapshot = EventSnapshot(
            title: "Agenda", start: finished, end: finished, location: nil, joinURL: nil, description: nil)
        return OccurrenceRef(
            Occurrence(
                eventID: "agenda", date: day, uid: Occurrence.uid(event: "agenda", date: day, domain: "example.gov.uk"),
                snapshot: snapshot, active: true, forums: []),
            domain: "example.gov.uk")
    }()
    static let ann = "ann@x.gov.uk"
    static let dan = "dan@x.gov.uk"

    /// The invitation to Ann, Dan in Cc: both in the envelope.
    static let invitation = Action(
        kind: .invitation, due: finished, grace: finished, occurrence: occurrence, notification: "invitation",
        template: "invitation", person: nil, recipient: Mailbox(name: "Ann", address: ann),
        cc: [Mailbox(name: "", address: dan)], sequence: 0, forum: nil)
    /// Ann's invitation copied to Dan, made her delegate after it went out: Dan alone in the envelope.
    static let delegateCopy = Action(
        kind: .invitation, due: finished, grace: finished, occurrence: occurrence,
        notification: Action.delegateCopyNotification(for: dan), template: "invitation", person: nil,
        recipient: Mailbox(name: "Ann", address: ann), cc: [Mailbox(name: "", address: dan)], sequence: 0, forum: nil)

    /// Ann's invitation sent to Dan in her place (`delegate_mode: instead`): Dan alone in the envelope.
    static let instead: Action = {
        var action = invitation
        action.leaverDelegateMode = .instead
        return action
    }()

    static func result(
        _ address: String, _ outcome: DeliveryOutcome, _ code: Int?, _ reply: String
    ) -> RecipientResult {
        RecipientResult(address: address, outcome: outcome, code: code, reply: reply)
    }

    /// One row: a report for `action`, and what the ledger must make of it.
    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var action: Action
        var report: DeliveryReport
        var record: JournalRecord
        var count: DeliveryLedger.Count
        /// `level: message` of each line, in order.
        var log: [String]
    }

    static let rows: [Row] = [
        Row(
            testDescription: "delivered to both", action: invitation,
            report: DeliveryReport(results: [
                result(ann, .delivered, 250, "250 OK"), result(dan, .delivered, 250, "250 OK"),
            ]),
            record: invitation.sentRecord(at: finished, reply: "250 OK"), count: .sent, log: ["info: sent"]),
        Row(
            testDescription: "delivered, the delegate's copy refused", action: invitation,
            report: DeliveryReport(results: [
                result(ann, .delivered, 250, "250 OK"), result(dan, .permanent, 550, "550 no such user"),
            ]),
            record: invitation.sentRecord(
                at: finished, reply: "250 OK",
                copies: [.init(to: dan, outcome: .permanent, code: 550, reply: "550 no such user")]),
            count: .sent, log: ["error: delegate copy refused permanently", "info: sent"]),
        Row(
            testDescription: "a temporary failure, the copy delivered", action: invitation,
            report: DeliveryReport(results: [
                result(ann, .temporary, 451, "451 try later"), result(dan, .delivered, 250, "250 OK"),
            ]),
            record: invitation.failedRecord(
                at: finished, code: 451, permanent: false, reply: "451 try later",
                copies: [.init(to: dan, outcome: .delivered, code: 250, reply: "250 OK")]),
            count: .failed("451 try later"), log: ["warning: failed; will retry"]),
        Row(
            testDescription: "a permanent failure, the copy deferred", action: invitation,
            report: DeliveryReport(results: [
                result(ann, .permanent, 550, "550 mailbox unavailable"), result(dan, .temporary, 451, "451 later"),
            ]),
            record: invitation.failedRecord(
                at: finished, code: 550, permanent: true, reply: "550 mailbox unavailable",
                copies: [.init(to: dan, outcome: .temporary, code: 451, reply: "451 later")]),
            count: .failed("550 mailbox unavailable"),
            log: ["error: delegate copy not delivered and will not be retried", "error: failed permanently"]),
        Row(
            testDescription: "the connection lost after the final dot", action: invitation,
            report: DeliveryReport(
                results: [result(ann, .unknown, nil, ""), result(dan, .unknown, nil, "")],
                transportError: "Connection reset by peer"),
            record: invitation.failedRecord(
                at: finished, code: nil, permanent: false, reply: "Connection reset by peer",
                copies: [.init(to: dan, outcome: .unknown, code: nil, reply: "Connection reset by peer")]),
            count: .failed("Connection reset by peer"),
            log: [
                "warning: delegate copy not delivered; will retry with the principal's message",
                "warning: delivery unknown; will resend with the same Message-ID",
            ]),
        Row(
            testDescription: "no result at all", action: invitation,
            report: DeliveryReport(results: [], transportError: "Operation timed out"),
            record: invitation.failedRecord(at: finished, code: nil, permanent: false, reply: "Operation timed out"),
            count: .failed("Operation timed out"), log: ["warning: failed; will retry"]),
        Row(
            testDescription: "a delegate copy delivered", action: delegateCopy,
            report: DeliveryReport(results: [result(dan, .delivered, 250, "250 OK")]),
            record: delegateCopy.sentRecord(at: finished, reply: "250 OK"), count: .sent, log: ["info: sent"]),
        Row(
            testDescription: "a delegate copy refused", action: delegateCopy,
            report: DeliveryReport(results: [result(dan, .permanent, 550, "550 no such user")]),
            record: delegateCopy.failedRecord(at: finished, code: 550, permanent: true, reply: "550 no such user"),
            count: .failed("550 no such user"), log: ["error: failed permanently"]),
        Row(
            testDescription: "sent in the principal's place, delivered", action: instead,
            report: DeliveryReport(results: [result(dan, .delivered, 250, "250 OK")]),
            record: instead.sentRecord(at: finished, reply: "250 OK"), count: .sent, log: ["info: sent"]),
        Row(
            testDescription: "sent in the principal's place, deferred", action: instead,
            report: DeliveryReport(results: [result(dan, .temporary, 451, "451 later")]),
            record: instead.failedRecord(at: finished, code: 451, permanent: false, reply: "451 later"),
            count: .failed("451 later"), log: ["warning: failed; will retry"]),
    ]

    @Test func aMessageSentInThePrincipalsPlaceGoesToTheDelegateAloneAndSaysSo() {
        #expect(Self.instead.envelopeRecipients == [Self.dan])
        let sent = Self.instead.sentRecord(at: Self.finished)
        #expect(sent.to == Self.ann && sent.cc == [Self.dan] && sent.instead == true)
        let failed = Self.instead.failedRecord(at: Self.finished, code: 451, permanent: false, reply: "451 later")
        #expect(failed.cc == [Self.dan] && failed.instead == true)
        #expect(DailyQuota.recipientsHandedOver(by: sent) == 1)
        #expect(Self.invitation.sentRecord(at: Self.finished).instead == nil)
    }

    @Test(arguments: rows)
    func aSendBecomesOneRecordOneCountAndItsLogLines(row: Row) {
        var ledger = DeliveryLedger()
        let entry = ledger.settle(row.action, with: row.report, at: Self.finished)
        #expect(entry.record == row.record)
        #expect(entry.count == row.count)
        #expect(entry.log.map { "\($0.level): \($0.message)" } == row.log)
        #expect(entry.stop == nil)
    }

    @Test func aDelegateCopyIsRecordedAsTheDelegatesAlone() {
        var ledger = DeliveryLedger()
        let entry = ledger.settle(
            Self.delegateCopy,
            with: DeliveryReport(results: [Self.result(Self.dan, .permanent, 550, "550 no such user")]),
            at: Self.finished)
        // To: Ann (whose calendar message it is); cc: Dan, to whom alone it went; no copies, the result is Dan's.
        #expect(entry.record.type == .failed && entry.record.to == Self.ann && entry.record.cc == [Self.dan])
        #expect(entry.record.copies == nil && entry.record.code == 550 && entry.record.permanent == true)
        #expect(
            entry.log == [
                Log.Line(
                    .error, "failed permanently",
                    [
                        ("key", Self.delegateCopy.key), ("kind", "invitation"), ("to", Self.ann),
                        ("smtp", "550 no such user"), ("msgid", Self.delegateCopy.messageID),
                    ])
            ])
    }

    @Test func aConnectionRefusalClosesTheAttemptWithoutCountingAFailureAndStopsSending() {
        let refusal = TransportFailure(
            kind: .authenticationRefused, message: "535 5.7.8 credentials invalid", code: 535)
        let entry = DeliveryLedger().settle(Self.invitation, refusedWith: refusal, at: Self.finished)
        #expect(
            entry.record
                == Self.invitation.failedRecord(
                    at: Self.finished, code: 535, permanent: false, reply: "535 5.7.8 credentials invalid",
                    connection: true))
        #expect(entry.count == .refused("535 5.7.8 credentials invalid"))
        var counters = Dispatcher.Counters()
        counters.count(entry.count, at: Self.finished, zone: TimeZone(identifier: "UTC")!)
        #expect(counters.failed == 0 && counters.lastError == "535 5.7.8 credentials invalid")
        #expect(entry.stop == DeliveryLedger.Stop(failure: refusal, log: nil))
        #expect(
            entry.log == [
                Log.Line(
                    .error, "sending stopped: 535 5.7.8 credentials invalid",
                    [
                        ("key", Self.invitation.key), ("kind", "invitation"), ("to", Self.ann),
                        ("msgid", Self.invitation.messageID),
                    ])
            ])
    }

    /// `.` a send without any reply, `r` one with a reply: the fifth in a row without one stops sending.
    @Test(arguments: [
        ("....", false), (".....", true), ("....r....", false), ("r.....", true), ("....r.....", true),
    ])
    func fiveSendsInARowWithoutAReplyAreAnOutage(sends: String, stops: Bool) {
        var ledger = DeliveryLedger()
        var entry: DeliveryLedger.Entry?
        for send in sends {
            let report =
                send == "r"
                ? DeliveryReport(results: [Self.result(Self.ann, .temporary, 451, "451 later")])
                : DeliveryReport(
                    results: [Self.result(Self.ann, .temporary, nil, ""), Self.result(Self.dan, .temporary, nil, "")],
                    transportError: "Connection refused")
            entry = ledger.settle(Self.invitation, with: report, at: Self.finished)
        }
        let expected = DeliveryLedger.Stop(
            failure: TransportFailure(
                kind: .temporary, message: "the SMTP server cannot be reached: Connection refused"),
            log: Log.Line(
                .error, "the SMTP server cannot be reached; sending stops", [("error", "Connection refused")]))
        #expect(entry?.stop == (stops ? expected : nil))
        #expect(entry?.record.connection == nil)  // each one still counts toward its message's back-off
    }

    /// A roster full of dead addresses is sent 10 refusals at a time: the tenth recipient refused for good (a 5xx, a
    /// delegate's copy included) stops the lane, and the daemon pauses as for throttling.
    @Test(arguments: [(1, false), (9, false), (10, true)])
    func tenRecipientsRefusedForGoodSlowSendingDown(refusals: Int, stops: Bool) {
        var ledger = DeliveryLedger()
        var entries: [DeliveryLedger.Entry] = []
        for index in 0..<refusals {
            // Every other send refuses the delegate's copy instead of the principal: both count.
            let report =
                index.isMultiple(of: 2)
                ? DeliveryReport(results: [
                    Self.result(Self.ann, .permanent, 550, "550 5.1.1 unknown"),
                    Self.result(Self.dan, .delivered, 250, "250 OK"),
                ])
                : DeliveryReport(results: [
                    Self.result(Self.ann, .delivered, 250, "250 OK"),
                    Self.result(Self.dan, .permanent, 550, "550 5.1.1 unknown"),
                ])
            entries.append(ledger.settle(Self.invitation, with: report, at: Self.finished))
        }
        #expect(entries.dropLast().allSatisfy { $0.stop == nil })
        #expect((entries.last?.stop?.failure.relayLimit == .throttled) == stops)
        #expect(entries.last?.stop?.failure.kind == (stops ? .temporary : nil))
        // The refusals are still each message's own record: the pause loses nothing.
        #expect(entries.allSatisfy { $0.record.connection == nil })
    }
}
