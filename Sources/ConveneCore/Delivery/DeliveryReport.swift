/// How one recipient fared: the outcome and the server reply that decided it.
public struct RecipientResult: Sendable, Hashable {
    /// The envelope recipient, as given in `OutgoingMail.recipients`.
    public var address: String
    /// Delivered, temporary (retry), permanent (never retry as is) or unknown (resend with the same Message-ID).
    public var outcome: DeliveryOutcome
    /// The SMTP reply code that decided the outcome; nil when no reply decided it (transport error,
    /// or an address refused locally before anything was sent).
    public var code: Int?
    /// The server's reply text (all lines joined by a space), or why there is none.
    public var reply: String

    /// Takes the parts as given; `SMTPReplyClassifier.report` is what builds them from a dialogue.
    public init(address: String, outcome: DeliveryOutcome, code: Int?, reply: String) {
        self.address = address
        self.outcome = outcome
        self.code = code
        self.reply = reply
    }
}

/// The result of handing one message to the mail server: one result per envelope recipient.
///
/// Every recipient of the `OutgoingMail` appears exactly once, in order. `error` is set when the
/// problem is not about this message but about the transport as configured (credentials, TLS,
/// a refusing server): the caller should stop sending and map it to an exit code.
public struct DeliveryReport: Sendable, Hashable {
    /// One result per envelope recipient, in `OutgoingMail.recipients` order, each exactly once.
    public var results: [RecipientResult]
    /// libcurl's error text when the dialogue ended without a deciding server reply
    /// (for example "Connection refused" or "Operation timed out"); nil otherwise.
    public var transportError: String?
    /// A problem with the transport itself rather than with this message; nil when there is none.
    public var error: SMTPError?

    /// Takes the parts as given; `SMTPReplyClassifier.report` keeps the one-result-per-recipient invariant.
    public init(results: [RecipientResult], transportError: String? = nil, error: SMTPError? = nil) {
        self.results = results
        self.transportError = transportError
        self.error = error
    }

    /// True when every recipient's outcome is `delivered`.
    public var allDelivered: Bool { results.allSatisfy { $0.outcome == .delivered } }

    /// The outcome for one recipient address (exact match), or nil when it was not a recipient.
    public func outcome(for address: String) -> DeliveryOutcome? {
        results.first { $0.address == address }?.outcome
    }
}
