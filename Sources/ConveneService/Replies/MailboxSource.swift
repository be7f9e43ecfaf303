import Foundation

/// One message in the organizer's mailbox, as a source hands it over.
public struct IncomingMessage: Sendable, Equatable {
    /// Stable within its source while the message is there: `UIDVALIDITY/UID` for IMAP (`1700000000/42`), the
    /// file's unique name for a Maildir. Journaled with the message's Message-ID before anything is applied.
    public var id: String
    /// The message exactly as stored (RFC 5322 bytes, CRLF or LF line ends).
    public var bytes: [UInt8]

    /// A message of its parts.
    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }
}

/// Why a mailbox could not be read or changed; mapped to exit codes like SMTP's failures (77 refused login, 69
/// unreachable or refused service, 75 temporary, 78 a setting that cannot work).
public struct MailboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The server refused the credentials (or the OAuth token).
        case authenticationRefused
        /// No server, or it refused service: try again later.
        case unavailable
        /// Something that may work on the next pass (a dropped connection, a 4xx-like NO).
        case temporary
        /// The settings cannot work (bad URL, a folder that cannot be created, a Maildir that is not one).
        case invalidSettings
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// What failed, in the server's or the system's words, with no secret in it.
    public var message: String

    /// A failure of its parts.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message, for logs and the screen.
    public var description: String { message }
}

/// Where calendar replies and bounces are read from: an IMAP folder (`replies.url`) or, for tests, the demo and
/// offline use, a Maildir (`convene replies --from-maildir DIR`).
///
/// The reader journals each message's `id` and Message-ID before acting on it and moves it only afterwards, so a
/// crash between the two leaves a message that is moved, not applied again, on the next pass.
public protocol MailboxSource {
    /// The messages waiting in the folder, oldest first. Messages already moved away are not listed.
    func pending() throws(MailboxError) -> [IncomingMessage]
    /// Moves a handled message out of the folder into `folder` (`replies.processed` or `replies.needs_attention`),
    /// creating the folder when it does not exist yet.
    func move(_ message: IncomingMessage, to folder: String) throws(MailboxError)
}
