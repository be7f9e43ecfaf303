/// Checks envelope addresses before they reach libcurl.
///
/// libcurl 7.88 copies `MAIL FROM`/`RCPT TO` addresses into the dialogue as they are, so an address
/// holding CRLF would inject SMTP commands. Only plain `local@domain` in printable ASCII passes.
public enum EnvelopeAddress {
    /// RFC 5321 limits a path to 256 octets including the angle brackets.
    public static let maximumLength = 254

    /// Why `address` must not be used in the envelope, or nil when it may.
    public static func problem(with address: String) -> String? {
        if address.isEmpty { return "it is empty" }
        for scalar in address.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F: return "it contains a control character (CR, LF, NUL or similar)"
            case 0x20: return "it contains a space"
            case 0x3C, 0x3E: return "it contains an angle bracket"
            case 0x80...: return "it contains a non-ASCII character (SMTPUTF8 is not used)"
            default: continue
            }
        }
        if address.utf8.count > maximumLength { return "it is longer than \(maximumLength) octets" }
        guard let at = address.lastIndex(of: "@"), at != address.startIndex,
            address.index(after: at) != address.endIndex
        else { return "it is not of the form local-part@domain" }
        return nil
    }
}
