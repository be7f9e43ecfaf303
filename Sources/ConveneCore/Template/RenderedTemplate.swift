/// One message's text: a single-line subject, the text/plain body (lines end with LF; the MIME layer
/// makes them CRLF) and a complete text/html document.
public struct RenderedTemplate: Sendable, Hashable {
    /// One line, placeholders filled in, no markup; the MIME layer encodes it for the Subject: header.
    public var subject: String
    /// The text/plain body, LF line ends, markup rendered as plain text.
    public var plain: String
    /// The text/html body, a whole HTML document with every value escaped.
    public var html: String

    /// Takes the three texts as given; `MessageTemplate.render` is what makes them.
    public init(subject: String, plain: String, html: String) {
        self.subject = subject
        self.plain = plain
        self.html = html
    }
}
