/// Reads convene's rules file: a strict subset of YAML 1.2 in which every scalar is a string.
///
/// Accepted: block mappings and sequences, flow sequences of scalars (`[a, b]`), plain, single- and
/// double-quoted scalars, `|` and `>` block scalars with chomping and indentation indicators,
/// comments, a leading `---` and a final `...`. Anchors, aliases, tags, flow mappings, directives,
/// multiple documents, complex keys, duplicate keys and tabs in indentation are errors that name
/// the feature. Whatever is accepted means the same to any YAML 1.2 parser read with the strings
/// schema; where parsers could disagree, the file is rejected instead of guessed at.
public enum YAMLParser {
    /// Parses `text` (the whole file). Returns the root node (nil for an empty document/only comments)
    /// or every error found as Diagnostics with `file` set to `file`. Collects more than one error where
    /// the parser can sensibly continue (several duplicate keys, several tab-indented lines, several
    /// forbidden characters).
    public static func parse(_ text: String, file: String) -> Result<YAMLNode?, [Diagnostic]> {
        var reader = YAMLReader(text: text)
        var errors = forbiddenCharacters(in: reader.lines)
        var root: YAMLNode?
        do {
            root = try reader.parseDocument()
        } catch let error as YAMLSyntaxError {
            errors.append(error)
        } catch {
            preconditionFailure("YAMLReader throws only YAMLSyntaxError, got \(error)")
        }
        errors += reader.recorded
        guard errors.isEmpty else {
            let diagnostics = errors.map {
                Diagnostic(file: file, location: $0.location, message: $0.message, hint: $0.hint)
            }
            return .failure(diagnostics.sortedByLocation())
        }
        return .success(root)
    }

    /// Characters YAML forbids in a file (control characters), and the line separators that YAML 1.1
    /// parsers split lines at while YAML 1.2 ones do not.
    static func forbiddenCharacters(in lines: [[Unicode.Scalar]]) -> [YAMLSyntaxError] {
        var errors: [YAMLSyntaxError] = []
        for (lineIndex, chars) in lines.enumerated() {
            for (columnIndex, scalar) in chars.enumerated() {
                let value = scalar.value
                let hex = "U+" + String(value, radix: 16, uppercase: true).leftPadded(to: 4)
                let location = SourceLocation(line: lineIndex + 1, column: columnIndex + 1)
                if value == 0x85 || value == 0x2028 || value == 0x2029 {
                    errors.append(
                        YAMLSyntaxError(
                            location: location, message: "line separator \(hex) is not allowed",
                            hint: "YAML versions disagree on whether it ends a line; write \\N, \\L or \\P in "
                                + "double quotes if you need it"))
                } else if (value < 0x20 && value != 0x09) || (0x7F...0x9F).contains(value) || value == 0xFFFE
                    || value == 0xFFFF || value == 0xFEFF
                {
                    errors.append(
                        YAMLSyntaxError(
                            location: location, message: "control character \(hex) is not allowed",
                            hint: "remove it; in double quotes it can be written as an escape like \\x1B"))
                }
            }
        }
        return errors
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
