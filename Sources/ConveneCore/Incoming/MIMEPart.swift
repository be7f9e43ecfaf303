import Foundation

/// One node of an incoming message's MIME tree, with its body already decoded from quoted-printable or base64.
///
/// Read from untrusted bytes: every size is bounded (`MIMEReader.limits`), nothing traps, and a part that does not
/// parse is kept as an opaque `application/octet-stream` leaf rather than rejected.
public struct MIMEPart: Sendable {
    /// The part's headers in order, unfolded, values as written (encoded words are not decoded here).
    public var headers: [(name: String, value: String)]
    /// `type/subtype`, lower case; `text/plain` when absent or unreadable (RFC 2045 §5.2).
    public var contentType: String
    /// The Content-Type parameters, names lower case, values unquoted.
    public var parameters: [String: String]
    /// The body after the transfer encoding is undone (for a multipart, its preamble-free raw body).
    public var body: [UInt8]
    /// The children of a multipart, or of a `message/rfc822` (one child: the enclosed message).
    public var parts: [MIMEPart]

    /// A part of its pieces.
    public init(
        headers: [(name: String, value: String)], contentType: String, parameters: [String: String], body: [UInt8],
        parts: [MIMEPart]
    ) {
        self.headers = headers
        self.contentType = contentType
        self.parameters = parameters
        self.body = body
        self.parts = parts
    }

    /// The first header called `name` (any case), unfolded; nil when absent.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The attachment's file name (`Content-Disposition: …; filename=` or `Content-Type: …; name=`), if any.
    public var filename: String? {
        if let disposition = header("Content-Disposition"),
            let name = MIMEReader.parameters(of: disposition).parameters["filename"]
        {
            return name
        }
        return parameters["name"]
    }

    /// The body as text in its declared charset (UTF-8 when absent; Latin-1 and Windows-1252 read byte for byte;
    /// invalid UTF-8 replaced, never trapped on).
    public var text: String {
        let charset = parameters["charset"]?.lowercased() ?? "utf-8"
        if charset == "iso-8859-1" || charset == "latin1" || charset == "windows-1252" || charset == "us-ascii" {
            return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// This part and every part below it, depth first, in document order.
    public var allParts: [MIMEPart] {
        [self] + parts.flatMap(\.allParts)
    }
}
