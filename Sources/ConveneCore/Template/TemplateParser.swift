/// Reads a template file: the `subject:` line, the `---` separator and the body blocks, collecting
/// every mistake as a located diagnostic instead of stopping at the first.
///
/// Parsing works on arrays of Unicode scalars so that a column is an index plus one, as
/// `SourceLocation` defines it.
struct TemplateParser {
    typealias Line = [Unicode.Scalar]

    /// What a body line is, decided from its first characters alone.
    enum LineKind: Equatable {
        case blank
        case rule
        case text(start: Int, indented: Bool)
        case heading(level: Int, start: Int)
        case bullet(start: Int)
        case numbered(number: Int, start: Int)
        case inset(start: Int)
    }

    static let shapeHint = "a template is a line 'subject: …', then a line '---', then the body"

    let file: String
    var diagnostics: [Diagnostic] = []
    var uses: [TemplatePlaceholderUse] = []

    init(file: String) {
        self.file = file
    }

    /// Parses a whole file; nil when the subject or the separator is missing (the body cannot be found).
    mutating func parse(_ text: String) -> (subject: TemplateLine, body: [TemplateBlock])? {
        let lines = Self.lines(of: text)
        var index = 0
        while index < lines.count, Self.isBlank(lines[index]) { index += 1 }
        guard index < lines.count else {
            error(line: 1, column: 1, "the template is empty", hint: Self.shapeHint)
            return nil
        }
        let subjectLine = lines[index]
        let subjectNumber = index + 1
        guard subjectLine.count >= 8, String(String.UnicodeScalarView(subjectLine[0..<8])).lowercased() == "subject:"
        else {
            error(line: subjectNumber, column: 1, "expected 'subject:' on the first line", hint: Self.shapeHint)
            return nil
        }
        let subjectStart = Self.skipSpaces(subjectLine, from: 8)
        let subjectEnd = Self.contentEnd(subjectLine)
        var subject: TemplateLine?
        if subjectStart < subjectEnd {
            subject = inlines(subjectLine, subjectStart..<subjectEnd, number: subjectNumber, mode: .subject)
        } else {
            error(line: subjectNumber, column: 9, "the subject is empty", hint: "write the subject after 'subject:'")
        }

        index += 1
        while index < lines.count, Self.isBlank(lines[index]) { index += 1 }
        guard index < lines.count, Self.isSeparator(lines[index]) else {
            let line = index < lines.count ? index + 1 : subjectNumber + 1
            error(line: line, column: 1, "expected a line '---' after the subject line", hint: Self.shapeHint)
            return nil
        }
        let separatorNumber = index + 1
        let body = blocks(lines, from: index + 1)
        if body.isEmpty && !diagnostics.hasErrors {
            error(line: separatorNumber, column: 1, "the template has no body after '---'")
        }
        guard let subject else { return nil }
        return (subject, body)
    }

    /// Groups body lines into blocks. Lists run across blank lines while the next item has the same kind.
    mutating func blocks(_ lines: [Line], from first: Int) -> [TemplateBlock] {
        var kinds = [LineKind](repeating: .blank, count: lines.count)
        for index in first..<max(first, lines.count) {
            kinds[index] = classify(lines[index], number: index + 1)
        }
        var blocks: [TemplateBlock] = []
        var index = first
        while index < lines.count {
            switch kinds[index] {
            case .blank:
                index += 1
            case .rule:
                blocks.append(.rule)
                index += 1
            case .heading(let level, let start):
                blocks.append(.heading(level: level, line(lines, index, from: start)))
                index += 1
            case .inset:
                var parts: [TemplateLine] = []
                while index < lines.count, case .inset(let start) = kinds[index] {
                    parts.append(line(lines, index, from: start))
                    index += 1
                }
                blocks.append(.inset(parts))
            case .text:
                var parts: [TemplateLine] = []
                while index < lines.count, case .text(let start, _) = kinds[index] {
                    parts.append(line(lines, index, from: start))
                    index += 1
                }
                blocks.append(.paragraph(parts))
            case .bullet:
                blocks.append(.bulletList(listItems(lines, kinds, &index, numbered: false)))
            case .numbered(let number, _):
                blocks.append(.numberedList(start: number, listItems(lines, kinds, &index, numbered: true)))
            }
        }
        return blocks
    }

    /// Collects the items of one list starting at `index`, leaving `index` after the list.
    /// An indented text line continues the item above it.
    private mutating func listItems(
        _ lines: [Line], _ kinds: [LineKind], _ index: inout Int, numbered: Bool
    ) -> [[TemplateLine]] {
        func itemStart(_ kind: LineKind) -> Int? {
            switch kind {
            case .bullet(let start) where !numbered: start
            case .numbered(_, let start) where numbered: start
            default: nil
            }
        }
        var items: [[TemplateLine]] = []
        while index < lines.count {
            if let start = itemStart(kinds[index]) {
                items.append([line(lines, index, from: start)])
                index += 1
            } else if case .text(let start, indented: true) = kinds[index] {
                items[items.count - 1].append(line(lines, index, from: start))
                index += 1
            } else if kinds[index] == .blank {
                var next = index
                while next < lines.count, kinds[next] == .blank { next += 1 }
                guard next < lines.count, itemStart(kinds[next]) != nil else { return items }
                index = next
            } else {
                return items
            }
        }
        return items
    }

    private mutating func line(_ lines: [Line], _ index: Int, from start: Int) -> TemplateLine {
        inlines(lines[index], start..<Self.contentEnd(lines[index]), number: index + 1, mode: .body)
    }

    /// Decides what a body line is, reporting markers with nothing after them.
    mutating func classify(_ line: Line, number: Int) -> LineKind {
        let start = Self.skipSpaces(line, from: 0)
        let end = Self.contentEnd(line)
        guard start < end else { return .blank }
        let indented = start > 0
        let first = line[start]
        if end - start >= 3, line[start..<end].allSatisfy({ $0 == "-" }) { return .rule }
        if first == "#" {
            var hashes = start
            while hashes < end, line[hashes] == "#" { hashes += 1 }
            if hashes == end || Self.isSpace(line[hashes]) {
                let level = hashes - start
                let content = Self.skipSpaces(line, from: hashes)
                if level > 2 {
                    warning(
                        line: number, column: start + 1, "only '#' and '##' headings exist; this line is shown as text")
                    return .text(start: start, indented: indented)
                }
                guard content < end else { return empty("heading", number, start) }
                return .heading(level: level, start: content)
            }
        }
        if first == "*" || first == "-" || first == "•" {
            if start + 1 == end { return empty("list item", number, start) }
            if Self.isSpace(line[start + 1]) { return .bullet(start: Self.skipSpaces(line, from: start + 1)) }
        }
        if ("0"..."9").contains(first) {
            var digits = start
            while digits < end, ("0"..."9").contains(line[digits]) { digits += 1 }
            if digits - start <= 9, digits < end, line[digits] == ".",
                digits + 1 == end || Self.isSpace(line[digits + 1])
            {
                guard digits + 1 < end else { return empty("list item", number, start) }
                let value = Int(String(String.UnicodeScalarView(line[start..<digits]))) ?? 1
                return .numbered(number: value, start: Self.skipSpaces(line, from: digits + 1))
            }
        }
        if first == "^" {
            let content = Self.skipSpaces(line, from: start + 1)
            guard content < end else { return empty("inset", number, start) }
            return .inset(start: content)
        }
        return .text(start: start, indented: indented)
    }

    private mutating func empty(_ what: String, _ number: Int, _ start: Int) -> LineKind {
        error(line: number, column: start + 1, "\(what) has no text")
        return .blank
    }

    mutating func error(line: Int, column: Int, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(file: file, line: line, column: column, message: message, hint: hint))
    }

    mutating func warning(line: Int, column: Int, _ message: String) {
        diagnostics.append(
            Diagnostic(
                file: file, location: SourceLocation(line: line, column: column), severity: .warning,
                message: message))
    }

    /// Splits on LF, dropping a CR before it and a leading byte-order mark (editors do not show it,
    /// so columns must not count it).
    static func lines(of text: String) -> [Line] {
        var lines: [Line] = [[]]
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        for scalar in scalars {
            if scalar == "\n" {
                if lines[lines.count - 1].last == "\r" { lines[lines.count - 1].removeLast() }
                lines.append([])
            } else {
                lines[lines.count - 1].append(scalar)
            }
        }
        if lines[lines.count - 1].last == "\r" { lines[lines.count - 1].removeLast() }
        return lines
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    static func skipSpaces(_ line: Line, from index: Int) -> Int {
        var index = index
        while index < line.count, isSpace(line[index]) { index += 1 }
        return index
    }

    /// The index after the last character that is not a space or tab.
    static func contentEnd(_ line: Line) -> Int {
        var end = line.count
        while end > 0, isSpace(line[end - 1]) { end -= 1 }
        return end
    }

    static func isBlank(_ line: Line) -> Bool { contentEnd(line) == 0 }

    static func isSeparator(_ line: Line) -> Bool {
        let start = skipSpaces(line, from: 0)
        let end = contentEnd(line)
        return start < end && line[start..<end].elementsEqual("---".unicodeScalars)
    }
}
