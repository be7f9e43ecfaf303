import ConveneCore
import Foundation

/// The real transport: one reused libcurl SMTP connection. Failures of the whole transport (credentials or TLS
/// refused, a bad certificate) stop sending; anything about one message comes back in its report.
public final class SMTPTransport: MailTransport, @unchecked Sendable {
    // @unchecked: the connection is a libcurl handle, which must never be used by two threads at once. The dispatcher
    // gives each transport to exactly one lane per batch and waits for that lane to finish before the next batch, so
    // the handle moves between threads but is never shared.
    private let connection: SMTPConnection

    /// `pollsForReplies`: see `SMTPConnection.init`; `pollsForReplies(connections:)` says when it pays.
    public init(settings: SMTPSettings, pollsForReplies: Bool = false) throws(TransportFailure) {
        do {
            connection = try SMTPConnection(settings: settings, pollsForReplies: pollsForReplies)
        } catch {
            throw TransportFailure(kind: .unavailable, message: error.description)
        }
    }

    /// Whether `connections` lanes should poll for replies: only while they leave a CPU free. Polling keeps a
    /// lane's CPU from halting between a command and its reply; with a lane per CPU or more, the CPUs are busy
    /// anyway and a polling lane would take time from the others (and from a relay on the same machine).
    public static func pollsForReplies(connections: Int, processors: Int = ProcessInfo.processInfo.activeProcessorCount) -> Bool {
        connections < processors
    }

    /// Sends over the reused connection; throws only for failures of the whole transport, mapped to exit codes.
    public func send(_ mail: OutgoingMail, beforeCompletion: () -> Bool) throws(TransportFailure) -> DeliveryReport {
        let report = withoutActuallyEscaping(beforeCompletion) { connection.send(mail, beforeEndOfData: $0) }
        switch report.error {
        case .authRefused(let reply)?:
            throw TransportFailure(kind: .authenticationRefused, message: "the SMTP server refused the credentials: \(reply)")
        case .tlsRequiredButUnavailable(let why)?, .certificateRejected(let why)?, .invalidSettings(let why)?:
            throw TransportFailure(kind: .unavailable, message: why)
        case .serverUnavailable(let code, _)?:
            // Refused or unreachable before the message: stop and pause, don't fail each due message. A 5xx refusal
            // is `unavailable` (69), a 4xx or none `temporary` (75): SMTPError.serverUnavailable says why.
            let kind: TransportFailure.Kind = (code ?? 0) / 100 == 5 ? .unavailable : .temporary
            throw TransportFailure(kind: kind, message: report.error!.description, code: code)
        default:
            return report
        }
    }

    /// Settings from the rules file, with the password read from the systemd credential or the password file.
    public static func settings(for workspace: Workspace, environment: [String: String]) throws(TransportFailure) -> SMTPSettings {
        let smtp = workspace.config.smtp
        var password: String?
        if let name = smtp.passwordCredential {
            guard let directory = environment["CREDENTIALS_DIRECTORY"] else {
                throw TransportFailure(
                    kind: .unavailable,
                    message: "smtp.password_credential '\(name)' is set but $CREDENTIALS_DIRECTORY is not: run under systemd with LoadCredential=\(name):/etc/convene/\(name), or use password_file")
            }
            password = try readSecret(directory + "/" + name)
        } else if let file = smtp.passwordFile {
            password = try readSecret(workspace.resolve(file))
        }
        return SMTPSettings(
            url: smtp.url, tls: smtp.tls, username: smtp.username, password: password,
            helo: smtp.helo ?? workspace.config.service.domain, caFile: smtp.caFile.map(workspace.resolve),
            connectTimeout: Double(smtp.connectTimeout), responseTimeout: Double(smtp.responseTimeout))
    }

    /// The secret without its final newline (as `echo` leaves it). Its content is never logged.
    static func readSecret(_ path: String) throws(TransportFailure) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TransportFailure(kind: .unavailable, message: "cannot read the SMTP password from \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
