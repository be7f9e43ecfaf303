/// Body transfer encodings (RFC 2045): quoted-printable for text, base64 for the calendar bytes.
///
/// Both produce pure 7-bit CRLF text with lines of at most 76 characters, and neither can produce
/// the sequence `=_` that starts every MIME boundary convene uses.
enum ContentEncoding {
    /// The longest encoded line, excluding CRLF (RFC 2045 §6.7 and §6.8).
    static let maximumLineLength = 76

    /// `text` with any line ends (LF, CRLF, CR) as quoted-printable lines joined by CRLF. A soft line
    /// break (`=` at the end) keeps each line ≤ 76 characters; a UTF-8 character is never split across
    /// lines; trailing spaces and tabs are encoded so transports cannot strip them.
    static func quotedPrintable(_ text: String) -> String {
        var output = ""
        var first = true
        for line in lines(of: text) {
            if !first { output += "\r\n" }
            first = false
            appendQuotedPrintable(line, to: &output)
        }
        return output
    }

    private static func appendQuotedPrintable(_ line: Substring, to output: inout String) {
        let scalars = Array(line.unicodeScalars)
        var length = 0
        for (index, scalar) in scalars.enumerated() {
            let isLast = index == scalars.count - 1
            var token = ""
            if (scalar == " " || scalar == "\t") && !isLast {
                token = String(scalar)
            } else if scalar.value >= 33 && scalar.value <= 126 && scalar != "=" {
                token = String(scalar)
            } else {
                for byte in String(scalar).utf8 { token += "=" + hex(byte) }
            }
            // Keep room for the `=` of a soft break, except on the line's last token.
            let room = isLast ? maximumLineLength : maximumLineLength - 1
            if length + token.utf8.count > room {
                output += "=\r\n"
                length = 0
            }
            output += token
            length += token.utf8.count
        }
    }

    /// `bytes` in base64, 76 characters a line, lines joined by CRLF (no final CRLF).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count / 3 * 4 + bytes.count / 57 * 2 + 8)
        var lineLength = 0
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = bytes[index]
            let b1 = count > 1 ? bytes[index + 1] : 0
            let b2 = count > 2 ? bytes[index + 2] : 0
            if lineLength == maximumLineLength {
                encoded += [13, 10]
                lineLength = 0
            }
            encoded.append(alphabet[Int(b0 >> 2)])
            encoded.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            encoded.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            encoded.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            lineLength += 4
            index += 3
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The lines of `text`, splitting on CRLF, CR or LF alike.
    static func lines(of text: String) -> [Substring] {
        // Character-wise split treats "\r\n" as one separator (it is one grapheme).
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
