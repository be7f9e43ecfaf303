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
            and prints the server's reply. Exit 0 when accepted, 77 when the credentials are refused,
            69 when the server cannot be used (its name does not resolve, the connection is refused or
            times out, it never answers within smtp.connect_timeout/response_timeout, TLS or the
            certificate fails, or it refuses the message permanently), 75 when it answers with a
            temporary refusal (4xx) or the connection drops after the message was sent.
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
        let mail = OutgoingMail(envelopeFrom: service.from.address, recipients: [to], bytes: MIMEWriter.render(message), messageID: id)
        do {
            let settings = try SMTPTransport.settings(for: workspace, environment: ProcessInfo.processInfo.environment)
            let transport = try SMTPTransport(settings: settings)
            let report = try transport.send(mail)
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
            throw CommandError(exitCode: .unavailable, message: "cannot reach \(workspace.config.smtp.url): \(error.message)")
        } catch let error as TransportFailure {
            throw CommandError(exitCode: ExitCode(error), message: error.message)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(exitCode: .unavailable, message: "\(error)")
        }
    }
}
