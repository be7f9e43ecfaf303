extension JournalRecord {
    /// How one delegate's copy of a message fared in one attempt: the `copies` of a `sent` or `failed` record.
    ///
    /// A message to a principal with a delegate in Cc has both in its envelope, and the server answers each `RCPT TO`
    /// on its own: the principal's address can get a 451 while the delegate's is accepted. The record's own `code`,
    /// `permanent` and `reply` are the principal's; these are the others', so that a retry goes only to those still
    /// owed the message (the same Message-ID, the same bytes, a smaller envelope) and a copy refused for good is a
    /// failure in the journal, not only a log line.
    public struct Copy: Sendable, Hashable, Codable {
        /// The envelope address.
        public var to: String
        /// Delivered, temporary (the retry goes to it again), permanent (never retried) or unknown.
        public var outcome: DeliveryOutcome
        /// The reply code that decided it, when one did.
        public var code: Int?
        /// The server's reply, or why there is none.
        public var reply: String?

        /// Takes the parts as given; `code` and `reply` are nil when no server reply decided the copy.
        public init(to: String, outcome: DeliveryOutcome, code: Int? = nil, reply: String? = nil) {
            self.to = to
            self.outcome = outcome
            self.code = code
            self.reply = reply
        }

        /// True when this copy needs no further attempt: the server took it, or refused it for good.
        public var isSettled: Bool { outcome == .delivered || outcome == .permanent }
    }
}
