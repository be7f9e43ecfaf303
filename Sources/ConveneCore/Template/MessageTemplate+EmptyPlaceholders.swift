/// `convene validate`'s check for holes in sentences: an event field (location, join url, description) used inside
/// running text for an event that has no value for it.
///
/// The renderer leaves out a line whose placeholders all come out empty, so `* Where: ((location))`, a line holding
/// only `((description))` or `[Join online](((join url)))` never shows a hole. A line stays when anything else in it
/// shows (another placeholder, optional text, a link), and then the missing field leaves a gap: "Dear Zoë, we meet
/// at  on Thursday." The subject always stays. A field inside optional text (`((location??…))`) is a yes/no test,
/// not text, so it is not checked.
extension MessageTemplate {
    /// An event's optional text, as a template names it and as the rules file sets it.
    struct EventField: Sendable {
        /// The normalised placeholder name.
        var placeholder: String
        /// The event's key in the rules file.
        var key: String
        var value: @Sendable (Event) -> String?
    }

    /// The placeholders whose value an event may leave out.
    static let optionalEventFields = [
        EventField(placeholder: "location", key: "location", value: { $0.location }),
        EventField(placeholder: "joinurl", key: "join_url", value: { $0.joinURL }),
        EventField(placeholder: "description", key: "description", value: { $0.description }),
    ]

    /// A warning for each use of an optional event field in running text that one of `events` leaves empty, naming
    /// those events and showing the sentence with its hole. `events` are the events this template is used for;
    /// `file` is the template's path, for the diagnostic.
    public func emptyPlaceholderWarnings(events: [Event], file: String) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for (line, alwaysShown) in [(subject, true)] + bodyLines.map({ ($0, false) }) {
            let uses = Self.eventFieldUses(in: line.inlines)
            guard !uses.isEmpty else { continue }
            var emptyFor = [[String]](repeating: [], count: uses.count)
            var previews = [String?](repeating: nil, count: uses.count)
            for event in events {
                // Blank space is no value: it renders empty.
                let missing = Set(
                    Self.optionalEventFields.filter { $0.value(event)?.trimmingBlanks(newlines: true).isEmpty ?? true }
                        .map(\.placeholder))
                guard uses.contains(where: { missing.contains($0.field.placeholder) }),
                    alwaysShown || Self.shows(line.inlines, missing: missing)
                else { continue }
                for (index, use) in uses.enumerated() where missing.contains(use.field.placeholder) {
                    emptyFor[index].append(event.id)
                    if previews[index] == nil {
                        let preview = Self.preview(line.inlines, missing: missing)
                        previews[index] = alwaysShown ? preview.trimmingBlanks() : preview  // as the subject is sent
                    }
                }
            }
            for (index, use) in uses.enumerated() where !emptyFor[index].isEmpty {
                let ids = emptyFor[index]
                let name = "((" + (Self.displayNames[use.field.placeholder] ?? use.field.placeholder) + "))"
                let named = (ids.count == 1 ? "event " : "events ") + ids.joined(separator: ", ")
                let them = ids.count == 1 ? "that event" : "those events"
                let what = alwaysShown ? "the subject" : "this line"
                warnings.append(
                    Diagnostic(
                        file: file, location: SourceLocation(line: line.number, column: use.column),
                        severity: .warning,
                        message: "\(name) is empty for \(named), so \(what) would read \"\(previews[index] ?? "")\"",
                        hint:
                            "set '\(use.field.key):' on \(them), or put \(name) on a line with no other placeholder: a line "
                            + "whose placeholders all come out empty is left out"))
            }
        }
        return warnings
    }

    /// Every body line, in file order (headings, paragraph lines, list items' lines, inset lines).
    var bodyLines: [TemplateLine] {
        body.flatMap { block -> [TemplateLine] in
            switch block {
            case .heading(_, let line): [line]
            case .paragraph(let lines), .inset(let lines): lines
            case .bulletList(let items), .numberedList(_, let items): items.flatMap { $0 }
            case .rule: []
            }
        }
    }

    /// The optional event fields used in `inlines` outside optional text, each once, with the column of its first
    /// use. A link counts with its text and its URL: a link whose URL comes out empty is left out of its sentence.
    static func eventFieldUses(in inlines: [TemplateInline]) -> [(field: EventField, column: Int)] {
        var uses: [(field: EventField, column: Int)] = []
        func collect(_ inlines: [TemplateInline]) {
            for inline in inlines {
                switch inline {
                case .placeholder(let key, let column):
                    if let field = optionalEventFields.first(where: { $0.placeholder == key }),
                        !uses.contains(where: { $0.field.placeholder == key })
                    {
                        uses.append((field, column))
                    }
                case .link(let text, let url):
                    collect(text)
                    collect(url)
                case .text, .optional:
                    break
                }
            }
        }
        collect(inlines)
        return uses
    }

    /// Whether a line keeps being shown when the event fields in `missing` are empty, as `TemplateRenderer` decides
    /// it. Placeholders other than event fields are taken to show: they are empty, if ever, for some recipients only.
    static func shows(_ inlines: [TemplateInline], missing: Set<String>) -> Bool {
        inlines.contains { inline in
            switch inline {
            case .text: false
            case .placeholder(let key, _): !missing.contains(key)
            case .optional: true
            case .link(_, let url): !preview(url, missing: missing).isEmpty
            }
        }
    }

    /// The line as plain text with the fields in `missing` left empty and other placeholders as written.
    static func preview(_ inlines: [TemplateInline], missing: Set<String>) -> String {
        var out = ""
        for inline in inlines {
            switch inline {
            case .text(let plain, _), .optional(_, let plain, _):
                out += plain
            case .placeholder(let key, _):
                if !missing.contains(key) { out += "((" + (displayNames[key] ?? key) + "))" }
            case .link(let text, let url):
                // A link whose URL comes out empty is left out, as the renderer does.
                let target = preview(url, missing: missing)
                if !target.isEmpty {
                    out += TemplateFormatting.plainLink(text: preview(text, missing: missing), url: target)
                }
            }
        }
        return out
    }

    /// Normalised placeholder name → the name as the documentation writes it ("joinurl" → "join url").
    static let displayNames: [String: String] = Dictionary(
        uniqueKeysWithValues: knownPlaceholderNames.map { (normalise($0), $0) })
}
