import Foundation

/// Renders parsed template blocks for one recipient.
///
/// The text/plain and text/html bodies are built in one pass over the blocks, so both parts always
/// leave out the same lines. Values are inserted as text only: they are never parsed as markup.
struct TemplateRenderer {
    /// Values keyed by normalised placeholder name; a missing value renders as "".
    let values: [String: String]
    /// Ready-made HTML for values richer than escaped text (the organizer's mailto link), used in running text in
    /// place of the escaped value; whether the value shows at all is still decided by `values`.
    var htmlValues: [String: String] = [:]

    /// Indentation in the plain part for continuation lines of list items and for inset text.
    static let plainIndent = "  "
    static let plainBullet = "• "
    static let plainRule = String(repeating: "-", count: 40)

    /// The subject: one line of plain text, whatever the values hold.
    func subject(_ line: TemplateLine) -> String {
        var out = ""
        for inline in line.inlines {
            switch inline {
            case .text(let plain, _): out += plain
            case .placeholder(let key, _): out += Self.subjectValue(values[key] ?? "")
            case .optional(let key, let plain, _): if Self.isTruthy(values[key]) { out += plain }
            case .link: break  // the subject is parsed without links
            }
        }
        return out.trimmingBlanks()
    }

    /// The plain body, with blocks separated by a blank line, and the HTML blocks (without the document).
    func body(_ blocks: [TemplateBlock]) -> (plain: String, html: String) {
        var plainBlocks: [String] = []
        var html = ""
        for block in blocks {
            switch block {
            case .heading(let level, let line):
                guard let rendered = render(line) else { continue }
                plainBlocks.append(rendered.plain + "\n")
                html += level == 1 ? TemplateHTML.heading1 : TemplateHTML.heading2
                html += rendered.html + (level == 1 ? "</h1>\n" : "</h2>\n")
            case .paragraph(let lines):
                guard let rendered = render(lines) else { continue }
                plainBlocks.append(rendered.plain + "\n")
                html += TemplateHTML.paragraph + rendered.html + "</p>\n"
            case .bulletList(let items):
                let rendered = items.compactMap(render)
                guard !rendered.isEmpty else { continue }
                plainBlocks.append(
                    rendered.map { Self.plainBullet + Self.indented($0.plain, by: Self.plainIndent) + "\n" }.joined())
                html += TemplateHTML.bulletList + "\n" + Self.htmlItems(rendered) + "</ul>\n"
            case .numberedList(let start, let items):
                let rendered = items.compactMap(render)
                guard !rendered.isEmpty else { continue }
                plainBlocks.append(
                    rendered.enumerated().map { offset, item in
                        let marker = "\(start + offset). "
                        let indent = String(repeating: " ", count: marker.count)
                        return marker + Self.indented(item.plain, by: indent) + "\n"
                    }.joined())
                html += TemplateHTML.numberedList(start: start) + "\n" + Self.htmlItems(rendered) + "</ol>\n"
            case .inset(let lines):
                guard let rendered = render(lines) else { continue }
                plainBlocks.append(Self.plainIndent + Self.indented(rendered.plain, by: Self.plainIndent) + "\n")
                html += TemplateHTML.inset + rendered.html + "</blockquote>\n"
            case .rule:
                plainBlocks.append(Self.plainRule + "\n")
                html += TemplateHTML.rule + "\n"
            }
        }
        return (plainBlocks.joined(separator: "\n"), html)
    }

    /// Several lines as one: joined by a line break, after leaving out the lines that render empty.
    /// Nil when every line was left out.
    private func render(_ lines: [TemplateLine]) -> (plain: String, html: String)? {
        let rendered = lines.compactMap(render)
        guard !rendered.isEmpty else { return nil }
        if rendered.count == 1 { return rendered[0] }
        return (
            rendered.map(\.plain).joined(separator: "\n"),
            rendered.map(\.html).joined(separator: TemplateFormatting.htmlBreak)
        )
    }

    /// One line, or nil when it uses placeholders and all of them rendered empty: an optional field
    /// such as `* Where: ((location))` or `[Join online](((join url)))` then leaves no hole.
    private func render(_ line: TemplateLine) -> (plain: String, html: String)? {
        var plain = ""
        var html = ""
        let shown = append(line.inlines, plain: &plain, html: &html, inLink: false)
        if line.usesPlaceholders && !shown { return nil }
        return (plain, html)
    }

    /// Appends inlines to both outputs; true when any placeholder in them rendered something. `inLink` is true for
    /// a link's text, where `htmlValues` are not used: their anchors would nest inside the link's.
    private func append(_ inlines: [TemplateInline], plain: inout String, html: inout String, inLink: Bool) -> Bool {
        var shown = false
        for inline in inlines {
            switch inline {
            case .text(let textPlain, let textHTML):
                plain += textPlain
                html += textHTML
            case .placeholder(let key, _):
                let value = Self.bodyValue(values[key] ?? "")
                guard !value.isEmpty else { continue }
                shown = true
                plain += value
                html += (inLink ? nil : htmlValues[key]) ?? Self.htmlValue(value)
            case .optional(let key, let textPlain, let textHTML):
                guard Self.isTruthy(values[key]) else { continue }
                shown = true
                plain += textPlain
                html += textHTML
            case .link(let text, let url):
                var urlText = ""
                for part in url {
                    switch part {
                    case .text(let partPlain, _): urlText += partPlain
                    case .placeholder(let key, _): urlText += Self.urlValue(values[key] ?? "")
                    case .optional(let key, let partPlain, _): if Self.isTruthy(values[key]) { urlText += partPlain }
                    case .link: break  // link parts are parsed without links
                    }
                }
                // A link with nowhere to go is left out rather than shown as dead text.
                guard !urlText.isEmpty else { continue }
                shown = true
                var textPlain = ""
                var textHTML = ""
                _ = append(text, plain: &textPlain, html: &textHTML, inLink: true)
                plain += TemplateFormatting.plainLink(text: textPlain, url: urlText)
                html += TemplateFormatting.htmlLink(html: textHTML, url: urlText)
            }
        }
        return shown
    }

    private static func htmlItems(_ items: [(plain: String, html: String)]) -> String {
        items.map { TemplateHTML.listItem + $0.html + "</li>\n" }.joined()
    }

    /// Indents every line after the first, so a multi-line item or inset stays together.
    static func indented(_ text: String, by indent: String) -> String {
        guard text.utf8.contains(0x0A) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
    }

    /// yes, true, y or 1 in any case shows optional text; anything else (including no value) hides it.
    static func isTruthy(_ value: String?) -> Bool {
        guard let value else { return false }
        switch value.trimmingBlanks().lowercased() {
        case "yes", "true", "y", "1": return true
        default: return false
        }
    }

    /// True for C0 and C1 control characters and DEL (Unicode category Cc).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    /// A value in the body: line breaks normalised to LF, other control characters except tab made
    /// spaces (they would corrupt the MIME part), and blank space at either end removed.
    static func bodyValue(_ value: String) -> String {
        let needsWork = value.unicodeScalars.contains { isControl($0) && $0 != "\t" }
        let cleaned: String
        if needsWork {
            var out = String.UnicodeScalarView()
            var afterCR = false
            for scalar in value.unicodeScalars {
                if scalar == "\n" && afterCR {
                    afterCR = false
                    continue
                }
                afterCR = scalar == "\r"
                out.append(
                    scalar == "\r" ? "\n" : scalar == "\n" || scalar == "\t" || !isControl(scalar) ? scalar : " ")
            }
            cleaned = String(out)
        } else {
            cleaned = value
        }
        guard let first = cleaned.unicodeScalars.first, let last = cleaned.unicodeScalars.last else { return "" }
        if first.properties.isWhitespace || last.properties.isWhitespace {
            return cleaned.trimmingBlanks(newlines: true)
        }
        return cleaned
    }

    /// A body value escaped for HTML, its line breaks made `<br>`.
    static func htmlValue(_ value: String) -> String {
        let escaped = TemplateFormatting.html(value)
        guard escaped.utf8.contains(0x0A) else { return escaped }
        return escaped.split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: TemplateFormatting.htmlBreak)
    }

    /// A value in the subject: every control character and line or paragraph separator becomes a
    /// space, so nothing a value holds can end the Subject header.
    static func subjectValue(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { isControl($0) || $0 == "\u{2028}" || $0 == "\u{2029}" })
        else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            out.append(isControl(scalar) || scalar == "\u{2028}" || scalar == "\u{2029}" ? " " : scalar)
        }
        return String(out)
    }

    /// A value inside a link's URL: control characters dropped, blank space at either end removed.
    static func urlValue(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where !isControl(scalar) { out.append(scalar) }
        return String(out).trimmingBlanks()
    }
}
