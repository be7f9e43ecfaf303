/// Literal (`|`) and folded (`>`) block scalars with chomping and indentation indicators.
extension YAMLReader {
    /// What happens to the line breaks at the end of a block scalar.
    private enum Chomping {
        case strip, clip, keep
    }

    /// Reads a block scalar with the cursor on `|` or `>`; its text lines are indented more than
    /// `parent`. Returns at column 0 of the first line that is not part of it.
    mutating func parseBlockScalar(parent: Int) throws -> YAMLNode {
        let start = here
        let literal = current == "|"
        column += 1
        var chomping = Chomping.clip
        var explicitIndent: Int?
        for _ in 0..<2 {
            if chomping == .clip, current == "-" || current == "+" {
                chomping = current == "-" ? .strip : .keep
                column += 1
            } else if explicitIndent == nil, let scalar = current, ("0"..."9").contains(scalar) {
                guard scalar != "0" else {
                    throw error("a block scalar's indentation indicator must be 1 to 9", hint: "or leave it out")
                }
                explicitIndent = Int(scalar.value - 48)
                column += 1
            }
        }
        if let scalar = current, !YAMLReader.isWhite(scalar) {
            throw scalar == "#"
                ? error("a comment needs a space before '#'", hint: "write ' #' to start a comment")
                : error(
                    "unexpected text after '\(literal ? "|" : ">")'",
                    hint: "the text of a block scalar starts on the next line; only -, + or a digit may follow it")
        }
        skipWhite()
        if let scalar = current, scalar != "#" {
            throw error(
                "unexpected text after '\(literal ? "|" : ">")'",
                hint: "the text of a block scalar starts on the next line")
        }
        if explicitIndent != nil && parent < 0 {
            // YAML 1.2 and libyaml disagree on what the indicator counts from at the top level.
            throw YAMLSyntaxError(
                location: start, message: "an indentation indicator on a top-level block scalar is not supported",
                hint: "remove the digit after '\(literal ? "|" : ">")'")
        }
        line += 1
        column = 0
        let (contents, emptyBefore, emptyAfter) = try readBlockScalarLines(
            parent: parent, indent: explicitIndent.map { parent + $0 })
        let text = Self.joinBlockScalar(
            contents, emptyBefore: emptyBefore, emptyAfter: emptyAfter, literal: literal, chomping: chomping)
        return YAMLNode(value: .scalar(text), location: start, style: literal ? .literal : .folded)
    }

    /// Collects the text lines of a block scalar (with its indentation removed), the number of
    /// empty lines before each, and the number of empty lines after the last.
    private mutating func readBlockScalarLines(
        parent: Int, indent explicitIndent: Int?
    ) throws -> ([[Unicode.Scalar]], [Int], Int) {
        var indent = explicitIndent
        var contents: [[Unicode.Scalar]] = []
        var emptyBefore: [Int] = []
        var empty = 0
        var widestLeadingEmpty = (spaces: 0, line: 0)
        while line < lines.count {
            let chars = lines[line]
            let spaces = leadingSpaces(line)
            let spacesOnly = spaces == chars.count
            if let indent {
                if spaces >= indent && !(spacesOnly && spaces == indent) {
                    emptyBefore.append(empty)
                    empty = 0
                    contents.append(Array(chars[indent...]))
                } else if spacesOnly {
                    empty += 1
                } else {
                    // A tab-only line here can be neither text nor an empty line of the scalar.
                    if chars[spaces] == "\t" && isBlank(line) { throw tabError(at: line, spaces) }
                    break
                }
                line += 1
                continue
            }
            if spacesOnly {
                if spaces > widestLeadingEmpty.spaces { widestLeadingEmpty = (spaces, line) }
                empty += 1
                line += 1
                continue
            }
            // The first line with text sets the indentation. libyaml wants at least one space even at
            // the top level, YAML 1.2 allows none: requiring one keeps both readings the same.
            guard spaces > parent && spaces >= 1 else {
                if chars[spaces] == "\t" && isBlank(line) { throw tabError(at: line, spaces) }
                break
            }
            if widestLeadingEmpty.spaces > spaces {
                throw error(
                    "an empty line at the start of a block scalar has more spaces than its first text line",
                    at: widestLeadingEmpty.line, spaces,
                    hint: "remove the trailing spaces from the empty lines")
            }
            indent = spaces
        }
        column = 0
        return (contents, emptyBefore, empty)
    }

    /// Builds the value: literal keeps line breaks; folded joins adjacent unindented lines with a
    /// space; chomping decides the final line breaks.
    private static func joinBlockScalar(
        _ contents: [[Unicode.Scalar]], emptyBefore: [Int], emptyAfter: Int, literal: Bool, chomping: Chomping
    ) -> String {
        guard !contents.isEmpty else {
            return chomping == .keep ? String(repeating: "\n", count: emptyAfter) : ""
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: repeatElement("\n", count: emptyBefore[0]))
        text.append(contentsOf: contents[0])
        for index in contents.indices.dropFirst() {
            let breaks = emptyBefore[index]
            let folds = !literal && !isSpaced(contents[index - 1]) && !isSpaced(contents[index])
            if folds && breaks == 0 {
                text.append(" ")
            } else {
                text.append(contentsOf: repeatElement("\n", count: folds ? breaks : breaks + 1))
            }
            text.append(contentsOf: contents[index])
        }
        switch chomping {
        case .strip: break
        case .clip: text.append("\n")
        case .keep: text.append(contentsOf: repeatElement("\n", count: emptyAfter + 1))
        }
        return String(text)
    }

    /// A folded scalar's line that starts with white space keeps its line breaks.
    private static func isSpaced(_ line: [Unicode.Scalar]) -> Bool {
        line.first == " " || line.first == "\t"
    }
}
