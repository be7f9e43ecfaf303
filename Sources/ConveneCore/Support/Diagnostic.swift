/// A position in a user file: 1-based line and column (column counts Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, Codable {
    /// The line, from 1; 0 only for a location not taken from a file.
    public var line: Int
    /// The column, from 1, in Unicode scalars (not bytes or UTF-16 units).
    public var column: Int

    /// Takes the numbers as given; 0 means "not from a file".
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Earlier in the file first: by line, then column.
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

    /// The file's path as printed first in `file:line:col:`, as the user named or the rules file resolved it.
    public var file: String
    /// Where the problem is: the offending value's start, or 1:1 for a problem with the whole file.
    public var location: SourceLocation
    /// Error (fails `validate` and the load) or warning (printed, nothing stops).
    public var severity: Severity
    /// What is wrong, in one line, usually quoting the value as written.
    public var message: String
    /// A suggestion for how to fix it, printed on its own line when present.
    public var hint: String?

    /// A diagnostic of any severity; `hint` nil prints no hint line.
    public init(
        file: String, location: SourceLocation, severity: Severity = .error, message: String, hint: String? = nil
    ) {
        self.file = file
        self.location = location
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    /// An error at `line`, `column`: the common case.
    public init(file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.init(file: file, location: SourceLocation(line: line, column: column), message: message, hint: hint)
    }

    /// The location's line, from 1.
    public var line: Int { location.line }
    /// The location's column, from 1, in Unicode scalars.
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

/// Lets a parser return `Result<T, [Diagnostic]>`: every problem found, not just the first. Retroactive on purpose:
/// a wrapper type would have to be unwrapped at every one of the parsers' call sites, and nothing else in the
/// process declares `Array: Error`.
// swift-format-ignore: AvoidRetroactiveConformances
extension Array: @retroactive Error where Element == Diagnostic {}
