import Foundation

/// One outgoing email before encoding: the values `MIMEWriter` turns into RFC 5322 bytes.
///
/// A message with a `calendar` is an invitation, update or cancellation; one without is a reminder or a plain message,
/// which may carry `attachments`.
public struct MailMessage: Sendable, Hashable {
    /// The From: header, `service.from`; the envelope sender is its address.
    public var from: Mailbox
    /// The To: header: the principal(s) the message is for; delegates go in `cc`.
    public var to: [Mailbox]
    /// Delegates copied on the message; the header is omitted when empty.
    public var cc: [Mailbox]
    /// Reply-To:, the organizer when it differs from `from`, so replies reach the mailbox that reads them; else nil.
    public var replyTo: Mailbox?
    /// The Subject:, one line; the writer folds it, or encodes it as RFC 2047 words when it must.
    public var subject: String
    /// The Date: header's instant, written in UTC (`+0000`).
    public var date: Date
    /// Without angle brackets, e.g. `abc123@example.gov.uk`; also seeds the MIME boundaries.
    public var messageID: String
    /// The text/plain body with `\n` line ends (the writer converts them to CRLF).
    public var plain: String
    /// The text/html body with `\n` line ends.
    public var html: String
    /// The text/calendar part of an invitation, update or cancellation; nil for a reminder.
    public var calendar: CalendarPart?
    /// Files sent with the message (a `kind: message` rule's `attach:`, a one-off's `--attach`), in order.
    public var attachments: [MailAttachment]

    /// Takes the fields as given: `MessageComposer` decides recipients and Message-ID, `MIMEWriter` the encoding.
    public init(
        from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], replyTo: Mailbox? = nil, subject: String, date: Date,
        messageID: String, plain: String, html: String, calendar: CalendarPart? = nil,
        attachments: [MailAttachment] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.plain = plain
        self.html = html
        self.calendar = calendar
        self.attachments = attachments
    }
}
