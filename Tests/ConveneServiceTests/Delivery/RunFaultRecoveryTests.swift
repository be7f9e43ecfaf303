import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// `convene run` against Postfix smtp-sink faults, then against a healthy server on the same state: every
/// message is eventually delivered once, with the Message-ID it was first tried with.
///
/// smtp-sink's flags apply to every command of every session, and it dumps refused transactions too, so it
/// cannot say which messages were accepted. Each case therefore runs in two phases: the due invitations against
/// the faulty sink (all fail and are journaled), then the simulated clock runs on through the retry back-off
/// against aiosmtpd, whose saved messages are counted.
@Suite(.ownThread)
struct RunFaultRecoveryTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var flags: [String]
        /// After the final dot the server's verdict never came: delivery unknown, resent with the same Message-ID.
        var unknown = false
        var responseTimeout: Int? = nil
        var testDescription: String { "smtp-sink \(flags.joined(separator: " "))" }
    }

    static let faults: [Fault] = [
        Fault(flags: ["-r", "MAIL"]), Fault(flags: ["-r", "RCPT"]), Fault(flags: ["-r", "DATA"]),
        Fault(flags: ["-r", "."]),
        Fault(flags: ["-Q", "MAIL"]), Fault(flags: ["-Q", "RCPT"]), Fault(flags: ["-Q", "DATA"]),
        Fault(flags: ["-Q", "."]),
        Fault(flags: ["-q", "RCPT"]), Fault(flags: ["-q", "."], unknown: true),
        Fault(flags: ["-W", "MAIL:3"], responseTimeout: 1),
        Fault(flags: ["-W", ".:3"], unknown: true, responseTimeout: 1),
    ]

    /// The invitations for 4 March are due at 09:00 on 11 February: four people, Bob with a delegate in Cc.
    static let due = "2027-02-11 09:00"

    @Test(arguments: faults)
    func everyMessageIsDeliveredOnceAfterTheFault(_ fault: Fault) async throws {
        let sink = try await SMTPSink(flags: fault.flags)
        let fixture = try DeliveryFixture(smtp: .init(url: sink.url, responseTimeout: fault.responseTimeout))
        let faulty = try await fixture.run(from: Self.due, until: Self.due)
        await sink.stop()
        // A refusing or vanishing server costs time, never the run: each message is journaled as failed.
        #expect(faulty.status == 0, "\(faulty)")
        #expect(faulty.stdout.contains("sent 0, failed 4"), "\(faulty)")
        let failed = try fixture.journal().filter { $0.type == .failed }
        #expect(failed.count == 4)
        #expect(failed.allSatisfy { $0.permanent == false }, "\(failed.map { $0.reply ?? "" })")
        if fault.unknown {
            #expect(failed.allSatisfy { $0.reply?.contains("connection lost after the message was sent") == true })
        }

        let server = try await TestSMTPServer(.init(starttls: false))
        try fixture.write(smtp: .init(url: server.url()))
        // An hour of simulated time covers the first back-off (about a minute).
        let healthy = try await fixture.run(from: Self.due, until: "2027-02-11 10:00")
        #expect(healthy.status == 0, "\(healthy)")
        #expect(healthy.stdout.contains("sent 4, failed 0"), "\(healthy)")

        let mail = try await DeliveredMail.read(server.outdir)
        #expect(mail.count == 4)
        #expect(Set(mail.map(\.messageID)) == Set(failed.compactMap(\.msgid)), "resent with other Message-IDs")
        #expect(mail.allSatisfy { $0.envelopeRecipients == $0.headerRecipients && $0.problems.isEmpty })
        let journal = try fixture.journal()
        for id in Set(failed.compactMap(\.msgid)) {
            let outcomes = journal.filter { $0.msgid == id && $0.type != .attempt }.map(\.type)
            #expect(outcomes == [.failed, .sent], "\(id)")
            let sent = try #require(journal.first { $0.msgid == id && $0.type == .sent })
            let failure = try #require(journal.first { $0.msgid == id && $0.type == .failed })
            #expect(sent.at.timeIntervalSince(failure.at) >= 50, "retried before its back-off")
        }
    }
}
