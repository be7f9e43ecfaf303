import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// Faults injected by Postfix's smtp-sink at each step of the dialogue; after each, the same
/// `SMTPConnection` must deliver to a healthy server on the same port.
@Suite(.ownThread)
struct SMTPFaultTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var flags: [String]
        var expected: DeliveryOutcome
        var responseTimeout: Double = 5
        /// The reply code the recipient's result carries, when a reply decided it.
        var code: Int? = nil
        var testDescription: String { "smtp-sink \(flags.joined(separator: " ")) → \(expected)" }
    }

    static let faults: [Fault] = [
        // -r: 4xx reply to the command.
        Fault(flags: ["-r", "MAIL"], expected: .temporary, code: 450),
        Fault(flags: ["-r", "RCPT"], expected: .temporary, code: 450),
        Fault(flags: ["-r", "DATA"], expected: .temporary, code: 450),
        Fault(flags: ["-r", "."], expected: .temporary, code: 450),
        // -f: 5xx reply to the command.
        Fault(flags: ["-f", "MAIL"], expected: .permanent, code: 500),
        Fault(flags: ["-f", "RCPT"], expected: .permanent, code: 500),
        Fault(flags: ["-f", "DATA"], expected: .permanent, code: 500),
        Fault(flags: ["-f", "."], expected: .permanent, code: 500),
        // -Q: 421 and hang up.
        Fault(flags: ["-Q", "MAIL"], expected: .temporary, code: 421),
        Fault(flags: ["-Q", "RCPT"], expected: .temporary, code: 421),
        Fault(flags: ["-Q", "DATA"], expected: .temporary, code: 421),
        Fault(flags: ["-Q", "."], expected: .temporary, code: 421),
        // -q: hang up without a word. After the dot, nobody knows whether the message went.
        Fault(flags: ["-q", "MAIL"], expected: .temporary),
        Fault(flags: ["-q", "RCPT"], expected: .temporary),
        Fault(flags: ["-q", "DATA"], expected: .temporary),
        Fault(flags: ["-q", "."], expected: .unknown),
        // Trouble before the transaction is the transport's, never permanent for the message.
        Fault(flags: ["-r", "CONNECT"], expected: .temporary),
        Fault(flags: ["-f", "CONNECT"], expected: .temporary),
        Fault(flags: ["-q", "CONNECT"], expected: .temporary),
        // A server slower than the response timeout.
        Fault(flags: ["-W", "MAIL:3"], expected: .temporary, responseTimeout: 1),
        Fault(flags: ["-W", ".:3"], expected: .unknown, responseTimeout: 1),
    ]

    /// With and without `pollsForReplies`: a connection that polls for replies still times out, and sees a dropped
    /// or refusing server, exactly as one that sleeps.
    @Test(arguments: faults, [false, true])
    func eachFaultIsClassifiedAndTheConnectionRecovers(_ fault: Fault, pollsForReplies: Bool) async throws {
        let healthy = try await SMTPSink()
        let connection = try SMTPConnection(
            settings: SMTPSettings(
                url: healthy.url, tls: .none, helo: "convene.test", connectTimeout: 5,
                responseTimeout: fault.responseTimeout),
            pollsForReplies: pollsForReplies)
        #expect(connection.send(TestMail.make(id: "first@convene.test")).allDelivered)
        await healthy.stop()

        // The cached connection now points at a dead server; the faulty one takes over the port.
        let faulty = try await SMTPSink(flags: fault.flags, port: healthy.port)
        let report = connection.send(TestMail.make(id: "faulted@convene.test"))
        #expect(report.results.map(\.outcome) == [fault.expected], "\(report)\n\(connection.lastTranscript)")
        if let code = fault.code { #expect(report.results.first?.code == code) }
        // (smtp-sink dumps even refused transactions, so its dumps cannot show what was accepted.)
        await faulty.stop()

        let recovered = try await SMTPSink(port: healthy.port)
        let after = connection.send(TestMail.make(id: "after@convene.test"))
        #expect(after.allDelivered, "\(after)")
        let dumps = recovered.dumps()
        #expect(dumps.count == 1)
        #expect(dumps.first?.contains("Message-ID: <after@convene.test>") == true)
        #expect(dumps.first?.contains("X-Helo-Args: convene.test") == true)
    }

    /// Nothing listening: the message is untouched (temporary) and the report says the server is unavailable, so the
    /// transport stops and pauses instead of failing each due message.
    @Test func aClosedPortIsATemporaryTransportError() throws {
        let port = try TestEnvironment.freePort()
        let connection = try SMTPConnection(
            settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)", tls: .none, helo: "convene.test", connectTimeout: 2)
        )
        let report = connection.send(TestMail.make())
        #expect(report.results.map(\.outcome) == [.temporary])
        guard case .serverUnavailable(code: nil, _)? = report.error else {
            Issue.record("expected serverUnavailable without a code, got \(String(describing: report.error))")
            return
        }
        #expect(report.transportError?.isEmpty == false)
    }
}
