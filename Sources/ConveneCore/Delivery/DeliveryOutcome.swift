/// How one recipient (or the whole message) fared at the mail server.
public enum DeliveryOutcome: String, Sendable, Hashable, Codable {
    /// The server accepted responsibility for the message for this recipient (final `250` after the dot).
    case delivered
    /// Not delivered, worth retrying later: a 4xx reply, a transport error before the message was
    /// complete, or a local problem (TLS, credentials) the operator must fix.
    case temporary
    /// Not delivered and never will be as it stands: a 5xx reply for this recipient or this message.
    case permanent
    /// The connection was lost after the message's final dot was (or may have been) sent and before
    /// the server's reply: the message may have been delivered. Resend with the same `Message-ID`.
    case unknown
}
