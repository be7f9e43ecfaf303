import ConveneCore

/// Where and how to read replies over IMAP, resolved from the `replies:` block. The password is held in memory only
/// and never printed.
public struct IMAPSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `imaps://host[:port]` or `imap://host[:port]`, without a path.
    public var server: String
    /// The folder replies are read from (INBOX by default), as a plain name; encoded for the wire by the reader.
    public var mailbox: String
    /// Implicit TLS (`imaps://`), STARTTLS (`imap://`, required) or none (loopback only, checked by the parser).
    public var tls: TLSMode
    /// The IMAP login.
    public var username: String
    /// The password from the systemd credential or the password file; `<redacted>` in logs.
    public var password: String
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// The folder handled messages are moved to.
    public var processed: String
    /// The folder for messages a person must read.
    public var needsAttention: String
    /// Seconds to wait for the TCP and TLS connection.
    public var connectTimeout: Double
    /// Seconds to wait for any one server answer.
    public var responseTimeout: Double

    /// Settings of their parts; 30 s to connect and 120 s per answer unless given.
    public init(
        server: String, mailbox: String = "INBOX", tls: TLSMode, username: String, password: String,
        caFile: String? = nil, processed: String = "convene/processed",
        needsAttention: String = "convene/needs-attention", connectTimeout: Double = 30, responseTimeout: Double = 120
    ) {
        self.server = server
        self.mailbox = mailbox
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.processed = processed
        self.needsAttention = needsAttention
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
    }

    /// Settings from the rules file's `replies:` block, with the password read from the systemd credential
    /// (`$CREDENTIALS_DIRECTORY`) or the password file.
    ///
    /// - Throws: `MailboxError.invalidSettings` when the file has no usable `replies:` block or the password cannot
    ///   be read (the message names where it was looked for, never what it is).
    public static func settings(for workspace: Workspace, environment: [String: String]) throws(MailboxError)
        -> IMAPSettings
    {
        guard let replies = workspace.config.replies, let server = replies.server, let mailbox = replies.mailbox else {
            throw MailboxError(kind: .invalidSettings, message: "the rules file has no usable 'replies:' block")
        }
        let password: String
        do {
            if let name = replies.passwordCredential {
                password = try SMTPTransport.readCredential(
                    name, key: "replies.password_credential", alternative: "password_file", environment,
                    what: "the IMAP password")
            } else if let file = replies.passwordFile {
                password = try SMTPTransport.readSecret(workspace.resolve(file), what: "the IMAP password")
            } else {
                throw TransportFailure(kind: .unavailable, message: "replies names no password source")
            }
        } catch let error as TransportFailure {
            throw MailboxError(kind: .invalidSettings, message: error.message)
        } catch {
            throw MailboxError(kind: .invalidSettings, message: "\(error)")
        }
        return IMAPSettings(
            server: server, mailbox: mailbox, tls: replies.tls, username: replies.username, password: password,
            caFile: replies.caFile.map(workspace.resolve), processed: replies.processed,
            needsAttention: replies.needsAttention)
    }

    /// One line for logs: server, folder, TLS, user and CA file, with the password shown only as `<redacted>`.
    public var description: String {
        let ca = caFile.map { " ca \($0)" } ?? ""
        return "IMAP \(server) mailbox \(mailbox) tls \(tls.rawValue) user \(username) password <redacted>\(ca)"
    }

    /// The same as `description`, so `debugPrint` shows no password either.
    public var debugDescription: String { description }
}
