/// A minimal, compact JSON object writer that appends UTF-8 straight into a byte buffer, keys in the order given: fast,
/// and byte-stable for scripts and diffs (JSONSerialization is slow for hundreds of thousands of objects and
/// orders keys only by sorting).
public struct JSONLine: ~Copyable {
    private var first = true

    /// Starts an object at the end of `bytes`; the caller keeps the buffer, so many objects append without copies.
    public init(_ bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString, _ bytes: inout [UInt8]) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A string value, escaped so that control characters never break the line.
    public mutating func add(_ name: StaticString, _ value: String, to bytes: inout [UInt8]) {
        key(name, &bytes)
        JSONLine.appendQuoted(value, to: &bytes)
    }

    /// A value known to need no escaping (validated ids, addresses, dates): copied as is. The parts are joined
    /// without building an intermediate string.
    public mutating func addVerbatim(_ name: StaticString, _ parts: String..., to bytes: inout [UInt8]) {
        key(name, &bytes)
        bytes.append(UInt8(ascii: "\""))
        for part in parts { bytes.append(contentsOf: part.utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes just the key: the caller appends the value (a nested object).
    public mutating func addRaw(_ name: StaticString, to bytes: inout [UInt8]) {
        key(name, &bytes)
    }

    /// An integer value, as decimal digits.
    public mutating func add(_ name: StaticString, _ value: Int, to bytes: inout [UInt8]) {
        key(name, &bytes)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A `true` or `false` value.
    public mutating func add(_ name: StaticString, _ value: Bool, to bytes: inout [UInt8]) {
        key(name, &bytes)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// An array of strings, each escaped as `add(_:_:to:)` escapes one.
    public mutating func add(_ name: StaticString, _ values: [String], to bytes: inout [UInt8]) {
        key(name, &bytes)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONLine.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the object.
    public consuming func finish(_ bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a JSON string literal; control characters are escaped so one object stays one line.
    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Almost every value (addresses, ids, dates) needs no escaping: append it in one go. Scanned as contiguous
        // bytes when the string has them (native strings do), a tight loop rather than the UTF-8 view's iterator.
        func needsEscaping(_ byte: UInt8) -> Bool {
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        let escaping = value.utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscaping) }
        if !(escaping ?? value.utf8.contains(where: needsEscaping)) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                    hex[Int(byte & 15)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
