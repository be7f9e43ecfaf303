/// One message's text: a single-line subject, the text/plain body (lines end with LF; the MIME layer
/// makes them CRLF) and a complete text/html document.
public struct RenderedTemplate: Sendable, Hashable {
    public var subject: String
    public var plain: String
    public var html: String

    public init(subject: String, plain: String, html: String) {
        self.subject = subject
        self.plain = plain
        self.html = html
    }
}
