import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// The built binary with `auth: xoauth2` against token_server.py (TLS, short-lived tokens) and aiosmtpd accepting
/// only AUTH XOAUTH2 with a current token: a run across several token lifetimes, a wrong secret, an endpoint that is
/// down, `send-test`'s steps, and no secret or token in anything convene writes.
@Suite(.ownThread)
struct XOAUTH2DeliveryTests {
    static let mailbox = "convene@example.test"

    /// An SMTP server that checks the token server's tokens.
    static func smtpServer(_ tokens: TestTokenServer) async throws -> TestSMTPServer {
        try await TestSMTPServer(.init(user: mailbox, xoauth2Tokens: tokens.tokensFile))
    }

    /// A rules file for `smtp`, logging in with XOAUTH2 through `tokens` (its secret, or `secret`), sending at
    /// most `rate` messages a second.
    static func fixture(
        _ smtp: TestSMTPServer, _ tokens: TestTokenServer, secret: String? = nil,
        roster: String = DeliveryFixture.smallRoster, programme: String = DeliveryFixture.programme,
        rate: String? = nil, connections: Int = 1, tokenURL: String? = nil
    ) throws -> DeliveryFixture {
        let fixture = try DeliveryFixture(smtp: .init(url: smtp.url()), roster: roster, programme: programme)
        try configure(
            fixture, smtp, tokens, secret: secret, rate: rate, connections: connections, tokenURL: tokenURL)
        return fixture
    }

    /// (Re)writes the fixture's rules file for `smtp` and `tokens`, keeping its state.
    static func configure(
        _ fixture: DeliveryFixture, _ smtp: TestSMTPServer, _ tokens: TestTokenServer, secret: String? = nil,
        rate: String? = nil, connections: Int = 1, tokenURL: String? = nil
    ) throws {
        let ca = try TestCertificates.get().caFile
        try fixture.write(
            smtp: .init(url: smtp.url(), tls: "starttls", caFile: ca, username: mailbox, connections: connections))
        try ((secret ?? tokens.options.clientSecret) + "\n").write(
            to: fixture.directory.appendingPathComponent("oauth-client-secret"), atomically: true, encoding: .utf8)
        var rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        let oauth = """
              helo: convene.test
              auth: xoauth2
              oauth2:
                token_url: \(tokenURL ?? tokens.url)
                client_id: \(tokens.options.clientID)
                client_secret_file: oauth-client-secret
                scope: \(tokens.options.scope)
                ca_file: \(ca)
                timeout: 5s

            """
        rules = rules.replacingOccurrences(of: "  helo: convene.test\n", with: oauth)
        if let rate {
            rules = rules.replacingOccurrences(
                of: "  templates: templates\n", with: "  templates: templates\n  rate: \(rate)\n")
        }
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
    }

    /// Every AUTH the SMTP server saw: mechanism, ok, reason, seconds the token had left.
    static func authAttempts(_ smtp: TestSMTPServer) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: smtp.outdir.appendingPathComponent("auth.jsonl").path)
        else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }

    /// Everything convene wrote that a person or a log collector could read: the outputs given, and every file in
    /// the state folder (journal, history, approvals).
    static func everything(_ fixture: DeliveryFixture, _ results: [ConveneBinary.Result]) -> String {
        var text = results.map { $0.stdout + "\n" + $0.stderr }.joined(separator: "\n")
        let state = URL(fileURLWithPath: fixture.statePath)
        if let files = FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil) {
            for case let file as URL in files {
                if let data = FileManager.default.contents(atPath: file.path) {
                    text += "\n" + String(decoding: data, as: UTF8.self)
                }
            }
        }
        return text
    }

    /// Fails for each secret found in `text`, naming it by role only.
    static func expectNoSecrets(in text: String, secret: String, tokens: [String]) {
        #expect(!text.isEmpty)
        #expect(!text.contains(secret), "the client secret was written out")
        #expect(!text.contains(TestTokenServer.Options().clientSecret), "the client secret was written out")
        for (index, token) in tokens.enumerated() {
            #expect(!text.contains(token), "access token #\(index + 1) was written out")
        }
    }

    @Test func aRunAcrossSeveralTokenLifetimesSendsEverythingRefreshingOnTimeWithoutAnExpiredToken() async throws {
        // 6 s tokens (a 1.5 s margin: each is used for 4.5 s); 56 invitations at 8 a second over two connections
        // take about 7 s, so a second token is needed, and the first must be replaced before it runs out. (The rate
        // lets 8 start at once, then the next 8 a second later: the margin is longer than those gaps.)
        let tokens = try await TestTokenServer(.init(lifetime: 6))
        let smtp = try await Self.smtpServer(tokens)
        let fixture = try Self.fixture(
            smtp, tokens, roster: DeliveryFixture.roster(of: 56), programme: DeliveryFixture.singleInvitation,
            rate: "8/second", connections: 2)
        let started = Date()
        let result = try await fixture.convene("run", ["--once", "--now", "2027-02-11 09:00"], seconds: 120)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result)\n\(smtp.log())\n\(tokens.log())")
        let messages = try smtp.messages()
        #expect(messages.count == 56, "\(result)")
        #expect(messages.allSatisfy { $0.tls && $0.auth })
        let issued = tokens.tokens()
        #expect(issued.count >= 2, "tokens issued: \(issued.count) in \(elapsed) s")
        // One token per 4.5 s of sending, not one per message or per connection: at most one more than the run's
        // length allows (the first), plus one for rounding.
        #expect(issued.count <= Int(elapsed / 4.5) + 2, "tokens issued: \(issued.count) in \(elapsed) s")
        // Refreshed ahead of time: with messages starting at least once a second, a token is replaced within a
        // second of entering its 1.5 s margin, so the next is issued with 0.5 s or more of the old one left (a token
        // used to its end would be replaced only a request's round trip before expiry).
        let lifetimes = tokens.lifetimes()
        for (old, new) in zip(lifetimes, lifetimes.dropFirst()) {
            #expect(old.expires - new.issued > 0.4, "a token was replaced \(old.expires - new.issued) s before expiry")
        }
        let attempts = Self.authAttempts(smtp)
        #expect(!attempts.isEmpty)
        #expect(attempts.allSatisfy { $0["mechanism"] as? String == "XOAUTH2" }, "OAUTHBEARER was tried: \(attempts)")
        #expect(attempts.allSatisfy { $0["ok"] as? Bool == true }, "a refused AUTH: \(attempts)")
        // Each token was presented with more than its margin left, less the time from asking the cache to AUTH on
        // a new connection: never near expiry.
        let least = attempts.compactMap { $0["seconds_left"] as? Double }.min() ?? 0
        #expect(least > 1, "a token was presented with \(least) s left")
        // A new token means a new connection (libcurl authenticates a connection once).
        #expect(Set(messages.map(\.session)).count >= issued.count, "sessions vs tokens")
        #expect(try fixture.journal().filter { $0.type == .sent }.count == 56)
        Self.expectNoSecrets(
            in: Self.everything(fixture, [result]), secret: tokens.options.clientSecret, tokens: issued)
    }

    @Test func aWrongSecretExits77WithTheEndpointsWordsAndSendsNothing() async throws {
        let tokens = try await TestTokenServer()
        let smtp = try await Self.smtpServer(tokens)
        let wrong = "Wr0ng~secret.value"
        let fixture = try Self.fixture(smtp, tokens, secret: wrong)
        let run = try await fixture.run(from: "2027-02-01 00:00", until: "2027-04-01 00:00")
        #expect(run.status == 77, "\(run)")
        #expect(run.stderr.contains("invalid_client"), "\(run)")
        #expect(run.stderr.contains("AADSTS7000215: Invalid client secret provided."), "\(run)")
        #expect(!run.stderr.contains("\r"), "the endpoint's CR LF reached the output")
        #expect(try smtp.messages().isEmpty)
        #expect(Self.authAttempts(smtp).isEmpty, "nothing may reach the SMTP server without a token")
        #expect(try fixture.journal().allSatisfy { $0.type != .sent })

        let test = try await fixture.convene("send-test", ["--to", "ada@example.test"])
        #expect(test.status == 77, "\(test)")
        #expect(test.stderr.contains("AADSTS7000215: Invalid client secret provided."), "\(test)")
        #expect(try smtp.messages().isEmpty)
        #expect(tokens.requests().count == 2 && tokens.tokens().isEmpty)
        for text in [Self.everything(fixture, [run, test])] {
            #expect(!text.contains(wrong), "the client secret was written out")
        }
    }

    @Test func anEndpointThatIsDownPausesARunWith75AndSendTestWith69() async throws {
        let tokens = try await TestTokenServer(.init(status: 503))
        let smtp = try await Self.smtpServer(tokens)
        let fixture = try Self.fixture(smtp, tokens)
        let run = try await fixture.convene("run", ["--once", "--now", "2027-02-11 09:00"])
        #expect(run.status == 75, "\(run)")
        #expect(run.stderr.contains("HTTP 503"), "\(run)")
        #expect(try smtp.messages().isEmpty)
        let journal = try fixture.journal()
        #expect(journal.allSatisfy { $0.type != .sent })
        #expect(journal.contains { $0.type == .failed && $0.permanent == false }, "the attempt is closed, to retry")

        let failed = journal.filter { $0.type == .failed }
        #expect(failed.count == 1, "stopped at the first attempt, as for an unreachable SMTP server")
        #expect(failed.allSatisfy { $0.connection == true && $0.code == nil && $0.permanent == false })

        let test = try await fixture.convene("send-test", ["--to", "ada@example.test"])
        #expect(test.status == 69, "\(test)")
        #expect(test.stderr.contains("HTTP 503"), "\(test)")

        // The endpoint is back (a new one, and a server that knows its tokens): the next pass sends what waited.
        let healthy = try await TestTokenServer()
        let working = try await Self.smtpServer(healthy)
        try Self.configure(fixture, working, healthy)
        let retry = try await fixture.convene("run", ["--once", "--now", "2027-02-11 09:05"])
        #expect(retry.status == 0, "\(retry)")
        #expect(try working.messages().count == 4, "\(retry)")

        let nowhere = "https://127.0.0.1:\(try TestEnvironment.freePort())/token"
        let closed = try Self.fixture(smtp, tokens, tokenURL: nowhere)
        let unreachable = try await closed.convene("send-test", ["--to", "ada@example.test"])
        #expect(unreachable.status == 69, "\(unreachable)")
        #expect(unreachable.stderr.contains("cannot reach the token endpoint"), "\(unreachable)")
        #expect(try smtp.messages().isEmpty)
    }

    @Test func aSecretWrittenInTheRulesFileIsRefusedWith78AndNotRepeated() async throws {
        let tokens = try await TestTokenServer()
        let smtp = try await Self.smtpServer(tokens)
        let fixture = try Self.fixture(smtp, tokens)
        var rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        rules = rules.replacingOccurrences(
            of: "    client_secret_file: oauth-client-secret\n", with: "    client_secret: literal-hunter2\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let line = rules.components(separatedBy: "\n").firstIndex { $0.contains("client_secret:") }.map { $0 + 1 }
        for command in ["validate", "run"] {
            let result = try await fixture.convene(command, command == "run" ? ["--once"] : [])
            #expect(result.status == 78, "\(result)")
            #expect(
                result.stderr.contains(
                    "convene.yaml:\(line ?? 0):5: error: a client secret in the rules file is refused"), "\(result)")
            #expect(result.stderr.contains("'client_secret_credential: NAME'"), "\(result)")
            #expect(!(result.stdout + result.stderr).contains("literal-hunter2"), "the secret was repeated")
        }
        #expect(tokens.requests().isEmpty)
        #expect(try smtp.messages().isEmpty)
    }

    @Test func sendTestShowsEachStepAndNoOutputCarriesASecretOrToken() async throws {
        let tokens = try await TestTokenServer(.init(lifetime: 120))
        let smtp = try await Self.smtpServer(tokens)
        let fixture = try Self.fixture(smtp, tokens)
        let test = try await fixture.convene("send-test", ["--to", "ada@example.test"])
        #expect(test.status == 0, "\(test)\n\(smtp.log())")
        let lines = test.stdout.components(separatedBy: "\n")
        #expect(lines.first?.hasPrefix("token: obtained from 127.0.0.1, expires in 11") == true, "\(test)")
        #expect(lines.contains { $0.hasPrefix("EHLO convene.test: 250") }, "\(test)")
        #expect(lines.contains { $0.hasPrefix("STARTTLS: 220") }, "\(test)")
        #expect(lines.contains("AUTH XOAUTH2 accepted: 235 2.7.0 Authentication successful"), "\(test)")
        #expect(lines.last?.hasPrefix("accepted by \(smtp.url()): 250") == true, "\(test)")
        #expect(try smtp.messages().count == 1)

        let validate = try await fixture.convene("validate", ["--print"])
        #expect(validate.status == 0, "\(validate)")
        #expect(validate.stdout.contains("\"auth\" : \"xoauth2\""), "\(validate)")
        #expect(validate.stdout.contains("\"client_secret_file\" : \"oauth-client-secret\""), "\(validate)")
        let run = try await fixture.run(from: "2027-02-01 00:00", until: "2027-04-01 00:00")
        #expect(run.status == 0, "\(run)")
        let issued = tokens.tokens()
        #expect(issued.count == 2, "one token for send-test, one for the run")
        Self.expectNoSecrets(
            in: Self.everything(fixture, [test, validate, run]), secret: tokens.options.clientSecret, tokens: issued)
    }
}
