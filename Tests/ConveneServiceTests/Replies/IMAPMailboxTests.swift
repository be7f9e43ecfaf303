import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// `IMAPMailbox` against a real Dovecot on loopback (TestIMAPServer): listing, byte-exact bodies, moves with and
/// without MOVE, a renumbered folder, STARTTLS and implicit TLS, and failures that say what went wrong without the
/// password.
@Suite(.ownThread)
struct IMAPMailboxTests {
    static func settings(
        _ server: TestIMAPServer, starttls: Bool = false, password: String? = nil, mailbox: String = "INBOX",
        trustTestCA: Bool = true
    ) throws -> IMAPSettings {
        IMAPSettings(
            server: starttls ? "imap://127.0.0.1:\(server.imapPort)" : "imaps://127.0.0.1:\(server.imapsPort)",
            mailbox: mailbox, tls: starttls ? .starttls : .implicit, username: TestIMAPServer.username,
            password: password ?? server.password, caFile: trustTestCA ? try TestCertificates.get().caFile : nil,
            connectTimeout: 5, responseTimeout: 10)
    }

    /// A calendar reply as a client sends it: CRLF lines, a quoted-printable part, an 8-bit byte in the body.
    static func reply(_ n: Int, from who: String = "alice@example.gov.uk") -> [UInt8] {
        let text = """
            From: \(who)\r
            To: organizer@example.gov.uk\r
            Subject: Accepted: Leadership Day \(n)\r
            Message-ID: <reply-\(n)@client.example>\r
            MIME-Version: 1.0\r
            Content-Type: text/calendar; method=REPLY; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            BEGIN:VCALENDAR\r
            METHOD:REPLY\r
            BEGIN:VEVENT\r
            UID:day-\(n)@convene\r
            ATTENDEE;PARTSTAT=ACCEPTED:mailto:\(who)\r
            COMMENT:Caf=C3=A9 at ten =\r
            please\r
            END:VEVENT\r
            END:VCALENDAR\r

            """
        return Array(text.utf8) + [0xE9, 0x0D, 0x0A]
    }

    @Test func listsWaitingMessagesOldestFirstWithTheirBytesExactly() async throws {
        let server = try await TestIMAPServer()
        let sent = (1...3).map { Self.reply($0) }
        for message in sent { try server.deliver(message) }
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let pending = try mailbox.pending()
        #expect(pending.map(\.bytes) == sent)
        let validity = try #require(mailbox.uidValidity)
        #expect(pending.map(\.id) == ["\(validity)/1", "\(validity)/2", "\(validity)/3"])
        #expect(!mailbox.uidValidityChanged)
    }

    /// From the rules file to a pass: the `replies:` block, the password from a password file or a systemd
    /// credential, the CA file resolved against the config folder; the settings print no password.
    @Test(arguments: [false, true])
    func settingsFromTheRulesFileReadTheFolder(viaCredential: Bool) async throws {
        let server = try await TestIMAPServer()
        try server.deliver(Self.reply(1))
        let fixture = try DeliveryFixture(smtp: .init(url: "smtp://127.0.0.1:25"))
        let secrets = fixture.directory.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try (server.password + "\n").write(
            to: secrets.appendingPathComponent("imap-password"), atomically: true, encoding: .utf8)
        try (server.password + "\n").write(
            to: fixture.directory.appendingPathComponent("imap-password"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: try TestCertificates.get().caFile, toPath: fixture.directory.appendingPathComponent("ca.pem").path)
        let source = viaCredential ? "password_credential: imap-password" : "password_file: imap-password"
        let rules =
            try String(contentsOfFile: fixture.configPath, encoding: .utf8) + """
                replies:
                  url: imap://127.0.0.1:\(server.imapPort)/INBOX
                  tls: starttls
                  username: \(TestIMAPServer.username)
                  \(source)
                  ca_file: ca.pem
                  every: 1m
                  processed: convene/done

                """
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let settings = try IMAPSettings.settings(
            for: workspace, environment: viaCredential ? ["CREDENTIALS_DIRECTORY": secrets.path] : [:])
        #expect(settings.password == server.password && settings.processed == "convene/done")
        #expect(!"\(settings)".contains(server.password) && "\(settings)".contains("<redacted>"))
        let mailbox = try IMAPMailbox(settings: settings)
        let pending = try mailbox.pending()
        #expect(pending.map(\.bytes) == [Self.reply(1)])
        try mailbox.move(pending[0], to: settings.processed)
        #expect(server.messages(in: "convene/done") == [Self.reply(1)])
    }

    @Test func anEmptyFolderHasNothingPending() async throws {
        let server = try await TestIMAPServer()
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        #expect(try mailbox.pending() == [])
    }

    @Test func movesCreateTheFoldersAndASecondPassSeesNothingMoved() async throws {
        let server = try await TestIMAPServer()
        for n in 1...3 { try server.deliver(Self.reply(n)) }
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let first = try mailbox.pending()
        #expect(first.count == 3)
        #expect(!server.hasFolder("convene/processed") && !server.hasFolder("convene/needs-attention"))
        try mailbox.move(first[0], to: "convene/processed")
        try mailbox.move(first[1], to: "convene/needs-attention")
        #expect(server.hasFolder("convene/processed") && server.hasFolder("convene/needs-attention"))
        #expect(server.messages(in: "convene/processed") == [first[0].bytes])
        #expect(server.messages(in: "convene/needs-attention") == [first[1].bytes])

        let second = try mailbox.pending()
        #expect(second == [first[2]])
        try mailbox.move(second[0], to: "convene/processed")
        #expect(try mailbox.pending() == [])
        #expect(server.messages(in: "INBOX") == [])
        #expect(server.messages(in: "convene/processed").count == 2)
    }

    /// Folder levels are written with `/` and sent with the server's own delimiter: on a server that uses `.`,
    /// `convene/processed` is the folder `processed` inside `convene`, not one folder with a slash in its name.
    @Test func foldersFollowTheServersHierarchyDelimiter() async throws {
        let server = try await TestIMAPServer(separator: ".")
        try server.deliver(Self.reply(1))
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let pending = try mailbox.pending()
        try mailbox.move(pending[0], to: "convene/processed")
        #expect(server.messages(in: "convene/processed") == [pending[0].bytes])
        #expect(try mailbox.pending() == [])
    }

    /// A server without MOVE (RFC 6851): UID COPY, UID STORE \Deleted and UID EXPUNGE (UIDPLUS) or EXPUNGE.
    @Test(arguments: ["IMAP4rev1 SASL-IR LITERAL+ UIDPLUS", "IMAP4rev1 SASL-IR LITERAL+"])
    func withoutMoveTheMessageIsCopiedFlaggedAndExpunged(capabilities: String) async throws {
        let server = try await TestIMAPServer(capabilities: capabilities)
        for n in 1...2 { try server.deliver(Self.reply(n)) }
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let pending = try mailbox.pending()
        try mailbox.move(pending[0], to: "convene/processed")
        #expect(server.messages(in: "convene/processed") == [pending[0].bytes])
        #expect(server.messages(in: "INBOX") == [pending[1].bytes])
        #expect(try mailbox.pending() == [pending[1]])
    }

    /// A new UIDVALIDITY voids the old ids: a move by an old id is refused (temporary), the next pass lists the
    /// same messages afresh under the new UIDVALIDITY, and says so.
    @Test func aRenumberedFolderIsListedAfreshAndOldIdsAreRefused() async throws {
        let server = try await TestIMAPServer()
        for n in 1...2 { try server.deliver(Self.reply(n)) }
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let before = try mailbox.pending()
        try server.renumberInbox(to: 4242)
        #expect {
            try mailbox.move(before[0], to: "convene/processed")
        } throws: { error in
            let error = error as? MailboxError
            return error?.kind == .temporary && error?.message.contains("renumbered") == true
        }
        #expect(server.messages(in: "convene/processed") == [])
        let after = try mailbox.pending()
        #expect(mailbox.uidValidityChanged)
        #expect(after.map(\.bytes) == before.map(\.bytes))
        #expect(after.allSatisfy { $0.id.hasPrefix("4242/") })
        try mailbox.move(after[0], to: "convene/processed")
        #expect(server.messages(in: "convene/processed") == [before[0].bytes])
        #expect(try mailbox.pending().map(\.bytes) == [before[1].bytes])
        #expect(!mailbox.uidValidityChanged)
    }

    @Test func starttlsOnImapWorksLikeImplicitTLS() async throws {
        let server = try await TestIMAPServer()
        try server.deliver(Self.reply(1))
        let mailbox = try IMAPMailbox(settings: Self.settings(server, starttls: true))
        let pending = try mailbox.pending()
        #expect(pending.map(\.bytes) == [Self.reply(1)])
        try mailbox.move(pending[0], to: "convene/processed")
        #expect(try mailbox.pending() == [])
    }

    @Test(arguments: [false, true])
    func aWrongPasswordIsRefusedLoginWithoutThePassword(starttls: Bool) async throws {
        let server = try await TestIMAPServer()
        let wrong = "Wr0ng-Secret-Pa55"
        let mailbox = try IMAPMailbox(settings: Self.settings(server, starttls: starttls, password: wrong))
        #expect {
            try mailbox.pending()
        } throws: { error in
            guard let error = error as? MailboxError else { return false }
            return error.kind == .authenticationRefused && error.message.contains(TestIMAPServer.username)
                && error.message.contains("refused the login") && !error.message.contains(wrong)
                && !error.message.contains(server.password) && !"\(mailbox.settings)".contains(wrong)
        }
    }

    @Test func aServerCertificateFromAnUnknownCAIsATLSFailure() async throws {
        let server = try await TestIMAPServer()
        let mailbox = try IMAPMailbox(settings: Self.settings(server, trustTestCA: false))
        #expect {
            try mailbox.pending()
        } throws: { error in
            let error = error as? MailboxError
            return error?.kind == .unavailable && error?.message.contains("TLS") == true
        }
    }

    @Test func aMissingMailboxIsASettingThatCannotWork() async throws {
        let server = try await TestIMAPServer()
        let mailbox = try IMAPMailbox(settings: Self.settings(server, mailbox: "Replies"))
        #expect {
            try mailbox.pending()
        } throws: { error in
            let error = error as? MailboxError
            return error?.kind == .invalidSettings && error?.message.contains("no mailbox Replies") == true
        }
    }

    @Test func aNonASCIIFolderIsCreatedInModifiedUTF7() async throws {
        let server = try await TestIMAPServer()
        try server.deliver(Self.reply(1))
        let mailbox = try IMAPMailbox(settings: Self.settings(server))
        let pending = try mailbox.pending()
        try mailbox.move(pending[0], to: "convene/Réponses & co")
        #expect(server.messages(in: "convene/R&AOk-ponses &- co") == [pending[0].bytes])
    }

    @Test(arguments: ["convene/x\r\nA1 DELETE INBOX", "convene/x\nA1 DELETE INBOX", "a\u{0}b", "convene/*"])
    func aFolderThatCouldInjectACommandIsRefusedBeforeConnecting(folder: String) throws {
        var settings = IMAPSettings(
            server: "imaps://127.0.0.1:9", tls: .implicit, username: "u", password: "p", processed: folder)
        #expect(throws: MailboxError.self) { try IMAPMailbox(settings: settings) }
        settings.processed = "convene/processed"
        let mailbox = try IMAPMailbox(settings: settings)
        #expect {
            try mailbox.move(IncomingMessage(id: "1/1", bytes: []), to: folder)
        } throws: { error in
            (error as? MailboxError)?.kind == .invalidSettings
        }
    }
}
