import Foundation
import Glibc

/// One line per event on stderr with a journald priority prefix (`<3>` error … `<7>` debug) and key=value
/// fields. Values are quoted when they contain spaces and never carry a newline, so one event stays one line.
public struct Log: Sendable {
    /// syslog priorities journald understands.
    public enum Level: Int, Sendable, Comparable {
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6
        case debug = 7

        /// Orders levels by severity number (error is the smallest).
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Where lines go; tests capture them.
    public var sink: @Sendable (String) -> Void
    /// The least important level written; lines below it are dropped.
    public var minimum: Level

    /// A log writing lines at `minimum` or more important to `sink` (stderr, for journald, by default).
    public init(minimum: Level = .info, sink: @escaping @Sendable (String) -> Void = Log.standardError) {
        self.minimum = minimum
        self.sink = sink
    }

    /// Writes the whole line with one write(2), so lines from several threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Writes one event at `level`, if at or above `minimum`.
    public func callAsFunction(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        emit(level, message, fields)
    }

    /// Writes a line decided elsewhere (`DeliveryLedger`), as if its fields had been written out in the call.
    func callAsFunction(_ line: Line) {
        emit(line.level, line.message, line.fields)
    }

    /// Built byte by byte: a sending lane logs every message, so this must cost next to nothing. Generic over the
    /// fields so that a literal (`KeyValuePairs`) and a line built as data (an array) share it.
    private func emit<Fields: Collection>(_ level: Level, _ message: String, _ fields: Fields)
    where Fields.Element == (key: String, value: String) {
        guard level <= minimum else { return }
        var line: [UInt8] = [UInt8(ascii: "<"), UInt8(ascii: "0") + UInt8(level.rawValue), UInt8(ascii: ">")]
        let fieldBytes = fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 4 }
        line.reserveCapacity(64 + message.utf8.count + fieldBytes)
        Log.appendClean(message.utf8, to: &line)
        for (key, value) in fields {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            // Quoted when empty or holding a space, a quote or a control character (which becomes a space).
            let quoted = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") }
            if quoted { line.append(UInt8(ascii: "\"")) }
            Log.appendClean(value.utf8, to: &line, quote: quoted)
            if quoted { line.append(UInt8(ascii: "\"")) }
        }
        sink(String(decoding: line, as: UTF8.self))
    }

    /// Writes `message` and `fields` at error priority.
    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.error, message, fields)
    }
    /// Writes `message` and `fields` at warning priority.
    public func warning(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.warning, message, fields)
    }
    /// Writes `message` and `fields` at info priority.
    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { self(.info, message, fields) }
    /// Writes `message` and `fields` at debug priority.
    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.debug, message, fields)
    }

    /// `text` with control characters (a server reply's CRLF, say) as spaces.
    static func clean(_ text: String) -> String {
        var line: [UInt8] = []
        appendClean(text.utf8, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// Control characters become spaces; inside a quoted value a `"` becomes `'`.
    static func appendClean(_ text: String.UTF8View, to line: inout [UInt8], quote: Bool = false) {
        for byte in text {
            switch byte {
            case 0..<0x20, 0x7F: line.append(UInt8(ascii: " "))
            case UInt8(ascii: "\"") where quote: line.append(UInt8(ascii: "'"))
            default: line.append(byte)
            }
        }
    }
}
