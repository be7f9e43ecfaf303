import Foundation

/// One run of a template line, parsed once so that rendering a message only substitutes values.
///
/// Static text is stored already rendered for both outputs (`plain` and escaped `html`, with bare
/// URLs and links whose parts are all static already turned into anchors), so the per-recipient
/// work is string concatenation and value escaping.
enum TemplateInline: Sendable, Hashable {
    /// Text from the template itself.
    case text(plain: String, html: String)
    /// `((name))`, with the normalised name and the column of its `((` (for `validate`).
    case placeholder(String, column: Int)
    /// `((name??text))`: the static text is shown when the value is truthy.
    case optional(String, plain: String, html: String)
    /// `[text](url)` where the text or the URL uses a placeholder, so it can only be built per message.
    case link(text: [TemplateInline], url: [TemplateInline])
}

/// One source line of a paragraph, list item, inset or heading.
///
/// `usesPlaceholders` drives the one rendering rule that is not pure substitution: a line that uses
/// placeholders and whose placeholders all render empty is left out, so an optional field such as
/// `* Where: ((location))` disappears instead of leaving an empty hole.
struct TemplateLine: Sendable, Hashable {
    var inlines: [TemplateInline]
    var usesPlaceholders: Bool
    /// The 1-based line in the template file (for `validate`).
    var number: Int
}

/// A block of the body, in GOV.UK Notify's markup.
enum TemplateBlock: Sendable, Hashable {
    /// `# heading` (level 1) or `## subheading` (level 2).
    case heading(level: Int, TemplateLine)
    /// Consecutive text lines; each source line is a line break.
    case paragraph([TemplateLine])
    /// `* ` or `- ` items; an item is its first line and any indented continuation lines.
    case bulletList([[TemplateLine]])
    /// `1. ` items, numbered from `start`.
    case numberedList(start: Int, [[TemplateLine]])
    /// Consecutive `^ ` lines.
    case inset([TemplateLine])
    /// `---`
    case rule
}

/// Where a placeholder is used, for `convene validate`.
struct TemplatePlaceholderUse: Sendable, Hashable {
    var name: String
    var location: SourceLocation
}

/// Formatting shared by the parser (static text, static links) and the renderer (values, links with placeholders).
enum TemplateFormatting {
    /// Escapes `&<>"'` so that text is safe both between tags and inside a double-quoted attribute.
    static func html(_ text: String) -> String {
        // Most values need no escaping; checking the bytes first avoids building a new string.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for the schemes that may become a clickable link in HTML.
    static func isLinkable(_ url: String) -> Bool {
        let lower = url.prefix(8).lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
    }

    /// A link in the text/plain part: just the URL when the text says nothing more, else `text (url)`.
    static func plainLink(text: String, url: String) -> String {
        let trimmed = text.trimmingBlanks()
        return trimmed.isEmpty || trimmed == url ? url : "\(text) (\(url))"
    }

    /// A link in the text/html part: an anchor for web and mail links; any other scheme (`javascript:`,
    /// `file:`) is shown as text, never made clickable.
    static func htmlLink(html: String, url: String) -> String {
        let text = html.trimmingBlanks().isEmpty ? TemplateFormatting.html(url) : html
        return isLinkable(url)
            ? TemplateHTML.anchor(href: url, html: text) : "\(text) (\(TemplateFormatting.html(url)))"
    }

    /// A line break in an HTML value or paragraph; the newline keeps the source readable.
    static let htmlBreak = "<br>\n"
}
