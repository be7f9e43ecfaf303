/// A mistake found while reading the rules file; becomes a `Diagnostic` once the file name is known.
struct YAMLSyntaxError: Error, Sendable {
    var location: SourceLocation
    var message: String
    var hint: String?
}

/// The recursive-descent reader behind `YAMLParser`: the file as lines of Unicode scalars and a cursor.
///
/// Conventions shared by the `YAMLReader+…` files: `line` and `column` are 0-based; a block-level
/// parse function returns with the cursor at column 0 of the first line it did not consume; an
/// inline parse function returns with the cursor just after the node's last character.
/// `parent` is the indentation of the enclosing block collection (-1 at the top level): every
/// line that continues a node must be indented more than that.
struct YAMLReader {
    /// The file split at line breaks (LF, CRLF or CR), without the breaks.
    let lines: [[Unicode.Scalar]]
    var line = 0
    var column = 0
    /// Errors after which reading could sensibly go on (duplicate keys, tabs); fatal ones are thrown.
    var recorded: [YAMLSyntaxError] = []
    /// How many collections enclose the cursor; bounded so a hostile file cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 64

    init(text: String) {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var previousWasCR = false
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var endedWithBreak = false
        for scalar in scalars {
            endedWithBreak = false
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                endedWithBreak = true
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(current)
                current = []
                endedWithBreak = true
            } else {
                current.append(scalar)
            }
        }
        if !endedWithBreak && !(lines.isEmpty && current.isEmpty) { lines.append(current) }
        self.lines = lines
    }

    // MARK: Looking at characters

    /// The character at (`line`, `column`), nil past the end of the line or the file.
    func character(_ line: Int, _ column: Int) -> Unicode.Scalar? {
        guard line < lines.count, column >= 0, column < lines[line].count else { return nil }
        return lines[line][column]
    }

    /// The character under the cursor.
    var current: Unicode.Scalar? { character(line, column) }

    var atLineEnd: Bool { column >= (line < lines.count ? lines[line].count : 0) }

    static func isWhite(_ scalar: Unicode.Scalar?) -> Bool { scalar == " " || scalar == "\t" }

    static func isFlowIndicator(_ scalar: Unicode.Scalar?) -> Bool {
        scalar == "," || scalar == "[" || scalar == "]" || scalar == "{" || scalar == "}"
    }

    /// True when (`line`, `column`) is followed by a space, a tab or the end of the line.
    func isWhiteOrEnd(_ line: Int, _ column: Int) -> Bool {
        let scalar = character(line, column)
        return scalar == nil || Self.isWhite(scalar)
    }

    /// The number of spaces (not tabs) that start `line`.
    func leadingSpaces(_ line: Int) -> Int {
        var count = 0
        for scalar in lines[line] {
            guard scalar == " " else { break }
            count += 1
        }
        return count
    }

    /// True when `line` holds only spaces and tabs (or nothing).
    func isBlank(_ line: Int) -> Bool { lines[line].allSatisfy { Self.isWhite($0) } }

    /// True when the first non-white character of `line` starts a comment.
    func isComment(_ line: Int) -> Bool { lines[line].first { !Self.isWhite($0) } == "#" }

    /// `---` or `...` at the start of a line, followed by white space or the end of the line.
    func documentMarker(_ line: Int) -> String? {
        let chars = lines[line]
        guard chars.count >= 3, isWhiteOrEnd(line, 3) else { return nil }
        if chars[0] == "-" && chars[1] == "-" && chars[2] == "-" { return "---" }
        if chars[0] == "." && chars[1] == "." && chars[2] == "." { return "..." }
        return nil
    }

    /// True when `- ` (or `-` at the end of the line) starts a block sequence entry at `column`.
    func isSequenceEntry(_ line: Int, _ column: Int) -> Bool {
        character(line, column) == "-" && isWhiteOrEnd(line, column + 1)
    }

    /// True when a plain scalar may start at (`line`, `column`): not an indicator, except `-`, `?`
    /// and `:` directly followed by a character that may continue it.
    func canStartPlain(_ line: Int, _ column: Int, inFlow: Bool) -> Bool {
        guard let scalar = character(line, column), !Self.isWhite(scalar) else { return false }
        if scalar == "-" || scalar == "?" || scalar == ":" {
            let next = character(line, column + 1)
            return next != nil && !Self.isWhite(next) && !(inFlow && Self.isFlowIndicator(next))
        }
        return !"-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(scalar)
    }

    /// The column of the quote closing the quoted scalar that opens at (`line`, `column`), if on the same line.
    func closingQuote(_ line: Int, _ column: Int) -> Int? {
        let chars = lines[line]
        let quote = chars[column]
        var index = column + 1
        while index < chars.count {
            let scalar = chars[index]
            if quote == "\"" && scalar == "\\" {
                index += 2
                continue
            }
            if scalar == quote {
                if quote == "'" && character(line, index + 1) == "'" {
                    index += 2
                    continue
                }
                return index
            }
            index += 1
        }
        return nil
    }

    /// True when (`line`, `column`) starts a single-line implicit key followed by `:` and white space.
    func isImplicitKey(_ line: Int, _ column: Int) -> Bool {
        guard let first = character(line, column) else { return false }
        var index: Int
        if first == "\"" || first == "'" {
            guard let close = closingQuote(line, column) else { return false }
            index = close + 1
            while Self.isWhite(character(line, index)) { index += 1 }
            return character(line, index) == ":" && isWhiteOrEnd(line, index + 1)
        }
        guard canStartPlain(line, column, inFlow: false) else { return false }
        index = column
        while let scalar = character(line, index) {
            if scalar == ":" && isWhiteOrEnd(line, index + 1) { return true }
            if Self.isWhite(scalar) && character(line, index + 1) == "#" { return false }
            index += 1
        }
        return false
    }

    // MARK: Moving

    /// Moves to column 0 of the next line that is neither blank nor a comment (or past the last line).
    mutating func skipToContentLine() {
        while line < lines.count && (isBlank(line) || isComment(line)) { line += 1 }
        column = 0
    }

    /// Skips spaces and tabs on the current line; returns whether a tab was among them.
    @discardableResult
    mutating func skipWhite() -> Bool {
        var sawTab = false
        while let scalar = current, Self.isWhite(scalar) {
            if scalar == "\t" { sawTab = true }
            column += 1
        }
        return sawTab
    }

    /// Checks that only white space or a comment follows an inline node, then moves to the next line.
    mutating func finishLine(afterFlowSequence: Bool = false) throws {
        skipWhite()
        if let scalar = current {
            if scalar == "#" {
                guard column > 0, Self.isWhite(character(line, column - 1)) else {
                    throw error("a comment needs a space before '#'", hint: "write ' #' to start a comment")
                }
            } else if scalar == ":" && isWhiteOrEnd(line, column + 1) {
                if afterFlowSequence {
                    throw error(
                        "complex keys (?) are not supported",
                        hint: "a '[…]' list cannot be a key; use a plain or quoted key")
                }
                throw error(
                    "unexpected ':' after a value",
                    hint: "a key must start its own line (a value cannot span lines into 'key: value'); "
                        + "quote the value if ':' is part of the text")
            } else {
                throw error(
                    "unexpected text after the value",
                    hint: "quote the whole value if this is all one string")
            }
        }
        line += 1
        column = 0
    }

    /// Counts one more enclosing collection; callers undo it with `defer { depth -= 1 }`.
    mutating func enterCollection() throws {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error(
                "lists and mappings nested more than \(Self.maximumDepth) levels deep are not supported",
                hint: "flatten the structure")
        }
    }

    // MARK: Errors

    func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(line: line + 1, column: column + 1)
    }

    var here: SourceLocation { location(line, column) }

    /// An error at the cursor.
    func error(_ message: String, hint: String? = nil) -> YAMLSyntaxError {
        YAMLSyntaxError(location: here, message: message, hint: hint)
    }

    func error(_ message: String, at line: Int, _ column: Int, hint: String? = nil) -> YAMLSyntaxError {
        YAMLSyntaxError(location: location(line, column), message: message, hint: hint)
    }

    func tabError(at line: Int, _ column: Int) -> YAMLSyntaxError {
        error(
            "tab characters are not allowed in indentation", at: line, column,
            hint: "indent with spaces only; YAML gives tabs no indentation width")
    }
}
