import Foundation

/// Walks the YAML tree of the rules file collecting every schema problem as a located diagnostic,
/// so one run reports all of them. Not shared across threads: one reader per parse.
final class SchemaReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The service zone once `service:` is read (nil before, or when it names no zone): checks of events' wall
    /// times need it, and the events are read separately from the service.
    var timeZone: TimeZone?

    init(file: String) { self.file = file }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        diagnostics.append(Diagnostic(file: file, location: location, message: message, hint: hint))
    }

    func warning(_ message: String, at location: SourceLocation, hint: String? = nil) {
        diagnostics.append(Diagnostic(file: file, location: location, severity: .warning, message: message, hint: hint))
    }

    /// The node as a mapping, or an error saying what was expected.
    func mapping(_ node: YAMLNode, _ what: String) -> MappingReader? {
        guard case .mapping(let pairs) = node.value else {
            error("\(what) must be a mapping of 'key: value' lines", at: node.location)
            return nil
        }
        return MappingReader(node: node, pairs: pairs, reader: self, what: what)
    }

    /// The node as a sequence, or an error.
    func sequence(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        if case .scalar("") = node.value { return [] }
        guard case .sequence(let items) = node.value else {
            error("\(what) must be a list ('- item' lines or [a, b])", at: node.location)
            return nil
        }
        return items
    }

    /// The node as a string scalar free of control characters (newlines allowed only if `multiline`).
    ///
    /// In a one-line field a `>` or `|` block may end with its one final line break (the default clip
    /// chomping, or `+` with no empty line after the text): YAML reads `location: >` + `Online` as
    /// "Online\n", and that break is the block's syntax, so it is dropped. Any other line break in a block is
    /// refused at the block's indicator, with a hint naming `>-`; a quoted or plain scalar stays strict.
    func scalar(_ node: YAMLNode, _ what: String, multiline: Bool = false) -> String? {
        guard case .scalar(var text) = node.value else {
            error("\(what) must be a single value, not a list or mapping", at: node.location)
            return nil
        }
        if !multiline && node.style != .flow {
            if text.unicodeScalars.last == "\n" { text.unicodeScalars.removeLast() }
            if text.unicodeScalars.contains("\n") {
                let indicator = node.style == .literal ? "|" : ">"
                error(
                    "\(what) must be one line, but this '\(indicator)' block has a line break inside it",
                    at: node.location,
                    hint: node.style == .literal
                        ? "'|' keeps every line break: write '>-' (folded, strip) to join the lines with spaces"
                        : "'>' keeps the break at an empty or more-indented line, '>+' the empty lines at the end: "
                            + "write '>-' (folded, strip) with the text on consecutive lines of one indentation")
                return nil
            }
        }
        let checked = multiline ? text.replacingOccurrences(of: "\n", with: " ") : text
        if let problem = EmailAddress.controlCharacter(in: checked) {
            error("\(what) \(problem)", at: node.location, hint: multiline ? nil : "write it on one line")
            return nil
        }
        return text
    }

    /// Reads a phrase with `parse`, reporting its error at the node.
    func phrase<T>(_ node: YAMLNode, _ what: String, _ parse: (String) -> Result<T, PhraseError>) -> T? {
        guard let text = scalar(node, what) else { return nil }
        switch parse(text) {
        case .success(let value): return value
        case .failure(let problem):
            error("bad \(what): \(problem.message)", at: node.location)
            return nil
        }
    }

    /// A list of scalars; a single scalar is read as a one-item list.
    func scalarList(_ node: YAMLNode, _ what: String) -> [(String, SourceLocation)] {
        if case .scalar(let text) = node.value {
            if text.isEmpty { return [] }
            return scalar(node, what).map { [($0, node.location)] } ?? []
        }
        guard let items = sequence(node, what) else { return [] }
        return items.compactMap { item in scalar(item, "each item of \(what)").map { ($0, item.location) } }
    }

    /// An identifier used in UIDs, Message-IDs and file names: letters, digits, `-`, `_`, `.`.
    func identifier(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = scalar(node, what) else { return nil }
        let allowed = text.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                || "-_.".unicodeScalars.contains($0)
        }
        guard !text.isEmpty, allowed, text.first != ".", text.first != "-" else {
            error(
                "\(what) '\(text)' must be letters, digits, '-', '_' or '.'", at: node.location,
                hint: "ids appear in calendar UIDs and file names; e.g. 'your-agenda'")
            return nil
        }
        return text
    }
}

/// The keys of one mapping, tracking which were read so unknown ones can be reported.
final class MappingReader {
    let node: YAMLNode
    let what: String
    private let reader: SchemaReader
    private let pairs: [YAMLPair]
    private var used: Set<String> = []

    init(node: YAMLNode, pairs: [YAMLPair], reader: SchemaReader, what: String) {
        self.node = node
        self.pairs = pairs
        self.reader = reader
        self.what = what
    }

    /// The value node for `key`; reports a missing required key at the mapping.
    func value(_ key: String, required: Bool = false) -> YAMLNode? {
        used.insert(key)
        if let pair = pairs.first(where: { $0.key == key }) { return pair.value }
        if required { reader.error("\(what) is missing required key '\(key)'", at: node.location) }
        return nil
    }

    func keyLocation(_ key: String) -> SourceLocation? { pairs.first { $0.key == key }?.keyLocation }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// Reports every key that was not read, suggesting the closest known one.
    func rejectUnknownKeys(known extra: [String] = []) {
        let known = used.union(extra)
        for pair in pairs where !known.contains(pair.key) {
            let suggestion = known.min { editDistance($0, pair.key) < editDistance($1, pair.key) }
            let hint =
                suggestion.flatMap { editDistance($0, pair.key) <= 2 ? "did you mean '\($0)'?" : nil }
                ?? "known keys: " + known.sorted().joined(separator: ", ")
            reader.error("unknown key '\(pair.key)' in \(what)", at: pair.keyLocation, hint: hint)
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
