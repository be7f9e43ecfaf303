/// A position in a user file: 1-based line and column (column counts Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A mistake in a user file, printed compiler-style as `file:line:col: error: message`.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    /// How bad a diagnostic is; only errors make `validate` fail.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var file: String
    public var location: SourceLocation
    public var severity: Severity
    public var message: String
    /// A suggestion for how to fix it, printed on its own line when present.
    public var hint: String?

    public init(
        file: String, location: SourceLocation, severity: Severity = .error, message: String, hint: String? = nil
    ) {
        self.file = file
        self.location = location
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    public init(file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.init(file: file, location: SourceLocation(line: line, column: column), message: message, hint: hint)
    }

    public var line: Int { location.line }
    public var column: Int { location.column }

    /// `file:line:col: error: message`, then `  hint: …` when there is a hint.
    public var description: String {
        var text = "\(file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
        if let hint { text += "\n    hint: \(hint)" }
        return text
    }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error (warnings alone do not fail a run).
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, then position, so output is stable and reads top to bottom.
    public func sortedByLocation() -> [Diagnostic] {
        sorted { ($0.file, $0.location) < ($1.file, $1.location) }
    }
}

/// Lets a parser return `Result<T, [Diagnostic]>`: every problem found, not just the first.
extension Array: @retroactive Error where Element == Diagnostic {}
