import ConveneCore
import Foundation

/// Turns what one send came to into what the dispatcher does about it: the outcome record to journal, the change to
/// the counters, the log lines, and whether all sending must stop because the server is down.
///
/// Pure (no I/O, no clock, no lock): a lane keeps one for its run and asks it after every send, then writes the
/// record, counts and logs as told. Its only memory is how many messages in a row got no reply at all, which is
/// how an outage shows when the connection is refused or times out message by message.
struct DeliveryLedger: Sendable {
    /// What one send comes to.
    struct Entry: Sendable, Equatable {
        /// `sent` or `failed` (with the delegates' copies), or the `failed` that closes an attempt whose connection
        /// was refused (`connection: true`).
        var record: JournalRecord
        /// How the counters change.
        var count: Count
        /// What to log, in order, whether or not the record could be written: the server's verdict is a fact the
        /// admin needs either way.
        var log: [Log.Line]
        /// Set when all sending stops once the record is written.
        var stop: Stop?
    }

    /// How a send changes `Dispatcher.Counters`.
    enum Count: Sendable, Equatable {
        /// The principal's message was delivered.
        case sent
        /// It failed (temporarily, permanently or with an unknown outcome); the reply becomes the last error.
        case failed(String)
        /// Nothing was handed over: the message has not failed, but the server's refusal is the last error.
        case refused(String)
    }

    /// Why all sending stops after this send.
    struct Stop: Sendable, Equatable {
        /// What the run stops with (the daemon pauses on it; `run --once` exits 75 or 77).
        var failure: TransportFailure
        /// Logged once the record is on its way (a lane whose record could not be written has already stopped).
        var log: Log.Line?
    }

    /// Messages in a row without any SMTP reply after which a lane treats the server as down: 5 tells a dead server
    /// from one slow answer, and costs at most 5 connection timeouts before the daemon pauses.
    static let outageThreshold = 5

    /// Messages in a row, up to the last one, that got no reply at all.
    private(set) var unansweredInARow = 0

    /// Addresses refused for good (a 5xx for the recipient) in this run, after which the lane stops and the daemon
    /// pauses as for throttling (`RelayLimit.throttled`, 10 minutes). Exchange Online blocks a mailbox that keeps
    /// causing errors (`550 5.2.251`–`5.2.255`, continuous-error throttling) and only an admin can lift it, so a
    /// roster full of dead addresses is sent slowly — 10 refusals, then a pause — instead of all at once.
    static let refusalsBeforeSlowing = 10

    /// Recipients refused for good so far in this run.
    private(set) var refusedForGood = 0

    /// A ledger for a lane that has not sent yet.
    init() {}

    /// The outcome of `action` from `report`, finished at `finished`. The record is about the principal recipient —
    /// for a delegate copy or a message sent in the principal's place, the delegate alone, who received it — and carries the other recipients' results as
    /// `copies`: on a failure every copy tried, so a retry skips those settled; on a delivery only those not
    /// delivered, so a refused copy is a failure in the journal too.
    mutating func settle(_ action: Action, with report: DeliveryReport, at finished: Date) -> Entry {
        let delegate = action.reachesPrincipal ? nil : action.ccAddresses.first
        let address = delegate?.lowercased() ?? action.recipient.address.lowercased()
        let principal =
            report.results.first { $0.address.lowercased() == address }
            ?? RecipientResult(
                address: action.recipient.address, outcome: .temporary, code: nil,
                reply: report.transportError ?? "no result")
        let reply = principal.reply.isEmpty ? (report.transportError ?? "") : principal.reply
        let copies = report.results.filter { $0.address.lowercased() != address }.map {
            JournalRecord.Copy(
                to: $0.address, outcome: $0.outcome, code: $0.code,
                reply: $0.reply.isEmpty ? report.transportError : $0.reply)
        }
        let tried = copies.isEmpty ? nil : copies
        let record: JournalRecord
        let count: Count
        var log = copyLines(action, report, principal: principal)
        let fields: [(key: String, value: String)] = [
            ("key", action.key), ("kind", action.kind.rawValue), ("to", action.recipient.address), ("smtp", reply),
            ("msgid", action.messageID),
        ]
        switch principal.outcome {
        case .delivered:
            let undelivered = copies.filter { $0.outcome != .delivered }
            record = action.sentRecord(
                at: finished, reply: principal.reply, copies: undelivered.isEmpty ? nil : undelivered)
            count = .sent
            log.append(Log.Line(.info, "sent", fields))
        case .permanent:
            record = action.failedRecord(
                at: finished, code: principal.code, permanent: true, reply: reply, copies: tried)
            count = .failed(reply)
            log.append(Log.Line(.error, "failed permanently", fields))
        case .temporary, .unknown:
            record = action.failedRecord(
                at: finished, code: principal.code, permanent: false, reply: reply, copies: tried)
            count = .failed(reply)
            let message =
                principal.outcome == .unknown
                ? "delivery unknown; will resend with the same Message-ID" : "failed; will retry"
            log.append(Log.Line(.warning, message, fields))
        }
        // A server that never answers (refused, unreachable, timed out before any reply) is an outage, not a problem
        // with these messages: after a few in a row, stop and let the caller pause, rather than failing every due
        // message one by one.
        let unanswered = report.results.allSatisfy { $0.outcome == .temporary && $0.code == nil }
        unansweredInARow = unanswered ? unansweredInARow + 1 : 0
        var stop: Stop?
        refusedForGood += report.results.filter { $0.outcome == .permanent && $0.code.map { $0 >= 500 } == true }.count
        if refusedForGood >= Self.refusalsBeforeSlowing {
            let reason =
                "\(refusedForGood) recipients refused for good since sending last resumed; slowing down so that the relay does "
                + "not block the mailbox for repeated errors"
            stop = Stop(
                failure: TransportFailure(kind: .temporary, message: reason, relayLimit: .throttled),
                log: Log.Line(.warning, "sending paused to protect the mailbox", [("error", reason)]))
        }
        if unansweredInARow >= Self.outageThreshold {
            let reason = report.transportError ?? "no reply"
            stop = Stop(
                failure: TransportFailure(kind: .temporary, message: "the SMTP server cannot be reached: \(reason)"),
                log: Log.Line(.error, "the SMTP server cannot be reached; sending stops", [("error", reason)]))
        }
        return Entry(record: record, count: count, log: log, stop: stop)
    }

    /// The outcome of `action` when the server refused service before anything was handed over (`MailTransport`
    /// threw): the attempt is closed as a failure of the connection, which does not count towards this message's
    /// back-off, and all sending stops; the caller pauses, or `run --once` exits.
    func settle(_ action: Action, refusedWith failure: TransportFailure, at stamp: Date) -> Entry {
        let record = action.failedRecord(
            at: stamp, code: failure.code, permanent: false, reply: failure.message, connection: true)
        let line = Log.Line(
            .error, "sending stopped: \(failure.message)",
            [
                ("key", action.key), ("kind", action.kind.rawValue), ("to", action.recipient.address),
                ("msgid", action.messageID),
            ])
        let stop = Stop(failure: failure, log: nil)
        return Entry(record: record, count: .refused(failure.message), log: [line], stop: stop)
    }

    /// One line for each other recipient not delivered: a delegate's copy retried with the principal's message, or
    /// not retried because the principal's message is finished.
    private func copyLines(_ action: Action, _ report: DeliveryReport, principal: RecipientResult) -> [Log.Line] {
        var lines: [Log.Line] = []
        for other in report.results where other.address != principal.address && other.outcome != .delivered {
            let fields: [(key: String, value: String)] = [
                ("key", action.key), ("cc", other.address), ("smtp", other.reply), ("msgid", action.messageID),
            ]
            switch (other.outcome, principal.outcome) {
            case (.permanent, _):
                lines.append(Log.Line(.error, "delegate copy refused permanently", fields))
            case (_, .temporary), (_, .unknown):
                let message = "delegate copy not delivered; will retry with the principal's message"
                lines.append(Log.Line(.warning, message, fields))
            default:
                // The principal's message is finished (delivered or refused): nothing resends it to the delegate.
                lines.append(Log.Line(.error, "delegate copy not delivered and will not be retried", fields))
            }
        }
        return lines
    }
}
