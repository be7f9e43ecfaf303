import Foundation

/// Reads an RFC 5322 message with its MIME tree (RFC 2045–2047): folded headers, encoded words, multipart bodies,
/// quoted-printable and base64. Pure and total: any bytes give a tree, never a crash.
public enum MIMEReader {
    /// How much of a message is looked at: replies are small, and a mailbox is untrusted input.
    public enum Limits {
        /// Bytes of a message read; the rest is ignored (a calendar reply is a few kilobytes, a DSN with the
        /// original message a few hundred).
        public static let messageBytes = 4 * 1024 * 1024
        /// Multipart nesting followed; deeper parts are kept as opaque leaves.
        public static let depth = 8
        /// Parts read in one message in total.
        public static let parts = 200
        /// Header lines read per part.
        public static let headers = 500
    }

    /// The message's tree. Bytes past `Limits.messageBytes` are ignored.
    public static func parse(_ bytes: [UInt8]) -> MIMEPart {
        var budget = Limits.parts
        return parsePart(ArraySlice(bytes.prefix(Limits.messageBytes)), depth: 0, budget: &budget)
    }

    /// The headers of a message or part (up to its first empty line), unfolded, and the offset of its body.
    public static func headers(_ bytes: ArraySlice<UInt8>) -> (headers: [(name: String, value: String)], body: Int) {
        var headers: [(name: String, value: String)] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lineEnd = bytes[index...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[index..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            let next = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            if line.isEmpty { return (headers, next) }
            let text = String(decoding: line, as: UTF8.self)
            if line.first == 0x20 || line.first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
            } else if let colon = text.firstIndex(of: ":"), headers.count < Limits.headers {
                let name = text[..<colon].trimmingCharacters(in: .whitespaces)
                let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { headers.append((name, value)) }
            } else if headers.isEmpty && !text.contains(":") {
                // Not a header block at all (a body without headers): everything is body.
                return ([], bytes.startIndex)
            }
            index = next
        }
        return (headers, bytes.endIndex)
    }

    private static func parsePart(_ bytes: ArraySlice<UInt8>, depth: Int, budget: inout Int) -> MIMEPart {
        budget -= 1
        let (headers, bodyStart) = headers(bytes)
        let typeHeader = headers.first { $0.name.lowercased() == "content-type" }?.value
        var (type, parameters) = typeHeader.map(Self.parameters(of:)) ?? ("text/plain", [:])
        if !type.contains("/") { type = "text/plain" }
        let raw = bytes[bodyStart...]
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        var part = MIMEPart(headers: headers, contentType: type, parameters: parameters, body: [], parts: [])
        if type.hasPrefix("multipart/"), let boundary = parameters["boundary"], !boundary.isEmpty,
            depth < Limits.depth
        {
            part.body = Array(raw)
            for child in split(raw, boundary: boundary) where budget > 0 {
                part.parts.append(parsePart(child, depth: depth + 1, budget: &budget))
            }
        } else if type == "message/rfc822" || type == "message/global", depth < Limits.depth, budget > 0 {
            part.body = decode(raw, encoding: encoding)
            part.parts = [parsePart(ArraySlice(part.body), depth: depth + 1, budget: &budget)]
        } else {
            part.body = decode(raw, encoding: encoding)
        }
        return part
    }

    /// The body parts between `--boundary` lines; the preamble and epilogue are dropped.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: 0x0A) ?? body.endIndex
            var line = body[index..<lineEnd]
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line = line.dropLast() }
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                if rest.isEmpty || rest.elementsEqual("--".utf8) {
                    if let start = partStart {
                        // The line break before the delimiter belongs to the delimiter (RFC 2046 §5.1.1).
                        var end = index
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[start..<max(start, end)])
                    }
                    if !rest.isEmpty { return parts }
                    partStart = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
                }
            }
            index = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
        }
        // A missing close delimiter: keep what the last part had.
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }

    /// Undoes a Content-Transfer-Encoding; 7bit, 8bit, binary and unknown encodings pass through.
    static func decode(_ raw: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding {
        case "base64": return base64(raw)
        case "quoted-printable": return quotedPrintable(raw)
        default: return Array(raw)
        }
    }

    /// Base64, ignoring line breaks and anything outside the alphabet; stops at padding.
    static func base64(_ raw: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in raw {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): return out
            default: continue
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX`, soft line breaks; a malformed `=` is kept as it is.
    static func quotedPrintable(_ raw: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "=") {
                let next = raw.index(after: index)
                // A soft line break: `=` then optional white space then CRLF or LF.
                var probe = next
                while probe < raw.endIndex, raw[probe] == 0x20 || raw[probe] == 0x09 { probe += 1 }
                if probe < raw.endIndex, raw[probe] == 0x0A {
                    index = probe + 1
                    continue
                }
                if probe + 1 < raw.endIndex, raw[probe] == 0x0D, raw[probe + 1] == 0x0A {
                    index = probe + 2
                    continue
                }
                if probe == raw.endIndex {
                    index = probe
                    continue
                }
                if next + 1 < raw.endIndex, let high = hexValue(raw[next]), let low = hexValue(raw[next + 1]) {
                    out.append(high << 4 | low)
                    index = next + 2
                    continue
                }
                out.append(byte)
            } else if byte == UInt8(ascii: "_") && underscoreIsSpace {
                out.append(0x20)
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// A structured header value split as `value; name=param; name="quoted"`: the value lower case, parameter
    /// names lower case, values unquoted (RFC 2231 continuations are not joined: calendar replies do not use them).
    public static func parameters(of header: String) -> (value: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        let value = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty && parameters[name] == nil { parameters[name] = value }
        }
        return (value, parameters)
    }

    /// Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?ISO-8859-1?B?…?=`) in a header value; white space
    /// between two encoded words is dropped; words in other charsets or malformed ones stay as written. Control
    /// characters in the result become spaces, so a decoded value can never carry a line break.
    public static func decodeWords(_ value: String) -> String {
        var out = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasEncoded = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let decoded = encodedWord(&rest) {
                if !lastWasEncoded { out += pendingSpace }
                out += decoded
                pendingSpace = ""
                lastWasEncoded = true
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingSpace.append(character)
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            out.append(character)
            lastWasEncoded = false
        }
        out += pendingSpace
        return String(out.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// Reads one encoded word at the start of `rest`, consuming it; nil (and nothing consumed) when it is not one.
    private static func encodedWord(_ rest: inout Substring) -> String? {
        let pieces = rest.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard pieces.count == 4, pieces[3].hasPrefix("="), pieces[2].count <= 200 else { return nil }
        let charset = pieces[0].lowercased().split(separator: "*").first.map(String.init) ?? ""
        let encoding = pieces[1].lowercased()
        let bytes: [UInt8]
        switch encoding {
        case "b": bytes = base64(pieces[2].utf8)
        case "q": bytes = quotedPrintable(ArraySlice(pieces[2].utf8), underscoreIsSpace: true)
        default: return nil
        }
        let text: String
        switch charset {
        case "utf-8", "us-ascii": text = String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "windows-1252":
            text = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
        rest = pieces[3].dropFirst()
        return text
    }

    /// The address inside a header like `From: "Name" <a@b>` or `a@b (Name)`, lower case; nil when none.
    public static func address(in header: String) -> String? {
        if let open = header.lastIndex(of: "<"), let close = header[open...].firstIndex(of: ">") {
            let inside = header[header.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            return inside.contains("@") ? inside.lowercased() : nil
        }
        let word = header.split(whereSeparator: { $0 == " " || $0 == "\t" }).first { $0.contains("@") }
        return word.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'(),;")).lowercased() }
    }

    /// A Message-ID without its angle brackets and surrounding white space; nil when empty.
    public static func messageID(_ header: String?) -> String? {
        guard let header else { return nil }
        var text = header.trimmingCharacters(in: .whitespaces)
        if let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            text = String(text[text.index(after: open)..<close])
        }
        text = String(text.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }.map(Character.init))
        return text.isEmpty ? nil : String(text.prefix(500))
    }
}
