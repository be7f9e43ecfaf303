/// Block structure: the document, block mappings and sequences, and what may start a node.
extension YAMLReader {
    /// Where a block node sits; decides which collections may start on the current line.
    enum BlockContext {
        case mappingValue
        case sequenceEntry
    }

    /// Reads the whole file: an optional `---`, one root node, an optional `...`.
    mutating func parseDocument() throws -> YAMLNode? {
        skipToContentLine()
        guard line < lines.count else { return nil }
        if lines[line].first == "%" {
            throw error(
                "directives (%YAML, %TAG) are not supported", hint: "remove the line; the file is read as YAML 1.2")
        }
        if documentMarker(line) == "---" {
            column = 3
            skipWhite()
            if let scalar = current, scalar != "#" {
                throw error(
                    "content on the '---' line is not supported", hint: "start the document on the next line")
            }
            line += 1
            skipToContentLine()
        }
        var root: YAMLNode?
        if line < lines.count && documentMarker(line) == nil {
            // The context only matters for a node at its parent's indentation, impossible at the top.
            root = try parseNodeOnFollowingLines(parent: -1, context: .sequenceEntry)
            skipToContentLine()
        }
        guard line < lines.count else { return root }
        if documentMarker(line) == "..." {
            column = 3
            try finishLine()
            skipToContentLine()
            guard line < lines.count else { return root }
            throw error("multiple documents are not supported", hint: "keep everything in one document")
        }
        throw unexpectedLineError(
            at: line, leadingSpaces(line),
            fallback: "unexpected content after the top-level value",
            hint: "check the indentation of this line")
    }

    /// Reads the node after `key:` or `- `, with the cursor just after the indicator.
    /// Returns with the cursor at column 0 of the first line not consumed.
    mutating func parseBlockValue(parent: Int, context: BlockContext) throws -> YAMLNode {
        let emptyAt = here
        let sawTab = skipWhite()
        let tabColumn = lines[line][emptyAt.column - 1..<column].firstIndex(of: "\t") ?? column
        if atLineEnd || current == "#" {
            line += 1
            return try parseNodeOnFollowingLines(parent: parent, context: context)
                ?? YAMLNode(value: .scalar(""), location: emptyAt)
        }
        let isEntry = isSequenceEntry(line, column)
        if isEntry || isImplicitKey(line, column) {
            guard context == .sequenceEntry else {
                throw isEntry
                    ? error(
                        "a block sequence cannot start on the same line as its key",
                        hint: "put each '- item' on its own line below the key, indented")
                    : error(
                        "a mapping cannot start on the same line as its key",
                        hint: "move 'key: value' to the next line and indent it, or quote the value if ':' "
                            + "is part of the text")
            }
            // A compact collection's entries line up with its first character, which tabs cannot give.
            if sawTab { throw tabError(at: line, tabColumn) }
            return isEntry ? try parseBlockSequence(indent: column) : try parseBlockMapping(indent: column)
        }
        return try parseInlineNode(parent: parent)
    }

    /// Reads a node that starts on a later line (after `key:` alone, `-` alone, or at the top level).
    /// Returns nil when no line is indented enough to belong to it (an empty value).
    mutating func parseNodeOnFollowingLines(parent: Int, context: BlockContext) throws -> YAMLNode? {
        skipToContentLine()
        guard line < lines.count, documentMarker(line) == nil else { return nil }
        let spaces = leadingSpaces(line)
        column = spaces
        if spaces <= parent {
            // A sequence may sit at its key's own indentation: `key:` then `- item` below it.
            if spaces == parent && context == .mappingValue && isSequenceEntry(line, spaces) {
                return try parseBlockSequence(indent: spaces)
            }
            column = 0
            return nil
        }
        if current == "\t" {
            skipWhite()
            if isSequenceEntry(line, column) || isImplicitKey(line, column) { throw tabError(at: line, spaces) }
            return try parseInlineNode(parent: parent)
        }
        if isSequenceEntry(line, spaces) { return try parseBlockSequence(indent: spaces) }
        if isImplicitKey(line, spaces) { return try parseBlockMapping(indent: spaces) }
        return try parseInlineNode(parent: parent)
    }

    /// Reads a block mapping whose keys start at column `indent`, cursor on the first key.
    mutating func parseBlockMapping(indent: Int) throws -> YAMLNode {
        try enterCollection()
        defer { depth -= 1 }
        let start = here
        var pairs: [YAMLPair] = []
        var firstSeen: [String: SourceLocation] = [:]
        repeat {
            let keyLocation = here
            let key: String
            if current == "\"" || current == "'" {
                key = try parseQuoted(required: indent + 1)
            } else {
                key = scanPlain(parent: indent, mode: .key)
            }
            skipWhite()
            column += 1  // the ':' that `isImplicitKey` found
            let value = try parseBlockValue(parent: indent, context: .mappingValue)
            if let first = firstSeen[key] {
                recorded.append(
                    YAMLSyntaxError(
                        location: keyLocation,
                        message: "duplicate key '\(key)' (first defined at line \(first.line))",
                        hint: "each key may appear only once in a mapping; YAML tools disagree on which one wins"))
            } else {
                firstSeen[key] = keyLocation
                pairs.append(YAMLPair(key: key, keyLocation: keyLocation, value: value))
            }
            guard try moveToNextEntry(indent: indent) else { break }
            guard isImplicitKey(line, indent) else {
                throw unexpectedLineError(
                    at: line, indent,
                    fallback: "expected 'key: value' at this indentation",
                    hint: "a value that continues on the next line must be indented more than its key")
            }
        } while true
        return YAMLNode(value: .mapping(pairs), location: start)
    }

    /// Reads a block sequence whose `-` indicators are at column `indent`, cursor on the first one.
    mutating func parseBlockSequence(indent: Int) throws -> YAMLNode {
        try enterCollection()
        defer { depth -= 1 }
        let start = here
        var items: [YAMLNode] = []
        repeat {
            column += 1
            items.append(try parseBlockValue(parent: indent, context: .sequenceEntry))
            guard try moveToNextEntry(indent: indent) else { break }
        } while isSequenceEntry(line, indent)
        column = 0
        return YAMLNode(value: .sequence(items), location: start)
    }

    /// Moves to the next line indented exactly `indent` (cursor at that column) and returns true, or
    /// returns false at a line that belongs to an outer node. Tab-indented lines are recorded and
    /// skipped with everything indented under them, so several can be reported at once.
    mutating func moveToNextEntry(indent: Int) throws -> Bool {
        while true {
            skipToContentLine()
            guard line < lines.count, documentMarker(line) == nil else { return false }
            let spaces = leadingSpaces(line)
            if spaces < indent { return false }
            if character(line, spaces) == "\t" {
                recorded.append(tabError(at: line, spaces))
                line += 1
                while line < lines.count && (isBlank(line) || isComment(line) || leadingSpaces(line) > indent) {
                    line += 1
                }
                continue
            }
            if spaces > indent {
                throw error(
                    "bad indentation: this line does not line up with the entries above it", at: line, spaces,
                    hint: "entries of one mapping or list start in the same column (here column \(indent + 1)); "
                        + "a nested value goes on the line after its key, further right")
            }
            column = indent
            return true
        }
    }

    /// The error for a line that cannot continue the structure: names an unsupported feature when it
    /// starts with one, otherwise `fallback`.
    func unexpectedLineError(at line: Int, _ column: Int, fallback: String, hint: String) -> YAMLSyntaxError {
        if character(line, leadingSpaces(line)) == "\t" {
            return tabError(at: line, leadingSpaces(line))
        }
        if documentMarker(line) == "---" {
            return error("multiple documents are not supported", at: line, 0, hint: "keep everything in one document")
        }
        if let feature = unsupportedFeature(at: line, column) {
            return error(feature.message, at: line, column, hint: feature.hint)
        }
        return error(fallback, at: line, column, hint: hint)
    }

    /// The unsupported YAML feature that starts at (`line`, `column`), if any.
    func unsupportedFeature(at line: Int, _ column: Int) -> (message: String, hint: String?)? {
        switch character(line, column) {
        case "&":
            return ("anchors (&name) are not supported", "repeat the value instead of anchoring it")
        case "*":
            return ("aliases (*name) are not supported", "repeat the value; quote it if it starts with '*'")
        case "!":
            return ("tags (!tag) are not supported", "every value is read as a string; quote it if it starts with '!'")
        case "{":
            return ("flow mappings ({…}) are not supported; use an indented block mapping", nil)
        case "?" where isWhiteOrEnd(line, column + 1):
            return ("complex keys (?) are not supported", "write 'key: value' with a plain or quoted key")
        case "%" where column == 0:
            return ("directives (%YAML, %TAG) are not supported", "remove the line")
        case "|", ">":
            return ("a block scalar ('|' or '>') cannot be a key", "use a plain or quoted key")
        case ":" where isWhiteOrEnd(line, column + 1):
            return ("a mapping key is missing before ':'", "write 'key: value'")
        case "[" where isFlowSequenceKey(line, column):
            return ("complex keys (?) are not supported", "a '[…]' list cannot be a key; use a plain or quoted key")
        default:
            return nil
        }
    }

    /// True when a `[…]` closing on this line is followed by `:` (a flow sequence used as a key).
    private func isFlowSequenceKey(_ line: Int, _ column: Int) -> Bool {
        var depth = 0
        var index = column
        while let scalar = character(line, index) {
            if scalar == "[" { depth += 1 }
            if scalar == "]" {
                depth -= 1
                if depth == 0 {
                    index += 1
                    while YAMLReader.isWhite(character(line, index)) { index += 1 }
                    return character(line, index) == ":" && isWhiteOrEnd(line, index + 1)
                }
            }
            index += 1
        }
        return false
    }

    /// Reads a node that is not a block collection, starting at the cursor: a flow sequence, a quoted,
    /// block or plain scalar. Returns at column 0 of the next unconsumed line.
    mutating func parseInlineNode(parent: Int) throws -> YAMLNode {
        let start = here
        guard let first = current else { throw error("expected a value") }
        switch first {
        case "[":
            let node = try parseFlowSequence(required: parent + 1)
            try finishLine(afterFlowSequence: true)
            return node
        case "\"", "'":
            let text = try parseQuoted(required: parent + 1)
            try finishLine()
            return YAMLNode(value: .scalar(text), location: start)
        case "|", ">":
            return try parseBlockScalar(parent: parent)
        default:
            break
        }
        if let feature = unsupportedFeature(at: line, column) {
            throw error(feature.message, hint: feature.hint)
        }
        if first == "-" && isWhiteOrEnd(line, column + 1) {
            throw error(
                "a block sequence cannot start here", hint: "put '- item' on its own line, indented under its key")
        }
        guard canStartPlain(line, column, inFlow: false) else {
            throw error(
                "a plain value cannot start with '\(first)'", hint: "quote the value, e.g. \"\(first)…\"")
        }
        let text = scanPlain(parent: parent, mode: .block)
        try finishLine()
        return YAMLNode(value: .scalar(text), location: start)
    }
}
