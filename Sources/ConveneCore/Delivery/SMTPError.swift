/// A problem with the SMTP transport as configured, not with one message.
///
/// `SMTPConnection.init` throws `invalidSettings` (and `unavailable` when libcurl cannot start);
/// `SMTPConnection.send` never throws but puts the others in `DeliveryReport.error`, with every
/// recipient `temporary` (nothing was delivered; the message can go once the cause is fixed).
/// The executable maps them to sysexits in its one exit-code file: `invalidSettings` → 78,
/// `authRefused` → 77, `tlsRequiredButUnavailable`, `certificateRejected`, `unavailable` → 69,
/// `serverUnavailable` → 69 for a 5xx refusal, 75 for a 4xx one or none (see its doc),
/// `invalidAddress` → 65 (a bad envelope sender; a bad recipient fails only itself, without an error).
public enum SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The SMTP settings cannot work (bad URL, plain text to a remote host, bad EHLO name).
    case invalidSettings(String)
    /// An envelope address that must not reach the server (control characters, spaces, `<>`…).
    case invalidAddress(address: String, reason: String)
    /// The server refused the username/password (libcurl error 67, or 530 "authentication required").
    case authRefused(reply: String)
    /// TLS was required but the server does not offer STARTTLS (libcurl error 64).
    case tlsRequiredButUnavailable(String)
    /// The server's certificate could not be verified, or the CA file could not be used.
    case certificateRejected(String)
    /// libcurl could not be set up.
    case unavailable(String)
    /// The server did not offer service on this connection, before anything about a message was sent: it greeted
    /// (or answered EHLO/HELO) with a 4xx or 5xx reply, or it could not be reached at all (no greeting: the name did
    /// not resolve, the connection was refused, timed out or dropped). Not the message's fault: sending pauses and
    /// the connection is tried again later. The reply class sets the exit status of `run --once`: a 4xx (`421
    /// Service not available, closing transmission channel`, RFC 5321 §4.2.3) or no reply is temporary (75,
    /// EX_TEMPFAIL); a 5xx (`554 No SMTP service here`, §3.1) says the server refuses service as it stands (69,
    /// EX_UNAVAILABLE), which an operator should look at, though the daemon still retries it after a pause.
    case serverUnavailable(code: Int?, reply: String)
    /// The relay answered with its own limit (`RelayLimit`: a quota, throttling, a blocked mailbox) rather than
    /// anything about the message or the recipient: every recipient not delivered stays `temporary`, and sending
    /// pauses (or, for a blocked mailbox, stops until an operator reloads). `run --once` exits 75, or 69 for a
    /// blocked mailbox.
    case relayLimit(RelayLimit, code: Int, reply: String)

    /// One line for logs and `send-test`: what failed, the server's or libcurl's words, and what to check.
    public var description: String {
        switch self {
        case .invalidSettings(let why):
            return "invalid SMTP settings: \(why)"
        case .invalidAddress(let address, let reason):
            return "invalid envelope address \(address.debugDescription): \(reason)"
        case .authRefused(let reply):
            return "the SMTP server refused the credentials: \(reply) (check smtp.username and the password)"
        case .tlsRequiredButUnavailable(let why):
            return "TLS is required but the SMTP server does not offer it: \(why)"
        case .certificateRejected(let why):
            return "the SMTP server's certificate was not accepted: \(why) (check smtp.url's host name and the CA)"
        case .unavailable(let why):
            return "the SMTP transport is unavailable: \(why)"
        case .serverUnavailable(_, let reply):
            return "the SMTP server is unavailable: \(reply)"
        case .relayLimit(let limit, _, let reply):
            return "\(limit.summary): \(reply)"
        }
    }
}
