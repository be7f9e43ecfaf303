import ConveneCore
import Foundation
import Glibc

/// Hands one message to the mail system. Implementations block (libcurl does), so each is used from one thread
/// at a time; the dispatcher owns one per connection and hands it to that connection's lane thread for a batch
/// (hence `Sendable`: passed between threads, never used by two at once).
public protocol MailTransport: AnyObject, Sendable {
    /// Sends one message and says how each recipient fared. Throws only for failures that must stop all sending
    /// (credentials refused, TLS refused): those are not per-message problems and retrying cannot fix them.
    ///
    /// `beforeCompletion` is called once, just before the message is completed (before SMTP's final dot): the
    /// dispatcher waits there for the journal to be durable, so the fsync overlaps the dialogue. When it returns
    /// false the message is abandoned undelivered.
    func send(_ mail: OutgoingMail, beforeCompletion: () -> Bool) throws(TransportFailure) -> DeliveryReport
}

extension MailTransport {
    /// Sends with nothing to wait for before completion.
    public func send(_ mail: OutgoingMail) throws(TransportFailure) -> DeliveryReport {
        try send(mail, beforeCompletion: { true })
    }
}

/// A failure that stops sending altogether, with the exit status class it maps to.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of stop this is.
    public enum Kind: Sendable { case authenticationRefused, unavailable, temporary }
    /// Whether to retry, and how the process exits.
    public var kind: Kind
    /// What went wrong, for the log and status (never a secret).
    public var message: String
    /// The SMTP reply code behind it, when a reply decided it (421 or 554 to the greeting, 535 to AUTH).
    public var code: Int?
    /// Set when the relay answered with its own limit: how long sending pauses (`RelayLimit.pause`).
    public var relayLimit: RelayLimit?
    /// Set when sending must wait until this instant (the daily cap): the daemon pauses until then.
    public var resumeAt: Date?

    /// A failure of the given kind; `code` and `relayLimit` when a reply decided it, `resumeAt` for the daily cap.
    public init(
        kind: Kind, message: String, code: Int? = nil, relayLimit: RelayLimit? = nil, resumeAt: Date? = nil
    ) {
        self.kind = kind
        self.message = message
        self.code = code
        self.relayLimit = relayLimit
        self.resumeAt = resumeAt
    }

    /// The message.
    public var description: String { message }
}

/// `--dry-run DIR`: every message becomes `DIR/<Message-ID>.eml` (a resend after a crash overwrites its own file),
/// written via a temp file and rename so a crash never leaves half a message.
public final class OutboxTransport: MailTransport {
    /// The outbox folder each message is written to as one `.eml` file.
    public let directory: String

    /// An outbox transport writing into `directory`, created if missing.
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        do throws(SystemError) { try SystemError.createFolder(directory) } catch { throw .io(error) }
    }

    /// Writes `mail` to the outbox (atomically, under its Message-ID), unless `beforeCompletion` says stop.
    public func send(_ mail: OutgoingMail, beforeCompletion: () -> Bool) throws(TransportFailure) -> DeliveryReport {
        guard beforeCompletion() else {
            return DeliveryReport(
                results: mail.recipients.map {
                    RecipientResult(
                        address: $0, outcome: .temporary, code: nil, reply: "abandoned: the journal is not durable")
                },
                transportError: "abandoned before completion")
        }
        let name = mail.messageID.map { $0.isLetter || $0.isNumber || "._-@".contains($0) ? String($0) : "_" }.joined()
        let path = directory + "/" + name + ".eml"
        do {
            try Data(mail.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            return DeliveryReport(
                results: mail.recipients.map {
                    RecipientResult(address: $0, outcome: .temporary, code: nil, reply: "cannot write \(path)")
                },
                transportError: "\(error)")
        }
        return DeliveryReport(
            results: mail.recipients.map {
                RecipientResult(address: $0, outcome: .delivered, code: 250, reply: "250 written to \(name).eml")
            },
            transportError: nil)
    }
}
