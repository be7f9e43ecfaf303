import Foundation

/// One outgoing email before encoding: the values `MIMEWriter` turns into RFC 5322 bytes.
///
/// A message with a `calendar` is an invitation, update or cancellation; one without is a reminder.
public struct MailMessage: Sendable, Hashable {
    public var from: Mailbox
    public var to: [Mailbox]
    /// Delegates copied on the message; the header is omitted when empty.
    public var cc: [Mailbox]
    public var replyTo: Mailbox?
    public var subject: String
    public var date: Date
    /// Without angle brackets, e.g. `abc123@example.gov.uk`; also seeds the MIME boundaries.
    public var messageID: String
    /// The text/plain body with `\n` line ends (the writer converts them to CRLF).
    public var plain: String
    /// The text/html body with `\n` line ends.
    public var html: String
    public var calendar: CalendarPart?

    public init(
        from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], replyTo: Mailbox? = nil, subject: String, date: Date,
        messageID: String, plain: String, html: String, calendar: CalendarPart? = nil
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
    }
}
