import ConveneCore
import Foundation

/// The real transport: one reused libcurl SMTP connection. Failures of the whole transport (credentials or TLS
/// refused, a bad certificate) stop sending; anything about one message comes back in its report.
public final class SMTPTransport: MailTransport, @unchecked Sendable {
    // @unchecked: the connection is a libcurl handle, which must never be used by two threads at once. The dispatcher
    // gives each transport to exactly one lane per batch and waits for that lane to finish before the next batch, so
    // the handle moves between threads but is never shared.
    private var connection: SMTPConnection
    private let pollsForReplies: Bool
    /// Where `auth: xoauth2` gets its tokens; nil for the other ways of logging in.
    public let tokens: TokenCache?

    /// `pollsForReplies`: see `SMTPConnection.init`; `pollsForReplies(connections:)` says when it pays. With `auth:
    /// xoauth2`, `tokens` is the cache the process's connections share (one token for all of them); nil makes one
    /// for this transport alone.
    public init(settings: SMTPSettings, pollsForReplies: Bool = false, tokens: TokenCache? = nil)
        throws(TransportFailure)
    {
        self.pollsForReplies = pollsForReplies
        do {
            connection = try SMTPConnection(settings: settings, pollsForReplies: pollsForReplies)
        } catch {
            throw TransportFailure(kind: .unavailable, message: error.description)
        }
        if settings.auth == .xoauth2 {
            guard let oauth2 = settings.oauth2 else {
                throw TransportFailure(kind: .unavailable, message: "auth: xoauth2 needs the smtp.oauth2 settings")
            }
            self.tokens = tokens ?? TokenCache(settings: oauth2)
        } else {
            self.tokens = nil
        }
    }

    /// The dialogue of the most recent message (commands and replies; SASL responses and tokens are never kept).
    public var lastTranscript: SMTPTranscript { connection.lastTranscript }

    /// Whether `connections` lanes should poll for replies: only while they leave a CPU free. Polling keeps a
    /// lane's CPU from halting between a command and its reply; with a lane per CPU or more, the CPUs are busy
    /// anyway and a polling lane would take time from the others (and from a relay on the same machine).
    public static func pollsForReplies(connections: Int, processors: Int = ProcessInfo.processInfo.activeProcessorCount)
        -> Bool
    {
        connections < processors
    }

    /// Sends over the reused connection; throws only for failures of the whole transport, mapped to exit codes.
    public func send(_ mail: OutgoingMail, beforeCompletion: () -> Bool) throws(TransportFailure) -> DeliveryReport {
        if let tokens { try presentCurrentToken(from: tokens) }
        let report = withoutActuallyEscaping(beforeCompletion) { connection.send(mail, beforeEndOfData: $0) }
        switch report.error {
        case .authRefused(let reply)? where tokens != nil:
            throw TransportFailure(
                kind: .authenticationRefused,
                message: "the SMTP server refused the OAuth token for "
                    + "\(connection.settings.username ?? "the mailbox"): \(reply) "
                    + "(check the application's SMTP.SendAsApp permission and its access to the mailbox)",
                code: report.results.first?.code)
        case .authRefused(let reply)?:
            throw TransportFailure(
                kind: .authenticationRefused, message: "the SMTP server refused the credentials: \(reply)")
        case .tlsRequiredButUnavailable(let why)?, .certificateRejected(let why)?, .invalidSettings(let why)?:
            throw TransportFailure(kind: .unavailable, message: why)
        case .relayLimit(let limit, let code, _)? where !report.results.contains(where: { $0.outcome == .delivered }):
            // The relay's quota or throttling, not the message: the attempt is closed as a refusal of service (it
            // counts towards no back-off, nobody is marked failed) and all sending pauses for the limit's time. A
            // blocked mailbox is 69 for `run --once`: an operator must look; the others clear by themselves (75).
            let kind: TransportFailure.Kind = limit == .mailboxBlocked ? .unavailable : .temporary
            throw TransportFailure(kind: kind, message: report.error!.description, code: code, relayLimit: limit)
        case .serverUnavailable(let code, _)?:
            // Refused or unreachable before the message: stop and pause, don't fail each due message. A 5xx refusal
            // is `unavailable` (69), a 4xx or none `temporary` (75): SMTPError.serverUnavailable says why.
            let kind: TransportFailure.Kind = (code ?? 0) / 100 == 5 ? .unavailable : .temporary
            throw TransportFailure(kind: kind, message: report.error!.description, code: code)
        default:
            return report
        }
    }

    /// Makes sure the connection presents a token with more than its refresh margin left before a message starts.
    ///
    /// A new token needs a new connection: libcurl authenticates a connection once, when it opens, and reuses it for
    /// later messages without AUTH. libcurl 7.88 (since 7.83, CVE-2022-22576) does compare the bearer before reusing
    /// a connection and would open another, but it leaves the old one idle in its cache until the cache is full or
    /// the server drops it, and Exchange Online allows a mailbox 3 connections. So the connection is replaced: the
    /// old one says QUIT and closes before the new one connects (at its first send) and authenticates with the new
    /// token. A token failure surfaces as the transport failures the dispatcher already handles: refused (400/401)
    /// as refused credentials (77, sending stops), unreachable or 5xx as an outage (75; the daemon pauses and
    /// retries).
    private func presentCurrentToken(from tokens: TokenCache) throws(TransportFailure) {
        let token: OAuthToken
        do {
            token = try tokens.token()
        } catch {
            throw Self.failure(error)
        }
        guard token.accessToken != connection.settings.bearerToken else { return }
        var settings = connection.settings
        settings.bearerToken = token.accessToken
        do {
            connection = try SMTPConnection(settings: settings, pollsForReplies: pollsForReplies)
        } catch {
            throw TransportFailure(kind: .unavailable, message: error.description)
        }
    }

    /// The transport failure a token failure stops sending with: refused → `authenticationRefused` (77), anything
    /// else → `temporary` with no SMTP code (75 in a run; the daemon pauses as for an unreachable server).
    public static func failure(_ error: OAuthTokenFailure) -> TransportFailure {
        switch error {
        case .refused: return TransportFailure(kind: .authenticationRefused, message: error.description)
        case .unavailable: return TransportFailure(kind: .temporary, message: error.description)
        }
    }

    /// Settings from the rules file, with the password read from the systemd credential or the password file.
    public static func settings(for workspace: Workspace, environment: [String: String]) throws(TransportFailure)
        -> SMTPSettings
    {
        let smtp = workspace.config.smtp
        var password: String?
        if smtp.auth == .password {
            if let name = smtp.passwordCredential {
                password = try readCredential(
                    name, key: "smtp.password_credential", alternative: "password_file", environment)
            } else if let file = smtp.passwordFile {
                password = try readSecret(workspace.resolve(file))
            }
        }
        var oauth2: OAuthSettings?
        if smtp.auth == .xoauth2, let o = smtp.oauth2 {
            let secret: String
            if let name = o.clientSecretCredential {
                secret = try readCredential(
                    name, key: "smtp.oauth2.client_secret_credential", alternative: "client_secret_file", environment,
                    what: "the OAuth client secret")
            } else if let file = o.clientSecretFile {
                secret = try readSecret(workspace.resolve(file), what: "the OAuth client secret")
            } else {
                throw TransportFailure(kind: .unavailable, message: "smtp.oauth2 names no client secret")
            }
            oauth2 = OAuthSettings(
                tokenURL: o.tokenURL, clientID: o.clientID, clientSecret: secret, scope: o.scope,
                caFile: o.caFile.map(workspace.resolve), connectTimeout: Double(smtp.connectTimeout),
                timeout: Double(o.timeout))
        }
        return SMTPSettings(
            url: smtp.url, tls: smtp.tls, username: smtp.auth == .none ? nil : smtp.username, password: password,
            helo: smtp.helo ?? workspace.config.service.domain, caFile: smtp.caFile.map(workspace.resolve),
            connectTimeout: Double(smtp.connectTimeout), responseTimeout: Double(smtp.responseTimeout),
            auth: smtp.auth, oauth2: oauth2)
    }

    /// The systemd credential `name` (`$CREDENTIALS_DIRECTORY/name`), set by `key` in the rules file.
    static func readCredential(
        _ name: String, key: String, alternative: String, _ environment: [String: String],
        what: String = "the SMTP password"
    ) throws(TransportFailure) -> String {
        guard let directory = environment["CREDENTIALS_DIRECTORY"] else {
            throw TransportFailure(
                kind: .unavailable,
                message:
                    "\(key) '\(name)' is set but $CREDENTIALS_DIRECTORY is not: run under systemd with LoadCredential=\(name):/etc/convene/\(name), or use \(alternative)"
            )
        }
        return try readSecret(directory + "/" + name, what: what)
    }

    /// The secret without its final newline (as `echo` leaves it). Its content is never logged.
    static func readSecret(_ path: String, what: String = "the SMTP password") throws(TransportFailure) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TransportFailure(kind: .unavailable, message: "cannot read \(what) from \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
