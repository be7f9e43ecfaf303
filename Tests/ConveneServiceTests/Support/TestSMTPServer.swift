import ConveneTesting
import Foundation

/// A running smtp_server.py (aiosmtpd): STARTTLS and AUTH like a real submission server, per-recipient
/// replies, and a record of every message it accepted. Stopped when the value goes away.
final class TestSMTPServer {
    /// One accepted message as smtp_server.py recorded it.
    struct Message: Decodable, Sendable {
        var file: String
        /// The envelope sender (`mail_from` in the server's record).
        var mailFrom: String
        /// The envelope recipients (`rcpt_tos`).
        var rcptTos: [String]
        /// The connection that carried it (numbered by the server from 1).
        var session: Int
        var helo: String?
        var tls: Bool
        var auth: Bool

        enum CodingKeys: String, CodingKey {
            case file, session, helo, tls, auth
            case mailFrom = "mail_from"
            case rcptTos = "rcpt_tos"
        }
    }

    /// How the server presents itself.
    struct Options: Sendable {
        /// Offer STARTTLS (required) with the test certificate; false: plain text only.
        var starttls = true
        /// TLS from the first byte (smtps) instead of STARTTLS.
        var implicitTLS = false
        var user: String? = nil
        var password: String? = nil
        /// `addr=451:once`, `addr=550`…
        var rcptRules: [String] = []
        /// Seconds before the server closes an idle connection.
        var idleTimeout: Double? = nil
        /// Greet with this code (421, 554) instead of 220, then hang up.
        var greeting: Int? = nil
        /// Read the message and its final dot, then never answer (QUIT included).
        var hangAfterData = false
        /// Answer every final dot with this reply (`554 5.2.0 …`) instead of accepting the message.
        var dataReply: String? = nil
        /// Offer only AUTH XOAUTH2 (and a failing OAUTHBEARER), accepting for `user` the unexpired tokens listed in
        /// this tokens.jsonl of token_server.py.
        var xoauth2Tokens: String? = nil
    }

    let port: Int
    let outdir: URL
    private let process: ChildProcess
    private let logFile: URL

    init(_ options: Options = Options()) async throws {
        let python = try TestEnvironment.python()
        outdir = try TestEnvironment.temporaryDirectory("aiosmtpd")
        logFile = outdir.appendingPathComponent("server.log")
        var arguments = [python, TestEnvironment.smtpServerScript, "--port", "0", "--outdir", outdir.path]
        if options.starttls || options.implicitTLS {
            let certificates = try TestCertificates.get()
            arguments += ["--cert", certificates.certificateFile, "--key", certificates.keyFile]
        }
        if !options.starttls { arguments.append("--no-starttls") }
        if options.implicitTLS { arguments.append("--implicit-tls") }
        if let user = options.user { arguments += ["--user", user, "--password", options.password ?? ""] }
        for rule in options.rcptRules { arguments += ["--rcpt-rule", rule] }
        if let idle = options.idleTimeout { arguments += ["--idle-timeout", String(idle)] }
        if let greeting = options.greeting { arguments += ["--greeting", String(greeting)] }
        if options.hangAfterData { arguments.append("--hang-after-data") }
        if let reply = options.dataReply { arguments += ["--data-reply", reply] }
        if let tokens = options.xoauth2Tokens { arguments += ["--xoauth2-tokens", tokens] }
        process = try TestEnvironment.launch(arguments, captureStdout: true, stderrFile: logFile)
        // The first stdout line is "PORT n" once the server listens.
        let text = try await process.nextLine() ?? ""
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            await process.stop()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw TestSetupError("smtp_server.py did not start (stdout \(text.debugDescription)):\n\(log)")
        }
        self.port = port
    }

    deinit {
        process.stopBlocking()
        try? FileManager.default.removeItem(at: outdir)
    }

    /// The URL to reach it: smtp:// (STARTTLS or plain) or smtps:// (implicit TLS).
    func url(host: String = "127.0.0.1") -> String {
        "smtp://\(host):\(port)"
    }

    /// Every message accepted so far, in order.
    func messages() throws -> [Message] {
        let log = outdir.appendingPathComponent("messages.jsonl")
        guard let data = FileManager.default.contents(atPath: log.path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(Message.self, from: Data($0))
        }
    }

    /// The bytes of an accepted message exactly as the server received them (dot-unstuffed).
    func bytes(of message: Message) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: outdir.appendingPathComponent(message.file).path) ?? Data())
    }

    /// The server's own log (stderr), for failure messages.
    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }
}
