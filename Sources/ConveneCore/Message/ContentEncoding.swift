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
        var output: [UInt8] = []
        appendQuotedPrintable(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `quotedPrintable(text)` appended to `output`: the MIME writer builds a whole message in one buffer.
    static func appendQuotedPrintable(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            output.reserveCapacity(output.count + bytes.count + bytes.count / 8 + 16)
            var start = 0
            var index = 0
            var first = true
            func flushLine(_ end: Int) {
                if !first { output.append(contentsOf: [13, 10]) }
                first = false
                appendQuotedPrintable(UnsafeBufferPointer(rebasing: bytes[start..<end]), to: &output)
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 10 || byte == 13 {
                    flushLine(index)
                    index += (byte == 13 && index + 1 < bytes.count && bytes[index + 1] == 10) ? 2 : 1
                    start = index
                } else {
                    index += 1
                }
            }
            flushLine(bytes.count)
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// One line (no line end), one UTF-8 character at a time so a character is never split by a soft break.
    private static func appendQuotedPrintable(_ line: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var length = 0
        var index = line.startIndex
        while index < line.endIndex {
            let lead = line[index]
            // Fast path: a run of printable ASCII other than `=` is copied as is, as much of it as fits before a soft
            // break (the line's last byte, whose room differs, takes the general path).
            if isPlain(lead) {
                let limit = min(line.endIndex - 1, index + (maximumLineLength - 1 - length))
                var end = index
                while end < limit && isPlain(line[end]) { end += 1 }
                if end > index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: line[index..<end]))
                    length += end - index
                    index = end
                    continue
                }
            }
            var end = index + 1
            while end < line.endIndex && line[end] & 0xC0 == 0x80 { end += 1 }
            let isLast = end == line.endIndex
            let literal =
                end == index + 1
                && (((lead == 32 || lead == 9) && !isLast) || (lead >= 33 && lead <= 126 && lead != UInt8(ascii: "=")))
            let width = literal ? 1 : 3 * (end - index)
            // Keep room for the `=` of a soft break, except on the line's last token.
            let room = isLast ? maximumLineLength : maximumLineLength - 1
            if length + width > room {
                output.append(contentsOf: [UInt8(ascii: "="), 13, 10])
                length = 0
            }
            if literal {
                output.append(lead)
            } else {
                for byte in line[index..<end] {
                    output.append(UInt8(ascii: "="))
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            length += width
            index = end
        }
    }

    /// Printable ASCII that quoted-printable writes as itself anywhere on a line (not `=`, not blank).
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")
    }

    /// `bytes` in base64, 76 characters a line, lines joined by CRLF (no final CRLF).
    static func base64(_ bytes: [UInt8]) -> String {
        var encoded: [UInt8] = []
        appendBase64(bytes, to: &encoded)
        return String(decoding: encoded, as: UTF8.self)
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `base64(bytes)` appended to `encoded`.
    static func appendBase64(_ bytes: [UInt8], to encoded: inout [UInt8]) {
        encoded.reserveCapacity(encoded.count + bytes.count / 3 * 4 + bytes.count / 57 * 2 + 8)
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            var lineLength = 0
            var index = 0
            while index < bytes.count {
                let count = min(3, bytes.count - index)
                let b0 = bytes[index]
                let b1 = count > 1 ? bytes[index + 1] : 0
                let b2 = count > 2 ? bytes[index + 2] : 0
                if lineLength == maximumLineLength {
                    encoded.append(13)
                    encoded.append(10)
                    lineLength = 0
                }
                encoded.append(alphabet[Int(b0 >> 2)])
                encoded.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                encoded.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
                encoded.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
                lineLength += 4
                index += 3
            }
        }
    }

    static func hex(_ byte: UInt8) -> String {
        String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
