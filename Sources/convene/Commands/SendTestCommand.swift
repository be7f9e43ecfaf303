import ConveneCore
import ConveneService
import Foundation

/// `convene send-test --to EMAIL`: one real message through the configured SMTP, to check credentials and TLS.
enum SendTestCommand {
    static let subcommand = Subcommand(
        name: "send-test", abstract: "send one test message through the configured SMTP server",
        usage: """
            Usage: convene send-test --to EMAIL [--config PATH]

            Sends one short message through the SMTP server in the rules file (TLS, credentials and all)
            and prints each step (with auth: xoauth2 the token first: 'token: obtained from HOST, expires
            in N s'; then the greeting, EHLO, STARTTLS and AUTH replies) and the server's verdict.
            Exit 0 when accepted, 77 when the credentials are refused (the password, or the OAuth client
            credentials by the token endpoint, or the token by the server),
            69 when the server cannot be used (its name does not resolve, the connection is refused or
            times out, it never answers within smtp.connect_timeout/response_timeout, TLS or the
            certificate fails, it refuses the message permanently, or the OAuth token endpoint cannot be
            reached or fails), 75 when it answers with a temporary refusal (4xx) or the connection drops
            after the message was sent.
            The journal is not touched.

            \(CommonOptions.help)
            """, run: run)

    static func run(_ arguments: inout Arguments) throws(CommandError) -> ExitCode {
        let options = try CommonOptions(&arguments)
        guard let to = try arguments.option("to") else { throw .usage("--to EMAIL is required") }
        try arguments.finish()
        if let problem = EmailAddress.problem(with: to) { throw .usage("bad address '\(to)': it \(problem)") }
        let workspace = try options.loadWorkspace()
        let service = workspace.config.service
        let now = Date()
        let id = "send-test.\(Int(now.timeIntervalSince1970)).\(getpid())@\(service.domain)"
        let message = MailMessage(
            from: service.from, to: [Mailbox(name: "", address: to)], cc: [], replyTo: nil,
            subject: "convene test message", date: now, messageID: id,
            plain: "This is a test message from convene, sent to check the SMTP settings.\n",
            html: "<p>This is a test message from convene, sent to check the SMTP settings.</p>", calendar: nil)
        let mail = OutgoingMail(
            envelopeFrom: service.from.address, recipients: [to], bytes: MIMEWriter.render(message), messageID: id)
        do {
            let settings = try SMTPTransport.settings(for: workspace, environment: ProcessInfo.processInfo.environment)
            let tokens = try settings.oauth2.map { oauth2 throws(CommandError) in try obtainToken(oauth2) }
            let transport = try SMTPTransport(settings: settings, tokens: tokens)
            let report: DeliveryReport
            do {
                report = try transport.send(mail)
            } catch {
                printSteps(of: transport.lastTranscript, settings)
                throw error
            }
            printSteps(of: transport.lastTranscript, settings)
            let result = report.results.first
            let reply = result?.reply.isEmpty == false ? result!.reply : (report.transportError ?? "no reply")
            switch result?.outcome {
            case .delivered?:
                Output.line("accepted by \(workspace.config.smtp.url): \(reply)")
                return .ok
            case .permanent?:
                throw CommandError(exitCode: .unavailable, message: "refused permanently: \(reply)")
            case .temporary? where result?.code == nil:
                // No SMTP reply decided it: the name did not resolve, the connection was refused, or the server never
                // answered in time. Nothing to retry soon: the settings or the server need looking at.
                throw CommandError(
                    exitCode: .unavailable, message: "cannot reach \(workspace.config.smtp.url): \(reply)")
            default:
                throw CommandError(exitCode: .temporaryFailure, message: "not accepted (temporary): \(reply)")
            }
        } catch let error as TransportFailure where error.kind == .temporary && error.code == nil {
            // No server answered at all (the name did not resolve, the connection was refused or never greeted):
            // the settings or the server need looking at, not a retry in a minute.
            throw CommandError(
                exitCode: .unavailable, message: "cannot reach \(workspace.config.smtp.url): \(error.message)")
        } catch let error as TransportFailure {
            throw CommandError(exitCode: ExitCode(error), message: error.message)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(exitCode: .unavailable, message: "\(error)")
        }
    }

    /// Gets the first token (the transport then finds it in the cache) and says so; a refusal is 77 with the
    /// endpoint's words, no answer 69. The token itself is never printed.
    static func obtainToken(_ settings: OAuthSettings) throws(CommandError) -> TokenCache {
        let tokens = TokenCache(settings: settings)
        do {
            let token = try tokens.token()
            let left = Int(token.expiresAt.timeIntervalSinceNow.rounded(.down))
            Output.line("token: obtained from \(settings.host), expires in \(left) s")
        } catch {
            switch error {
            case .refused: throw CommandError(exitCode: .noPermission, message: error.description)
            case .unavailable: throw CommandError(exitCode: .unavailable, message: error.description)
            }
        }
        return tokens
    }

    /// One line per step of the dialogue before the message: the greeting, EHLO, STARTTLS and AUTH with the
    /// server's reply (its first line). SASL responses are not in the transcript, so no credential can be printed.
    static func printSteps(of transcript: SMTPTranscript, _ settings: SMTPSettings) {
        let mechanism = settings.auth == .xoauth2 ? "AUTH XOAUTH2" : "AUTH"
        // The first line of a multi-line reply (`250-mx.example`) reads as the reply it begins.
        func first(_ reply: SMTPTranscript.Reply?) -> String {
            guard let line = reply?.lines.first else { return "no reply" }
            let bytes = Array(line.utf8)
            return bytes.count > 3 && bytes[3] == UInt8(ascii: "-") ? "\(line.prefix(3)) \(line.dropFirst(4))" : line
        }
        var index = 0
        let exchanges = transcript.exchanges
        while index < exchanges.count {
            let exchange = exchanges[index]
            let reply = first(exchange.reply)
            switch exchange.command {
            case .connect: Output.line("connected: \(reply)")
            case .ehlo: Output.line("EHLO \(settings.helo): \(reply)")
            case .helo: Output.line("HELO \(settings.helo): \(reply)")
            case .starttls: Output.line("STARTTLS: \(reply)")
            case .auth:
                // The verdict is the reply to the last line of the SASL exchange (after any 334 challenges).
                var last = exchange
                while index + 1 < exchanges.count, exchanges[index + 1].command == .authContinuation {
                    index += 1
                    last = exchanges[index]
                }
                let verdict = first(last.reply)
                let accepted = last.reply?.code == 235
                Output.line("\(mechanism) \(accepted ? "accepted" : "refused"): \(verdict)")
            default: break
            }
            index += 1
        }
    }
}
