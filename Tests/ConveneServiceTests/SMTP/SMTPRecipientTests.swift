import ConveneCore
import ConveneService
import ConveneTesting
import Testing

/// Per-recipient replies (aiosmtpd's RCPT rules) and envelope checks, over plain SMTP to loopback.
@Suite(.ownThread)
struct SMTPRecipientTests {
    static func connection(_ server: TestSMTPServer) throws -> SMTPConnection {
        try SMTPConnection(
            settings: SMTPSettings(url: server.url(), tls: .none, helo: "convene.test", responseTimeout: 5))
    }

    @Test func aRecipientRefusedWith451IsTemporaryAndARetryDeliversIt() async throws {
        let server = try await TestSMTPServer(.init(starttls: false, rcptRules: ["bob@example.test=451:once"]))
        let connection = try Self.connection(server)
        let mail = TestMail.make(to: ["alice@example.test", "bob@example.test", "carol@example.test"])
        let report = connection.send(mail)
        #expect(report.results.map(\.outcome) == [.delivered, .temporary, .delivered], "\(report)")
        #expect(report.results[1].code == 451)
        #expect(try server.messages().map(\.rcptTos) == [["alice@example.test", "carol@example.test"]])

        var retry = mail
        retry.recipients = ["bob@example.test"]
        #expect(connection.send(retry).allDelivered)
        #expect(try server.messages().map(\.rcptTos).last == ["bob@example.test"])
        #expect(try Set(server.messages().map(\.session)).count == 1, "a recipient refusal keeps the connection")
    }

    @Test func aRecipientRefusedWith550IsPermanentWhileTheOthersAreDelivered() async throws {
        let server = try await TestSMTPServer(.init(starttls: false, rcptRules: ["alice@example.test=550"]))
        let connection = try Self.connection(server)
        let report = connection.send(TestMail.make(to: ["alice@example.test", "bob@example.test"]))
        #expect(report.results.map(\.outcome) == [.permanent, .delivered], "\(report)")
        #expect(report.results[0].code == 550)
        #expect(report.results[0].reply.hasPrefix("550"))
        #expect(try server.messages().map(\.rcptTos) == [["bob@example.test"]])
    }

    @Test func whenEveryRecipientIsRefusedNothingIsSentAndTheNextSendWorks() async throws {
        let server = try await TestSMTPServer(
            .init(starttls: false, rcptRules: ["alice@example.test=550", "bob@example.test=451"]))
        let connection = try Self.connection(server)
        let report = connection.send(TestMail.make(to: ["alice@example.test", "bob@example.test"]))
        #expect(report.results.map(\.outcome) == [.permanent, .temporary], "\(report)")
        #expect(report.error == nil)
        #expect(try server.messages().isEmpty)
        #expect(connection.send(TestMail.make(to: ["carol@example.test"])).allDelivered)
    }

    @Test func anAddressWithCRLFIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let connection = try Self.connection(server)
        let report = connection.send(TestMail.make(to: ["alice@example.test\r\nRCPT TO:<evil@example.test>"]))
        #expect(report.results.map(\.outcome) == [.permanent])
        #expect(report.results[0].code == nil)
        #expect(connection.lastTranscript.exchanges.isEmpty, "no connection was even opened")
        #expect(try server.messages().isEmpty)
    }

    @Test func anInjectedRecipientIsDroppedWhileTheOthersAreDelivered() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let connection = try Self.connection(server)
        let report = connection.send(
            TestMail.make(to: ["alice@example.test\nRCPT TO:<evil@example.test>", "bob@example.test"]))
        #expect(report.results.map(\.outcome) == [.permanent, .delivered], "\(report)")
        #expect(try server.messages().map(\.rcptTos) == [["bob@example.test"]])
    }

    @Test func aBadEnvelopeSenderFailsTheWholeMessageLocally() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let connection = try Self.connection(server)
        let report = connection.send(TestMail.make(from: "organiser@example.test\r\nDATA", to: ["a@example.test"]))
        guard case .invalidAddress = report.error else {
            Issue.record("expected invalidAddress, got \(report)")
            return
        }
        #expect(report.results.map(\.outcome) == [.permanent])
        #expect(try server.messages().isEmpty)
    }
}
