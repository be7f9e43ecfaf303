import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// A server that greets 421 or 554 (or cannot be reached) is unavailable: sending stops at the first message and
/// pauses, whatever the number due, and no message is failed for it. `run --once` exits 75 for a 4xx greeting (or
/// none: try again later) and 69 for a 5xx one (the server refuses service: someone should look).
@Suite(.ownThread)
struct ServerUnavailableTests {
    static let due = "2027-02-11 09:00"

    @Test(arguments: [(421, Int32(75)), (554, Int32(69))])
    func aRefusingGreetingWithOneMessageDueStopsTheRunWithoutFailingTheMessage(greeting: Int, status: Int32)
        async throws
    {
        let refusing = try await TestSMTPServer(.init(starttls: false, greeting: greeting))
        let fixture = try DeliveryFixture(
            smtp: .init(url: refusing.url()), roster: DeliveryFixture.roster(of: 1),
            programme: DeliveryFixture.singleInvitation)
        let result = try await fixture.convene("run", ["--now", Self.due, "--once"])
        #expect(result.status == status, "\(result)")
        #expect(result.stderr.contains("the SMTP server is unavailable: \(greeting) "), "\(result.stderr)")

        // The attempt is closed as a failure of the connection, with the greeting: not of the message.
        let records = try fixture.journal()
        #expect(records.map(\.type) == [.attempt, .failed])
        let failed = records[1]
        #expect(failed.connection == true && failed.permanent == false && failed.code == greeting, "\(failed)")
        let state = JournalState(records: records)
        #expect(state.failures.isEmpty && state.finished.isEmpty, "the message was failed for the server's refusal")

        // The same message goes at once (no back-off) when the server is back, with the Message-ID it was tried with.
        let healthy = try await TestSMTPServer(.init(starttls: false))
        try fixture.write(smtp: .init(url: healthy.url()))
        let again = try await fixture.convene("run", ["--now", "2027-02-11 09:01", "--once"])
        #expect(again.status == 0 && again.stdout.contains("sent 1, failed 0"), "\(again)")
        #expect(try await DeliveredMail.read(healthy.outdir).map(\.messageID) == [failed.msgid ?? "?"])
    }
}
