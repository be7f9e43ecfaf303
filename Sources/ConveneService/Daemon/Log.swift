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

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Where lines go; tests capture them.
    public var sink: @Sendable (String) -> Void
    public var minimum: Level

    public init(minimum: Level = .info, sink: @escaping @Sendable (String) -> Void = Log.standardError) {
        self.minimum = minimum
        self.sink = sink
    }

    /// Writes the whole line with one write(2), so lines from several threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    public func callAsFunction(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        guard level <= minimum else { return }
        var line = "<\(level.rawValue)>" + Log.clean(message)
        for (key, value) in fields {
            let v = Log.clean(value)
            line +=
                " \(key)="
                + (v.contains(" ") || v.isEmpty || v.contains("\"")
                    ? "\"" + v.replacingOccurrences(of: "\"", with: "'") + "\"" : v)
        }
        sink(line)
    }

    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.error, message, fields)
    }
    public func warning(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.warning, message, fields)
    }
    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { self(.info, message, fields) }
    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        self(.debug, message, fields)
    }

    /// Control characters (a server reply's CRLF, say) become spaces.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
