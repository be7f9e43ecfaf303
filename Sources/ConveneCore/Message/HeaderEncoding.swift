import Foundation

/// RFC 5322 / RFC 2047 header text: sanitising, display-name quoting, encoded words and folding.
///
/// Everything returned is printable ASCII. Untrusted text never carries a CR, LF or other control
/// character into a header, so it can never start a header line or a MIME part of its own.
enum HeaderEncoding {
    /// Recommended header line length (RFC 5322 §2.1.1); lines only exceed it for an unbreakable token.
    static let foldLength = 78
    /// The longest encoded word (RFC 2047 §2).
    static let maximumEncodedWordLength = 75

    /// Text as it will read after decoding: control characters and line/paragraph separators become
    /// spaces, runs of spaces and tabs collapse to one space, and the ends are trimmed. Decoders fold
    /// whitespace anyway, so doing it here makes what is written exactly what is read back.
    static func sanitized(_ text: String) -> String {
        if isClean(text) { return text }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isSpace =
                scalar == " " || scalar == "\t" || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            if isSpace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// An addr-spec or msg-id reduced to the characters it may contain (atext, `.`, `@`, `[`, `]`),
    /// and capped so a line can never pass 998 octets. Addresses are validated upstream; this only
    /// guarantees that a bad one cannot break the message.
    static func addressText(_ text: String) -> String {
        // Every message has several: a valid address passes one byte scan and is returned as is.
        if text.utf8.count <= maximumPlainToken && text.utf8.allSatisfy(isAddressByte) { return text }
        let kept = text.unicodeScalars.filter { isAtext($0) || $0 == "." || $0 == "@" || $0 == "[" || $0 == "]" }
        return String(String.UnicodeScalarView(kept.prefix(maximumPlainToken)))
    }

    /// RFC 5322 atext: the characters a display name may use without quotes.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && isAtext(UInt8(scalar.value))
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "#")...UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="),
            UInt8(ascii: "?"), UInt8(ascii: "^")...UInt8(ascii: "`"), UInt8(ascii: "{")...UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// The bytes an addr-spec or msg-id keeps: atext, `.`, `@`, `[` and `]`.
    private static func isAddressByte(_ byte: UInt8) -> Bool {
        isAtext(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "[")
            || byte == UInt8(ascii: "]")
    }

    /// True when `sanitized` would return `text` unchanged: printable ASCII or other non-control text, single
    /// spaces, no blank at either end.
    private static func isClean(_ text: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: " ")  // so a leading space is not clean
        for byte in text.utf8 {
            // Tabs, C0 controls, DEL; C1 controls and U+2028/9 are multi-byte: leave those to the slow path.
            if byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2 { return false }
            if byte == UInt8(ascii: " ") && previous == UInt8(ascii: " ") { return false }
            previous = byte
        }
        return previous != UInt8(ascii: " ")
    }

    /// Whether `text` holds `=?`, which a decoder could read as the start of an encoded word.
    static func mayLookEncoded(_ text: String) -> Bool {
        var afterEquals = false
        for byte in text.utf8 {
            if afterEquals && byte == UInt8(ascii: "?") { return true }
            afterEquals = byte == UInt8(ascii: "=")
        }
        return false
    }

    /// Longest single header token written as is; anything longer is split into encoded words, so a
    /// line can never pass 998 octets.
    static let maximumPlainToken = 900

    /// The display name as header tokens, joined by folding whitespace.
    ///
    /// Plain ASCII names are atoms, or one quoted-string (split at its spaces so it can fold) when they
    /// contain specials. Other names keep their atom words plain and encode each run of the remaining
    /// words as one encoded word: RFC 2047 decoders drop whitespace between adjacent encoded words but
    /// Python's address parser keeps it, so adjacent encoded words are only used when a run is too long
    /// for one word. An encoded word never appears inside a quoted string. `firstLimit` is the room
    /// for the first token on its line.
    static func phrase(_ name: String, firstLimit: Int) -> [String] {
        let text = sanitized(name)
        if text.isEmpty { return [] }
        let words = text.split(separator: " ").map(String.init)
        let isPlainASCII = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        // "=?" in ASCII text could be misread as an encoded word (Python decodes even inside quotes).
        if isPlainASCII && !mayLookEncoded(text) && words.allSatisfy({ $0.utf8.count < maximumPlainToken }) {
            if words.allSatisfy(isAtom) { return words }
            var tokens = words.map {
                $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            }
            tokens[0] = "\"" + tokens[0]
            tokens[tokens.count - 1] += "\""
            return tokens
        }
        var tokens: [String] = []
        var run: [String] = []
        func flush() {
            guard !run.isEmpty else { return }
            tokens += encodedWords(
                run.joined(separator: " "), firstLimit: tokens.isEmpty ? firstLimit : maximumEncodedWordLength)
            run = []
        }
        for word in words {
            if isAtom(word) && !mayLookEncoded(word) && word.utf8.count < maximumPlainToken {
                flush()
                tokens.append(word)
            } else {
                run.append(word)
            }
        }
        flush()
        return tokens
    }

    private static func isAtom(_ word: String) -> Bool { word.unicodeScalars.allSatisfy(isAtext) }

    /// Unstructured text (Subject) as tokens: its words when plain ASCII that folds, else encoded words.
    static func unstructured(_ value: String, firstLimit: Int) -> [String] {
        let text = sanitized(value)
        if text.isEmpty { return [] }
        let isPlainASCII = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        let words = text.split(separator: " ").map(String.init)
        if isPlainASCII && !mayLookEncoded(text) && words.allSatisfy({ $0.utf8.count < maximumPlainToken }) {
            return words
        }
        return encodedWords(text, firstLimit: firstLimit)
    }

    /// `text` as UTF-8 encoded words, each ≤ 75 characters (the first ≤ `firstLimit`), never splitting a
    /// character. Q or B, whichever is shorter. Whitespace between adjacent encoded words is dropped
    /// by decoders, so spaces inside `text` are encoded too.
    static func encodedWords(_ text: String, firstLimit: Int = maximumEncodedWordLength) -> [String] {
        let useQ = qLength(text.utf8) <= (text.utf8.count + 2) / 3 * 4
        let prefix = useQ ? "=?UTF-8?Q?" : "=?UTF-8?B?"
        let overhead = prefix.utf8.count + 2
        var words: [String] = []
        var pending: [UInt8] = []
        func encodedLength(_ bytes: [UInt8]) -> Int { useQ ? qLength(bytes) : (bytes.count + 2) / 3 * 4 }
        func flush() {
            let payload = useQ ? qEncode(pending) : ContentEncoding.base64(pending)
            words.append(prefix + payload + "?=")
            pending = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            let limit = words.isEmpty ? min(firstLimit, maximumEncodedWordLength) : maximumEncodedWordLength
            if !pending.isEmpty && overhead + encodedLength(pending + bytes) > limit { flush() }
            pending += bytes
        }
        if !pending.isEmpty { flush() }
        return words
    }

    /// RFC 2047 "Q" bytes safe in every header context, phrases included (§5 rule 3).
    private static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!*+-/".utf8.contains(byte)
        }
    }

    private static func qLength<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Int {
        bytes.reduce(0) { $0 + (isQLiteral($1) || $1 == UInt8(ascii: " ") ? 1 : 3) }
    }

    static func qEncode(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            if isQLiteral(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") {
                out += "_"
            } else {
                out += "=" + ContentEncoding.hex(byte)
            }
        }
        return out
    }

    /// `Name: token token …` folded before a token whenever the line would pass 78 characters,
    /// terminated by CRLF. A fold is never placed right after the colon, so the first token is
    /// always on the first line (callers size it with `firstLimit`).
    static func field(_ name: String, _ tokens: [String]) -> String {
        var output = name + ":"
        var lineLength = output.utf8.count
        for (index, token) in tokens.enumerated() {
            if index > 0 && lineLength + 1 + token.utf8.count > foldLength {
                output += "\r\n"
                lineLength = 0
            }
            output += " " + token
            lineLength += 1 + token.utf8.count
        }
        return output + "\r\n"
    }

    /// Room for the first token of a field: the line minus `Name: `.
    static func firstLimit(forField name: String) -> Int { foldLength - name.utf8.count - 2 }

    /// Tokens for a list of mailboxes, `Name <address>` separated by commas.
    static func mailboxList(_ mailboxes: [Mailbox], field: String) -> [String] {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            let limit = tokens.isEmpty ? firstLimit(forField: field) : foldLength - 1
            let address = addressText(mailbox.address)
            var part = phrase(mailbox.name, firstLimit: limit)
            part.append(part.isEmpty ? address : "<" + address + ">")
            if index < mailboxes.count - 1 { part[part.count - 1] += "," }
            tokens += part
        }
        return tokens
    }
}
