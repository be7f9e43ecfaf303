import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// STARTTLS, implicit TLS and AUTH against a real aiosmtpd server with a self-signed test CA.
@Suite(.ownThread)
struct SMTPConnectionTLSTests {
    static let user = "convene@example.test"
    static let password = "correct horse battery staple"

    static func settings(
        _ server: TestSMTPServer, url: String? = nil, tls: TLSMode = .starttls, password: String = password,
        trustTestCA: Bool = true
    ) throws -> SMTPSettings {
        SMTPSettings(
            url: url ?? server.url(), tls: tls, username: user, password: password, helo: "convene.test",
            caFile: trustTestCA ? try TestCertificates.get().caFile : nil, connectTimeout: 5, responseTimeout: 5)
    }

    /// Also with `pollsForReplies` (what one connection on a machine with a CPU to spare does): the dialogue and
    /// the reuse are libcurl's either way, only the waiting differs.
    @Test(arguments: [false, true])
    func severalMessagesGoIntactOverOneReusedConnection(pollsForReplies: Bool) async throws {
        let server = try await TestSMTPServer(.init(user: Self.user, password: Self.password))
        let connection = try SMTPConnection(settings: Self.settings(server), pollsForReplies: pollsForReplies)
        let mails = [
            TestMail.make(to: ["alice@example.test"], id: "one@convene.test"),
            TestMail.make(to: ["bob@example.test", "carol@example.test"], id: "two@convene.test", bodyLines: 2000),
            TestMail.make(to: ["dave@example.test"], id: "three@convene.test"),
        ]
        var opened: [Bool] = []
        for mail in mails {
            let report = connection.send(mail)
            #expect(report.allDelivered, "\(report)\n\(server.log())")
            #expect(report.results.map(\.address) == mail.recipients)
            #expect(report.error == nil && report.transportError == nil)
            opened.append(connection.lastTranscript.openedConnection)
        }
        #expect(opened == [true, false, false])

        let received = try server.messages()
        try #require(received.count == mails.count)
        #expect(Set(received.map(\.session)).count == 1, "all messages over one connection")
        for (message, mail) in zip(received, mails) {
            #expect(server.bytes(of: message) == mail.bytes)
            #expect(message.mailFrom == mail.envelopeFrom)
            #expect(message.rcptTos == mail.recipients)
            #expect(message.tls && message.auth)
            #expect(message.helo == "convene.test")
        }
    }

    @Test func aWrongPasswordIsAuthRefusedAndNothingIsDelivered() async throws {
        let server = try await TestSMTPServer(.init(user: Self.user, password: Self.password))
        let connection = try SMTPConnection(settings: Self.settings(server, password: "wrong password"))
        let report = connection.send(TestMail.make())
        guard case .authRefused(let reply) = report.error else {
            Issue.record("expected authRefused, got \(report)")
            return
        }
        #expect(reply.hasPrefix("535"))
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(try server.messages().isEmpty)
        #expect(!connection.lastTranscript.exchanges.contains { $0.command == .mailFrom })
        #expect(!"\(report) \(connection.lastTranscript) \(connection.settings)".contains("wrong password"))
    }

    @Test func aServerWithoutStarttlsIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let connection = try SMTPConnection(settings: Self.settings(server))
        let report = connection.send(TestMail.make())
        guard case .tlsRequiredButUnavailable = report.error else {
            Issue.record("expected tlsRequiredButUnavailable, got \(report)")
            return
        }
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(!connection.lastTranscript.exchanges.contains { $0.command == .auth || $0.command == .mailFrom })
        #expect(try server.messages().isEmpty)
    }

    @Test func aCertificateFromAnUnknownCAIsRejected() async throws {
        let server = try await TestSMTPServer(.init(user: Self.user, password: Self.password))
        let connection = try SMTPConnection(settings: Self.settings(server, trustTestCA: false))
        let report = connection.send(TestMail.make())
        guard case .certificateRejected(let why) = report.error else {
            Issue.record("expected certificateRejected, got \(report)")
            return
        }
        #expect(!why.isEmpty)
        #expect(report.results.map(\.outcome) == [.temporary])
        #expect(try server.messages().isEmpty)
    }

    @Test func implicitTLSDeliversWithAuthentication() async throws {
        let server = try await TestSMTPServer(
            .init(starttls: false, implicitTLS: true, user: Self.user, password: Self.password))
        let connection = try SMTPConnection(
            settings: Self.settings(server, url: "smtps://localhost:\(server.port)", tls: .implicit))
        let report = connection.send(TestMail.make())
        #expect(report.allDelivered, "\(report)\n\(server.log())")
        let received = try server.messages()
        #expect(received.count == 1 && received.first?.tls == true && received.first?.auth == true)
    }

    @Test func aConnectionTheServerClosedWhileIdleIsReopened() async throws {
        let server = try await TestSMTPServer(.init(user: Self.user, password: Self.password, idleTimeout: 0.5))
        let connection = try SMTPConnection(settings: Self.settings(server))
        #expect(connection.send(TestMail.make(id: "before@convene.test")).allDelivered)
        await pause(seconds: 1)
        let report = connection.send(TestMail.make(id: "after@convene.test"))
        #expect(report.allDelivered, "\(report)\n\(server.log())")
        let received = try server.messages()
        #expect(received.count == 2)
        #expect(Set(received.map(\.session)).count == 2)
    }
}
