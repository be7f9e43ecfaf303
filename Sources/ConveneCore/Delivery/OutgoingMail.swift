/// What to hand to the mail server: the envelope and the exact RFC 5322 bytes.
///
/// `bytes` is the whole message (headers, blank line, body) with CRLF line ends, ending in CRLF.
/// The transport dot-stuffs and appends the final `.` itself; the bytes must not.
public struct OutgoingMail: Sendable, Hashable {
    /// The envelope sender (`MAIL FROM`), a bare address without angle brackets.
    public var envelopeFrom: String
    /// The envelope recipients (`RCPT TO`), bare addresses, in the order they are sent.
    public var recipients: [String]
    /// The message exactly as it goes after `DATA`.
    public var bytes: [UInt8]
    /// The `Message-ID` header's value; a message whose outcome is `unknown` is resent with the same one.
    public var messageID: String

    /// Takes the envelope and bytes as given; `MessageComposer` checks the addresses and writes the CRLF bytes.
    public init(envelopeFrom: String, recipients: [String], bytes: [UInt8], messageID: String) {
        self.envelopeFrom = envelopeFrom
        self.recipients = recipients
        self.bytes = bytes
        self.messageID = messageID
    }
}
