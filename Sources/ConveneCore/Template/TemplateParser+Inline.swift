/// Inline markup: `((placeholder))`, `((placeholder??text))`, `[text](url)` and bare URLs.
extension TemplateParser {
    /// What inline markup a piece of text may contain.
    enum InlineMode {
        /// The subject: placeholders only; everything else is literal text.
        case subject
        /// A body line: placeholders, links and bare URLs.
        case body
        /// The text or URL of a link: placeholders only (no nested links or autolinks).
        case linkPart
    }

    /// Parses `line[range]`, recording placeholder uses and reporting malformed markup.
    mutating func inlines(_ line: Line, _ range: Range<Int>, number: Int, mode: InlineMode) -> TemplateLine {
        var result: [TemplateInline] = []
        var usesPlaceholders = false
        var pending = String.UnicodeScalarView()
        func flush() {
            guard !pending.isEmpty else { return }
            let text = String(pending)
            result.append(.text(plain: text, html: TemplateFormatting.html(text)))
            pending = String.UnicodeScalarView()
        }
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let scalar = line[index]
            if scalar == "(", Self.startsPlaceholder(line, index, end) {
                let (inline, next) = placeholder(line, at: index, end: end, number: number, mode: mode)
                if let inline {
                    flush()
                    result.append(inline)
                    usesPlaceholders = true
                } else {
                    pending.append(contentsOf: line[index..<next])
                }
                index = next
            } else if mode == .body, scalar == "[",
                case (let inline, let uses, let next)? = link(line, at: index, end: end, number)
            {
                if let inline {
                    flush()
                    result.append(inline)
                    usesPlaceholders = usesPlaceholders || uses
                } else {
                    pending.append(contentsOf: line[index..<next])
                }
                index = next
            } else if mode == .body, let urlEnd = Self.bareURLEnd(line, at: index, range) {
                flush()
                let url = String(String.UnicodeScalarView(line[index..<urlEnd]))
                result.append(
                    .text(plain: url, html: TemplateHTML.anchor(href: url, html: TemplateFormatting.html(url))))
                index = urlEnd
            } else {
                // A tab or other control character in the subject would reach a header.
                pending.append(mode == .subject && scalar.properties.generalCategory == .control ? " " : scalar)
                index += 1
            }
        }
        flush()
        return TemplateLine(inlines: Self.merged(result), usesPlaceholders: usesPlaceholders, number: number)
    }

    /// True at the `((` that opens a placeholder; in `(((x)))` the first `(` is text.
    static func startsPlaceholder(_ line: Line, _ index: Int, _ end: Int) -> Bool {
        index + 1 < end && line[index + 1] == "(" && !(index + 2 < end && line[index + 2] == "(")
    }

    /// Parses `((name))` or `((name??text))` at `index`. Returns nil after reporting a mistake, with the
    /// index to carry on from (the text up to it is then shown literally).
    private mutating func placeholder(
        _ line: Line, at index: Int, end: Int, number: Int, mode: InlineMode
    ) -> (TemplateInline?, Int) {
        let column = index + 1
        guard let close = Self.placeholderClose(line, from: index + 2, end) else {
            error(
                line: number, column: column, "'((' is never closed",
                hint: "end the placeholder with '))' on the same line")
            return (nil, index + 2)
        }
        let content = (index + 2)..<close
        if let paren = line[content].firstIndex(where: { $0 == "(" || $0 == ")" }) {
            if line[paren] == "(", Self.startsPlaceholder(line, paren, end) {
                // `((a ((b))`: the first one was never closed; the second is parsed on its own.
                error(line: number, column: column, "'((' is never closed", hint: "end the placeholder with '))'")
                return (nil, paren)
            }
            error(line: number, column: paren + 1, "a placeholder cannot contain '(' or ')'")
            return (nil, close + 2)
        }
        var question = content.lowerBound
        while question + 1 < close, !(line[question] == "?" && line[question + 1] == "?") { question += 1 }
        let isOptional = question + 1 < close
        let nameEnd = isOptional ? question : close
        let name = String(String.UnicodeScalarView(line[content.lowerBound..<nameEnd]))
            .trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            error(
                line: number, column: column, "placeholder has no name",
                hint: "write a name, as in ((first name)) or ((interim??text))")
            return (nil, close + 2)
        }
        let key = MessageTemplate.normalise(name)
        uses.append(TemplatePlaceholderUse(name: key, location: SourceLocation(line: number, column: column)))
        guard MessageTemplate.knownPlaceholders.contains(key) else {
            error(line: number, column: column, "unknown placeholder '((\(name)))'", hint: Self.suggestion(for: key))
            return (nil, close + 2)
        }
        guard isOptional else { return (.placeholder(key, column: column), close + 2) }
        // The optional text holds no parentheses, so it can hold no placeholder or link: only bare URLs.
        let text = inlines(line, (question + 2)..<close, number: number, mode: mode == .body ? .body : .linkPart)
        var plain = ""
        var html = ""
        for case .text(let textPlain, let textHTML) in text.inlines {
            plain += textPlain
            html += textHTML
        }
        return (.optional(key, plain: plain, html: html), close + 2)
    }

    /// Parses `[text](url)` at `index`. Returns nil when the `[` starts no link (it is then text), or an
    /// inline (nil after a reported mistake), whether it uses placeholders and the index after it.
    private mutating func link(
        _ line: Line, at index: Int, end: Int, _ number: Int
    ) -> (TemplateInline?, Bool, Int)? {
        guard let close = line[(index + 1)..<end].firstIndex(of: "]"), close + 1 < end, line[close + 1] == "("
        else { return nil }
        let urlStart = close + 2
        var urlEnd = urlStart
        while urlEnd < end, line[urlEnd] != ")" {
            if line[urlEnd] == "(", Self.startsPlaceholder(line, urlEnd, end),
                let placeholderClose = Self.placeholderClose(line, from: urlEnd + 2, end)
            {
                urlEnd = placeholderClose + 2
            } else {
                urlEnd += 1
            }
        }
        guard urlEnd < end else {
            error(line: number, column: close + 2, "link is never closed", hint: "end the URL with ')'")
            return (nil, false, index + 1)
        }
        let next = urlEnd + 1
        let text = inlines(line, (index + 1)..<close, number: number, mode: .linkPart)
        let trimmedURL = Self.trimmed(line, urlStart..<urlEnd)
        guard !trimmedURL.isEmpty else {
            error(line: number, column: close + 2, "link has no URL", hint: "write it as [text](https://…)")
            return (nil, false, next)
        }
        let url = inlines(line, trimmedURL, number: number, mode: .linkPart)
        if text.inlines.isEmpty || Self.isWhitespace(line[(index + 1)..<close]) {
            error(line: number, column: index + 1, "link has no text", hint: "write it as [what the link is](url)")
            return (nil, false, next)
        }
        guard case .text(let textPlain, let textHTML) = text.inlines.first, text.inlines.count == 1,
            case .text(let urlPlain, _) = url.inlines.first, url.inlines.count == 1
        else {
            return (.link(text: text.inlines, url: url.inlines), text.usesPlaceholders || url.usesPlaceholders, next)
        }
        guard TemplateFormatting.isLinkable(urlPlain) else {
            error(
                line: number, column: trimmedURL.lowerBound + 1, "link URL must start with https://, http:// or mailto:"
            )
            return (nil, false, next)
        }
        let rendered = TemplateInline.text(
            plain: TemplateFormatting.plainLink(text: textPlain, url: urlPlain),
            html: TemplateFormatting.htmlLink(html: textHTML, url: urlPlain))
        return (rendered, false, next)
    }

    /// The index of the first `))` at or after `index`.
    static func placeholderClose(_ line: Line, from index: Int, _ end: Int) -> Int? {
        var close = index
        while close + 1 < end {
            if line[close] == ")" && line[close + 1] == ")" { return close }
            close += 1
        }
        return nil
    }

    /// The end of a bare `http://` or `https://` URL starting at `index`, or nil when none starts there.
    /// Trailing punctuation and an unbalanced `)` belong to the sentence, not the URL.
    static func bareURLEnd(_ line: Line, at index: Int, _ range: Range<Int>) -> Int? {
        guard line[index] == "h" || line[index] == "H" else { return nil }
        if index > range.lowerBound, line[index - 1].properties.isAlphabetic || ("0"..."9").contains(line[index - 1]) {
            return nil
        }
        let head = String(String.UnicodeScalarView(line[index..<min(index + 8, range.upperBound)])).lowercased()
        let scheme = head.hasPrefix("https://") ? 8 : head.hasPrefix("http://") ? 7 : 0
        guard scheme > 0 else { return nil }
        var end = index + scheme
        while end < range.upperBound, !isURLStop(line, end, range.upperBound) { end += 1 }
        while end > index + scheme {
            let last = line[end - 1]
            if ".,;:!?'\"".unicodeScalars.contains(last) {
                end -= 1
            } else if last == ")",
                line[index..<end].filter({ $0 == ")" }).count > line[index..<end].filter({ $0 == "(" }).count
            {
                end -= 1
            } else {
                break
            }
        }
        return end > index + scheme ? end : nil
    }

    private static func isURLStop(_ line: Line, _ index: Int, _ end: Int) -> Bool {
        let scalar = line[index]
        return scalar.properties.isWhitespace || scalar == "<" || scalar == ">" || scalar == "\""
            || (scalar == "(" && startsPlaceholder(line, index, end))
    }

    private static func trimmed(_ line: Line, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(line[lower]) { lower += 1 }
        while upper > lower, isSpace(line[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func isWhitespace(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        scalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Joins neighbouring static text, so rendering appends one string instead of several.
    static func merged(_ inlines: [TemplateInline]) -> [TemplateInline] {
        var result: [TemplateInline] = []
        result.reserveCapacity(inlines.count)
        for inline in inlines {
            if case .text(let plain, let html) = inline, case .text(let lastPlain, let lastHTML)? = result.last {
                result[result.count - 1] = .text(plain: lastPlain + plain, html: lastHTML + html)
            } else {
                result.append(inline)
            }
        }
        return result
    }

    /// "did you mean …?" for a near miss, else the list of known placeholders.
    static func suggestion(for key: String) -> String {
        let closest = MessageTemplate.knownPlaceholderNames
            .map { (name: $0, distance: editDistance(key, MessageTemplate.normalise($0))) }
            .min { $0.distance < $1.distance }
        if let closest, closest.distance <= max(1, key.count / 3) {
            return "did you mean '((\(closest.name)))'?"
        }
        return "known placeholders: " + MessageTemplate.knownPlaceholderNames.joined(separator: ", ")
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
