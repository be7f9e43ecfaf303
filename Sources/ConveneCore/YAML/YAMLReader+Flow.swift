/// Flow sequences (`[a, b]`) and plain scalars, which share the rules for line folding.
extension YAMLReader {
    /// Where a plain scalar sits: `key` is one line ending at `: `; `flow` also ends at `,[]{}`.
    enum PlainMode {
        case block
        case flow
        case key
    }

    /// Reads `[…]` with the cursor on `[`; lines inside must be indented at least `required` spaces.
    /// Items are scalars or nested flow sequences; `key: value` pairs inside are rejected.
    mutating func parseFlowSequence(required: Int) throws -> YAMLNode {
        try enterCollection()
        defer { depth -= 1 }
        let start = here
        let opening = (line, column)
        column += 1
        var items: [YAMLNode] = []
        var expectingItem = true
        while true {
            try skipFlowSpace(required: required, opening: opening)
            let scalar = current!
            if scalar == "]" {
                column += 1
                return YAMLNode(value: .sequence(items), location: start)
            }
            if scalar == "," {
                if expectingItem {
                    throw error(
                        "empty entry in a '[…]' list", hint: "remove the extra ',' or quote an empty value: \"\"")
                }
                column += 1
                expectingItem = true
                continue
            }
            guard expectingItem else {
                if scalar == ":" {
                    throw error(
                        "flow mappings ({…}) are not supported; use an indented block mapping",
                        hint: "'key: value' pairs inside '[…]' form a mapping; quote the item if ':' is part of it")
                }
                throw error("expected ',' or ']' in a '[…]' list", hint: "separate items with ', '")
            }
            items.append(try parseFlowItem(required: required))
            expectingItem = false
        }
    }

    /// Reads one item of a flow sequence at the cursor.
    private mutating func parseFlowItem(required: Int) throws -> YAMLNode {
        let start = here
        let scalar = current!
        switch scalar {
        case "[":
            return try parseFlowSequence(required: required)
        case "\"", "'":
            return YAMLNode(value: .scalar(try parseQuoted(required: required)), location: start)
        case "|", ">":
            throw error("a block scalar ('|' or '>') cannot be an item of a '[…]' list", hint: "quote the item")
        case "-" where isWhiteOrEnd(line, column + 1) || YAMLReader.isFlowIndicator(character(line, column + 1)):
            throw error(
                "'-' alone cannot be an item of a '[…]' list",
                hint: "quote the item if it is text; '- ' entries belong to block lists")
        case "?" where isWhiteOrEnd(line, column + 1) || YAMLReader.isFlowIndicator(character(line, column + 1)):
            throw error("complex keys (?) are not supported", hint: "quote the item if it is text")
        case ":" where isWhiteOrEnd(line, column + 1) || YAMLReader.isFlowIndicator(character(line, column + 1)):
            throw error(
                "flow mappings ({…}) are not supported; use an indented block mapping",
                hint: "quote the item if ':' is part of it")
        case "#":
            throw error("a comment needs a space before '#'", hint: "quote the item if '#' is part of it")
        default:
            break
        }
        if let feature = unsupportedFeature(at: line, column) {
            throw error(feature.message, hint: feature.hint)
        }
        guard canStartPlain(line, column, inFlow: true) else {
            throw error("a plain value cannot start with '\(scalar)'", hint: "quote the item, e.g. \"\(scalar)…\"")
        }
        return YAMLNode(value: .scalar(scanPlain(parent: required - 1, mode: .flow)), location: start)
    }

    /// Skips white space, comments and line breaks inside a flow sequence, checking the indentation
    /// of each continued line; leaves the cursor on the next character that means something.
    private mutating func skipFlowSpace(required: Int, opening: (Int, Int)) throws {
        while true {
            let whiteStart = column
            skipWhite()
            if let scalar = current {
                let isComment = scalar == "#" && (column > whiteStart || column == 0)
                guard isComment else { return }
                column = lines[line].count
            }
            line += 1
            column = 0
            guard line < lines.count else {
                throw error(
                    "this '[' is never closed", at: opening.0, opening.1, hint: "add ']' after the last item")
            }
            if isBlank(line) || isComment(line) {
                column = lines[line].count
                continue
            }
            if documentMarker(line) != nil {
                throw error(
                    "this '[' is never closed before the document marker", at: opening.0, opening.1,
                    hint: "add ']' after the last item")
            }
            let spaces = leadingSpaces(line)
            if spaces < required {
                if character(line, spaces) == "\t" { throw tabError(at: line, spaces) }
                throw error(
                    "this continuation line of a '[…]' list must be indented more than its key", at: line, spaces,
                    hint: "indent it by at least \(required) space\(required == 1 ? "" : "s")")
            }
            column = spaces
        }
    }

    /// Reads a plain scalar at the cursor, folding continuation lines (unless `mode` is `key`).
    /// Lines continue the scalar only when indented more than `parent`. Leaves the cursor just
    /// after the scalar's last non-white character.
    mutating func scanPlain(parent: Int, mode: PlainMode) -> String {
        var text = String.UnicodeScalarView()
        scanPlainLine(into: &text, mode: mode)
        guard mode != .key else { return String(text) }
        while lines[line][column...].allSatisfy({ YAMLReader.isWhite($0) }) {
            var next = line + 1
            var emptyLines = 0
            while next < lines.count && isBlank(next) {
                let spaces = leadingSpaces(next)
                // A tab-holding blank line less indented than the scalar cannot be one of its empty lines.
                if spaces <= parent && spaces < lines[next].count { return String(text) }
                emptyLines += 1
                next += 1
            }
            guard next < lines.count, documentMarker(next) == nil else { return String(text) }
            let spaces = leadingSpaces(next)
            guard spaces > parent else { return String(text) }
            var start = spaces
            while YAMLReader.isWhite(character(next, start)) { start += 1 }
            let first = character(next, start)
            if first == "#" { return String(text) }
            if first == ":"
                && (isWhiteOrEnd(next, start + 1)
                    || (mode == .flow && YAMLReader.isFlowIndicator(character(next, start + 1))))
            {
                return String(text)
            }
            if mode == .flow && YAMLReader.isFlowIndicator(first) { return String(text) }
            if emptyLines == 0 {
                text.append(" ")
            } else {
                text.append(contentsOf: repeatElement("\n", count: emptyLines))
            }
            line = next
            column = start
            scanPlainLine(into: &text, mode: mode)
        }
        return String(text)
    }

    /// Appends the plain characters of the current line from the cursor, stopping before `: `, a
    /// comment, trailing white space or (in flow context) a flow indicator.
    private mutating func scanPlainLine(into text: inout String.UnicodeScalarView, mode: PlainMode) {
        let chars = lines[line]
        var index = column
        var end = column
        while index < chars.count {
            let scalar = chars[index]
            let next = character(line, index + 1)
            if scalar == ":"
                && (next == nil || YAMLReader.isWhite(next) || (mode == .flow && YAMLReader.isFlowIndicator(next)))
            {
                break
            }
            if mode == .flow && YAMLReader.isFlowIndicator(scalar) { break }
            if YAMLReader.isWhite(scalar) {
                if next == "#" { break }
            } else {
                end = index + 1
            }
            index += 1
        }
        text.append(contentsOf: chars[column..<end])
        column = end
    }
}
