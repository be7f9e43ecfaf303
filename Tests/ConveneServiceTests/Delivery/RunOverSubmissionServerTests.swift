import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// `convene run` (the built binary) against aiosmtpd as a submission server: STARTTLS required, then AUTH,
/// with the test CA given by `smtp.ca_file`, per-recipient 451 and 550 rules, and every accepted message saved.
@Suite(.ownThread)
struct RunOverSubmissionServerTests {
    static let user = "convene@example.test"
    static let password = "correct horse battery staple"

    static func server(rcptRules: [String] = [], starttls: Bool = true) async throws -> TestSMTPServer {
        try await TestSMTPServer(.init(starttls: starttls, user: user, password: password, rcptRules: rcptRules))
    }

    static func fixture(_ server: TestSMTPServer, password: String = RunOverSubmissionServerTests.password) throws
        -> DeliveryFixture
    {
        try DeliveryFixture(
            smtp: .init(
                url: server.url(), tls: "starttls", caFile: try TestCertificates.get().caFile, username: user,
                password: password))
    }

    @Test func aWholeProgrammeArrivesEachMessageParsedWithItsEnvelopeMatchingToAndCc() async throws {
        // Cy's first RCPT gets 451 (then accepted); Dee's mailbox refuses with 550 every time.
        let server = try await Self.server(rcptRules: ["cy@example.test=451:once", "dee@example.test=550"])
        let fixture = try Self.fixture(server)

        let result = try await fixture.run(from: "2027-02-01 00:00", until: "2027-04-01 00:00")
        #expect(result.status == 0, "\(result)")

        let mail = try await DeliveredMail.read(server.outdir)
        // Ada, Bob and Cy: three invitations and three reminders each. Dee: nothing (refused).
        #expect(mail.count == 18, "\(mail.map(\.subject))")
        #expect(Set(mail.map(\.messageID)).count == mail.count, "a message arrived twice")
        for message in mail {
            #expect(message.problems.isEmpty, "\(message.file): \(message.problems)")
            #expect(message.envelopeRecipients == message.headerRecipients, "\(message.file)")
            #expect(!message.headerRecipients.contains("dee@example.test"))
        }
        #expect(mail.filter { $0.headerRecipients.contains("office.bob@example.test") }.count == 6)
        #expect(try server.messages().allSatisfy { $0.tls && $0.auth && $0.helo == "convene.test" })

        // The 451 is journaled as a temporary failure, and the retry carries the same Message-ID.
        let journal = try fixture.journal()
        let cy = journal.filter { $0.to == "cy@example.test" && $0.type != .attempt }
        let firstCy = try #require(cy.first)
        #expect(firstCy.type == .failed && firstCy.code == 451 && firstCy.permanent == false)
        #expect(cy.dropFirst().first?.type == .sent)
        #expect(cy.dropFirst().first?.msgid == firstCy.msgid)
        #expect(mail.filter { $0.messageID == firstCy.msgid }.count == 1)
        // Dee's 550s are permanent: recorded once per message with the server's reply, never retried.
        let dee = journal.filter { $0.to == "dee@example.test" && $0.type != .attempt }
        #expect(dee.count == 3)
        #expect(dee.allSatisfy { $0.type == .failed && $0.permanent == true && $0.code == 550 })
        #expect(dee.allSatisfy { $0.reply?.contains("5.1.1") == true })
    }

    @Test func statusAfterARunWithFailuresShowsCountsRepliesAndWhatIsNext() async throws {
        let server = try await Self.server(rcptRules: ["cy@example.test=451:once", "dee@example.test=550"])
        let fixture = try Self.fixture(server)
        // Up to just after the first invitations (due 2027-02-11 09:00).
        let result = try await fixture.run(from: "2027-02-01 00:00", until: "2027-02-15 00:00")
        #expect(result.status == 0, "\(result)")

        let status = try await fixture.convene("status", ["--json", "--now", "2027-02-15 00:00"])
        #expect(status.status == 0, "\(status)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status)")
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts["invitation.sent"] == 3)
        #expect(counts["invitation.failed"] == 2)  // Cy's (once, then sent) and Dee's
        #expect(counts["permanent"] == 1)
        let failures = try #require(object["last_failures"] as? [[String: Any]])
        #expect(failures.count == 2)
        let permanent = try #require(failures.first { $0["permanent"] as? Bool == true })
        #expect(permanent["code"] as? Int == 550)
        #expect((permanent["key"] as? String)?.hasSuffix("dee@example.test") == true)
        #expect((permanent["reply"] as? String)?.contains("550") == true)
        let temporary = try #require(failures.first { $0["permanent"] as? Bool == false })
        #expect(temporary["code"] as? Int == 451)
        #expect((temporary["reply"] as? String)?.contains("4.2.0") == true)
        // Next: the week-before reminders for 4 March and the invitations for 18 March, both on 25 February.
        let next = try #require(object["next"] as? [String: Any])
        #expect((next["due"] as? String)?.hasPrefix("2027-02-25T09:00") == true, "\(next)")
        #expect(object["due_now"] as? Int == 0)
        #expect((object["in_flight"] as? [Any])?.isEmpty == true)

        let human = try await fixture.convene("status", ["--now", "2027-02-15 00:00"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("permanent talk/20270304/invitation/dee@example.test: 550"), "\(human)")
    }

    @Test func aWrongPasswordExits77AndSendsNothing() async throws {
        let server = try await Self.server()
        let fixture = try Self.fixture(server, password: "wrong")
        let result = try await fixture.run(from: "2027-02-01 00:00", until: "2027-04-01 00:00")
        #expect(result.status == 77, "\(result)")
        #expect(result.stderr.contains("refused the credentials"))
        #expect(!result.stderr.contains("wrong"), "the password must never be printed")
        #expect(try server.messages().isEmpty)
        #expect(try fixture.journal().allSatisfy { $0.type != .sent })
    }

    @Test func aServerWithoutSTARTTLSIsRefusedAndNothingIsSent() async throws {
        let server = try await Self.server(starttls: false)
        let fixture = try Self.fixture(server)
        let result = try await fixture.run(from: "2027-02-01 00:00", until: "2027-04-01 00:00")
        #expect(result.status == 69, "\(result)")
        #expect(try server.messages().isEmpty)
        #expect(try fixture.journal().allSatisfy { $0.type != .sent })
    }

    @Test func sendTestPrintsTheServersReplyAndAWrongPasswordExits77() async throws {
        let server = try await Self.server()
        let good = try Self.fixture(server)
        let sent = try await good.convene("send-test", ["--to", "ada@example.test"])
        #expect(sent.status == 0, "\(sent)")
        #expect(sent.stdout.contains("250 2.0.0 Message accepted for delivery"), "\(sent)")
        let mail = try await DeliveredMail.read(server.outdir)
        #expect(mail.map(\.envelopeRecipients) == [["ada@example.test"]])
        #expect(mail.first?.problems == [])

        let bad = try Self.fixture(server, password: "wrong")
        let refused = try await bad.convene("send-test", ["--to", "ada@example.test"])
        #expect(refused.status == 77, "\(refused)")
        #expect(try server.messages().count == 1)
    }
}
