import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// A relay that takes the message and never answers the final dot: each send gives up after `response_timeout`
/// once (not again for QUIT, nor for the next message on the connection it left hanging).
@Suite(.ownThread)
struct SMTPTimeoutTests {
    static func seconds(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }

    @Test(arguments: [false, true])
    func aServerThatNeverAnswersTheDotIsGivenUpAfterOneResponseTimeout(pollsForReplies: Bool) async throws {
        let server = try await TestSMTPServer(.init(starttls: false, hangAfterData: true))
        let timeout = 2.0
        var connection: SMTPConnection? = try SMTPConnection(
            settings: SMTPSettings(
                url: server.url(), tls: .none, helo: "convene.test", connectTimeout: 5, responseTimeout: timeout),
            pollsForReplies: pollsForReplies)
        for id in ["first", "second"] {
            var report = DeliveryReport(results: [])
            let elapsed = Self.seconds { report = connection!.send(TestMail.make(id: "\(id)@convene.test")) }
            #expect(report.results.map(\.outcome) == [.unknown], "\(report)")
            #expect(elapsed >= timeout - 0.1 && elapsed < timeout + 1.5, "\(id): gave up after \(elapsed) s")
        }
        // Closing the connection does not wait for a QUIT reply that never comes.
        let closing = Self.seconds { connection = nil }
        #expect(closing < 1, "closing took \(closing) s")
    }

    /// A server silent at MAIL FROM: libcurl closes the connection with a QUIT and would wait a second
    /// `response_timeout` for its reply; the transport stops waiting (within libcurl's one-second tick).
    @Test func aServerSilentMidDialogueIsNotWaitedForAgainOnQuit() async throws {
        let sink = try await SMTPSink(flags: ["-W", "MAIL:20"])
        let timeout = 3.0
        let connection = try SMTPConnection(
            settings: SMTPSettings(
                url: sink.url, tls: .none, helo: "convene.test", connectTimeout: 5, responseTimeout: timeout))
        var report = DeliveryReport(results: [])
        let elapsed = Self.seconds { report = connection.send(TestMail.make()) }
        #expect(report.results.map(\.outcome) == [.temporary], "\(report)")
        #expect(elapsed >= timeout - 0.1 && elapsed < timeout + 1.5, "gave up after \(elapsed) s")
    }

    /// Through the built binary: two invitations due, a relay that hangs after each final dot, `response_timeout: 2s`.
    /// Each is given up after one timeout and journaled as delivery unknown (resent later with its Message-ID); the
    /// run ends without waiting for QUIT replies. (Before: 2 s, then 6 s for the second message, then 2 s to close.)
    @Test func runGivesUpEachUnansweredDotAfterOneResponseTimeout() async throws {
        let server = try await TestSMTPServer(.init(starttls: false, hangAfterData: true))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url(), responseTimeout: 2), roster: DeliveryFixture.roster(of: 2),
            programme: DeliveryFixture.singleInvitation)
        var result: ConveneBinary.Result?
        let start = Date()
        result = try? await fixture.run(from: "2027-02-11 09:00", until: "2027-02-11 09:00")
        let elapsed = Date().timeIntervalSince(start)
        let run = try #require(result)
        #expect(run.status == 0 && run.stdout.contains("sent 0, failed 2"), "\(run)")
        #expect(elapsed < 2 * 2 + 1.5, "took \(elapsed) s for two messages with a 2 s response timeout")
        let failed = try fixture.journal().filter { $0.type == .failed }
        #expect(failed.count == 2)
        #expect(
            failed.allSatisfy {
                $0.permanent == false && $0.reply?.contains("connection lost after the message was sent") == true
            }, "\(failed)")
    }
}
