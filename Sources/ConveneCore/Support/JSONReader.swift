/// A strict, byte-level JSON (RFC 8259) reader over one document in memory: the reading counterpart of `JSONLine`.
/// The caller walks the document it expects (`readObject`, `readString`, `readInt`…); anything else, a value of the
/// wrong type included, throws `Malformed`. It builds no tree and allocates only for the strings it returns, so a
/// journal of hundreds of thousands of lines reads several times faster than with JSONDecoder.
///
/// Stricter than Foundation's decoder where that one is lenient: no trailing commas, no byte order mark, numbers
/// exactly as the grammar says (`1.` and `-` are errors), and `readInt` takes integers only (no `1.0` or `1e0`).
/// Invalid UTF-8 inside a string is replaced with U+FFFD, as `String(decoding:as:)` does.
struct JSONReader {
    /// The document is not what the caller expected: bad syntax, a value of the wrong type, an integer that
    /// overflows. Callers only need to know that the input cannot be used.
    struct Malformed: Error, Hashable {}

    /// Deeper nesting is refused rather than risking the stack on hostile input (Foundation's limit too).
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    /// Reads from `bytes`, which must stay valid while the reader is used.
    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The byte at the cursor, or 0 at the end: no JSON token starts with 0 and a raw 0 is not allowed inside a
    /// string, so the end needs no separate check and an unterminated document is rejected like any other error.
    private var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    private mutating func skipWhitespace() {
        while true {
            switch current {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard current == byte else { throw Malformed() }
        position += 1
    }

    private mutating func expect(_ word: StaticString) throws(Malformed) {
        for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) { try expect(byte) }
    }

    /// Reads the whole input as one value, with only whitespace around it.
    mutating func readDocument<T>(_ read: (inout JSONReader) throws(Malformed) -> T) throws(Malformed) -> T {
        skipWhitespace()
        let value = try read(&self)
        skipWhitespace()
        guard position == bytes.count else { throw Malformed() }
        return value
    }

    /// Reads an object, calling `member` with each key in document order; `member` must read or skip the value.
    mutating func readObject(_ member: (inout JSONReader, String) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return
        }
        repeat {
            skipWhitespace()
            let key = try readString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
        } while try nextElement(closedBy: UInt8(ascii: "}"))
    }

    /// Reads an array, calling `element` for each value in order.
    mutating func readArray(_ element: (inout JSONReader) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return
        }
        repeat {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
        } while try nextElement(closedBy: UInt8(ascii: "]"))
    }

    /// After a member or element: true at a comma (another must follow), false at the closing bracket.
    private mutating func nextElement(closedBy close: UInt8) throws(Malformed) -> Bool {
        let separator = current
        guard separator == UInt8(ascii: ",") || separator == close else { throw Malformed() }
        position += 1
        return separator == UInt8(ascii: ",")
    }

    /// True, having moved past it, when the value is `null`: an optional property then reads as absent, as with
    /// JSONDecoder.
    mutating func readNull() throws(Malformed) -> Bool {
        guard current == UInt8(ascii: "n") else { return false }
        try expect("null")
        return true
    }

    mutating func readBool() throws(Malformed) -> Bool {
        if current == UInt8(ascii: "t") {
            try expect("true")
            return true
        }
        try expect("false")
        return false
    }

    /// An integer without fraction or exponent that fits an `Int`.
    mutating func readInt() throws(Malformed) -> Int {
        let start = position
        guard try scanNumber() else { throw Malformed() }
        let negative = bytes[start] == UInt8(ascii: "-")
        var value = 0
        for byte in bytes[(negative ? start + 1 : start)..<position] {
            // Accumulating downwards reaches Int.min, which has no positive counterpart.
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, underflow) = shifted.subtractingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            guard !overflow, !underflow else { throw Malformed() }
            value = next
        }
        if negative { return value }
        guard value != Int.min else { throw Malformed() }
        return -value
    }

    /// Moves past a number as RFC 8259 spells it; returns true when it has neither fraction nor exponent.
    private mutating func scanNumber() throws(Malformed) -> Bool {
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            try scanDigits()
        }
        var integer = true
        if current == UInt8(ascii: ".") {
            position += 1
            try scanDigits()
            integer = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            try scanDigits()
            integer = false
        }
        return integer
    }

    /// One or more decimal digits.
    private mutating func scanDigits() throws(Malformed) {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(current) else { throw Malformed() }
        repeat { position += 1 } while (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(current)
    }

    mutating func readString() throws(Malformed) -> String {
        try readString { String(decoding: $0, as: UTF8.self) }
    }

    /// Hands `use` the string's UTF-8 with escapes resolved, without building a `String` (dates are parsed from
    /// bytes). Unescaped strings, nearly all of them, are passed straight from the input.
    mutating func readString<T>(_ use: (UnsafeRawBufferPointer) throws(Malformed) -> T) throws(Malformed) -> T {
        try expect(UInt8(ascii: "\""))
        let start = position
        while true {
            switch current {
            case UInt8(ascii: "\""):
                position += 1
                return try use(UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1]))
            case UInt8(ascii: "\\"):
                var unescaped = Array(bytes[start..<position])
                try readEscapedRest(into: &unescaped)
                // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
                return try unescaped.withUnsafeBytes { buffer in Result { () throws(Malformed) in try use(buffer) } }
                    .get()
            case 0..<0x20:
                throw Malformed()  // a raw control character, or the end of the input
            default:
                position += 1
            }
        }
    }

    /// The slow path of `readString`, from the first backslash to the closing quote.
    private mutating func readEscapedRest(into unescaped: inout [UInt8]) throws(Malformed) {
        while true {
            switch current {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"):
                position += 1
                try readEscape(into: &unescaped)
            case 0..<0x20:
                throw Malformed()
            case let byte:
                unescaped.append(byte)
                position += 1
            }
        }
    }

    /// The escape after a backslash; `\u` escapes of UTF-16 surrogates must come as a high-low pair.
    private mutating func readEscape(into unescaped: inout [UInt8]) throws(Malformed) {
        let letter = current
        position += 1
        let byte: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte = letter
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "u"):
            var code = UInt32(try readHex4())
            if (0xD800..<0xDC00).contains(code) {
                try expect("\\u")
                let low = UInt32(try readHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw Malformed() }  // a lone low surrogate
            unescaped.append(contentsOf: UTF8.encode(scalar)!)
            return
        default:
            throw Malformed()
        }
        unescaped.append(byte)
    }

    private mutating func readHex4() throws(Malformed) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch current {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = current - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = current - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = current - UInt8(ascii: "A") + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Moves past any value (a key the caller does not know), checking its syntax all the same.
    mutating func skipValue() throws(Malformed) {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws(Malformed) {
        guard depth < Self.maximumDepth else { throw Malformed() }
        switch current {
        case UInt8(ascii: "{"): try readObject { reader, _ throws(Malformed) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try readArray { reader throws(Malformed) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try readString { _ throws(Malformed) in }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): try expect("null")
        default: _ = try scanNumber()
        }
    }
}
