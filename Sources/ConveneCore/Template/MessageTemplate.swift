/// A parsed template: subject and body, with every placeholder it uses.
///
/// A template file (`templates/NAME.txt`) is a line `subject: …`, a line `---`, then the body in
/// GOV.UK Notify's markup. It is parsed once; `render(_:)` only substitutes values, so rendering
/// thousands of recipients costs string building, not parsing.
public struct MessageTemplate: Sendable, Hashable {
    /// The template's name, its file name without `.txt` (`invitation`, `update`), as `template:` names it.
    public var name: String
    let subject: TemplateLine
    let body: [TemplateBlock]
    let uses: [TemplatePlaceholderUse]

    /// Parses a template file. Diagnostics (errors) for malformed markup and unknown placeholders, with
    /// `file` set to `file`. The template is nil when there is any error; warnings alone keep it.
    public static func parse(_ text: String, name: String, file: String) -> (
        template: MessageTemplate?, diagnostics: [Diagnostic]
    ) {
        var parser = TemplateParser(file: file)
        let parsed = parser.parse(text)
        let diagnostics = parser.diagnostics.sortedByLocation()
        guard let parsed, !diagnostics.hasErrors else { return (nil, diagnostics) }
        return (MessageTemplate(name: name, subject: parsed.subject, body: parsed.body, uses: parser.uses), diagnostics)
    }

    /// Every placeholder used, normalised name and location (for validate), in file order.
    public var placeholders: [(name: String, location: SourceLocation)] {
        uses.map { ($0.name, $0.location) }
    }

    /// Renders with values keyed by normalised placeholder name (see `MessageTemplate.normalise`).
    ///
    /// A missing value renders as "". Values are text: they are HTML-escaped in the HTML part and never
    /// read as markup. A body line that uses placeholders and whose placeholders all come out empty is
    /// left out of both parts; a link whose URL comes out empty is left out.
    ///
    /// `htmlValues`, by the same keys, are trusted HTML (escaped by the caller) that the HTML part shows instead of
    /// the escaped value where a placeholder stands in running text, such as a mailto link for the organizer. The
    /// subject, link texts and URLs, and whether a line is left out, use `values` alone.
    ///
    /// `preface`, when given, is a line of convene's own put before the body, as inset text in HTML (a delegate
    /// receiving a message in the principal's place is told whose it is).
    public func render(_ values: [String: String], htmlValues: [String: String] = [:], preface: String? = nil)
        -> RenderedTemplate
    {
        let renderer = TemplateRenderer(values: values, htmlValues: htmlValues)
        let subject = renderer.subject(self.subject)
        var body = renderer.body(self.body)
        if let preface {
            body.plain = preface + "\n\n" + body.plain
            body.html = TemplateHTML.inset + TemplateFormatting.html(preface) + "</blockquote>\n" + body.html
        }
        return RenderedTemplate(
            subject: subject, plain: body.plain, html: TemplateHTML.document(subject: subject, body: body.html))
    }

    /// "First_Name" → "firstname": lower-cased with spaces, `_` and `-` removed.
    public static func normalise(_ placeholder: String) -> String {
        String(placeholder.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "_" && $0 != "-" })
    }

    /// Every known placeholder as an admin writes it, in the order the documentation lists them.
    public static let knownPlaceholderNames: [String] = [
        "first name", "name", "email", "grade", "department", "interim", "forum", "event title", "event date",
        "event time", "event end", "location", "join url", "description", "days to go", "organizer", "what changed",
        "reason",
    ]

    /// The normalised names of every known placeholder.
    public static let knownPlaceholders: Set<String> = Set(knownPlaceholderNames.map(normalise))
}
