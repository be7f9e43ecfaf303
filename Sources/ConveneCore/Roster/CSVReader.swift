import Foundation

/// One field of a CSV record with where it starts.
public struct CSVField: Sendable, Hashable {
    /// The field's text with quotes removed and doubled quotes undone; may hold commas and line breaks.
    public var text: String
    /// Where the field starts, for diagnostics about its value.
    public var location: SourceLocation
}

/// One CSV record (a row), which may span several lines when a quoted field holds a newline.
public struct CSVRecord: Sendable, Hashable {
    /// The line the record starts on.
    public var line: Int
    /// The fields in column order, as many as this row has.
    public var fields: [CSVField]
}

/// An RFC 4180 reader for CSV as Excel and HR systems export it: optional UTF-8 BOM, CRLF or LF, quoted fields
/// with commas, doubled quotes and newlines, blank lines (skipped).
public enum CSVReader {
    /// Reads every record. Malformed quoting is reported per record and that record is dropped; reading goes on.
    public static func read(_ bytes: [UInt8], file: String) -> (records: [CSVRecord], diagnostics: [Diagnostic]) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        // Validate once up front; the scanner then works on bytes and decodes each field.
        guard String(validating: body, as: UTF8.self) != nil else {
            return ([], [invalidUTF8(body, file: file)])
        }
        var records: [CSVRecord] = []
        var diagnostics: [Diagnostic] = []
        var scanner = Scanner(bytes: Array(body))
        while !scanner.atEnd {
            let startLine = scanner.line
            switch scanner.record() {
            case .success(let fields):
                let blank = fields.count == 1 && fields[0].text.isEmpty
                if !blank { records.append(CSVRecord(line: startLine, fields: fields)) }
            case .failure(let problem):
                diagnostics.append(Diagnostic(file: file, location: problem.location, message: problem.message))
                scanner.skipRestOfLine()
            }
        }
        return (records, diagnostics)
    }

    static func invalidUTF8(_ bytes: ArraySlice<UInt8>, file: String) -> Diagnostic {
        // Find the first line with bad UTF-8 so the admin knows where to look (often a Windows-1252 export).
        var line = 1
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { break }
            line += 1
            start = index + 1
        }
        return Diagnostic(
            file: file, line: line, column: 1, message: "the roster is not valid UTF-8",
            hint: "save it from Excel as 'CSV UTF-8 (Comma delimited)'")
    }

    struct Problem: Error {
        var location: SourceLocation
        var message: String
    }

    /// A cursor over the file's UTF-8 bytes (already validated) that knows its line and column; columns count
    /// Unicode scalars, so a field after `Zoë,` is where an editor shows it. Byte-level for speed: HR exports of
    /// national rosters run to 100,000 rows.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var column = 1

        static let quote = UInt8(ascii: "\"")
        static let comma = UInt8(ascii: ",")
        static let cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        var atEnd: Bool { index >= bytes.count }
        var location: SourceLocation { SourceLocation(line: line, column: column) }

        mutating func advance() {
            let byte = bytes[index]
            if byte == Scanner.lf {
                line += 1
                column = 1
            } else if byte == Scanner.cr {
                if index + 1 >= bytes.count || bytes[index + 1] != Scanner.lf {
                    line += 1
                    column = 1
                }
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }

        /// At a record end: CRLF, LF, or a lone CR (old Mac exports).
        mutating func consumeNewline() -> Bool {
            guard !atEnd else { return true }
            if bytes[index] == Scanner.cr {
                advance()
                if !atEnd && bytes[index] == Scanner.lf { advance() }
                return true
            }
            if bytes[index] == Scanner.lf {
                advance()
                return true
            }
            return false
        }

        mutating func skipRestOfLine() {
            while !atEnd && !consumeNewline() { advance() }
        }

        mutating func record() -> Result<[CSVField], Problem> {
            var fields: [CSVField] = []
            var text: [UInt8] = []
            while true {
                let start = location
                text.removeAll(keepingCapacity: true)
                if !atEnd && bytes[index] == Scanner.quote {
                    advance()
                    while true {
                        guard !atEnd else {
                            return .failure(Problem(location: start, message: "a quoted field is never closed"))
                        }
                        let c = bytes[index]
                        advance()
                        if c == Scanner.quote {
                            if !atEnd && bytes[index] == Scanner.quote {
                                text.append(Scanner.quote)
                                advance()
                            } else {
                                break
                            }
                        } else {
                            text.append(c)
                        }
                    }
                    if !atEnd && bytes[index] != Scanner.comma && bytes[index] != Scanner.cr
                        && bytes[index] != Scanner.lf
                    {
                        return .failure(
                            Problem(
                                location: location,
                                message: "unexpected text after a closing quote; double a quote inside quotes (\"\")"))
                    }
                } else {
                    let begin = index
                    while !atEnd, bytes[index] != Scanner.comma, bytes[index] != Scanner.cr, bytes[index] != Scanner.lf
                    {
                        if bytes[index] == Scanner.quote {
                            return .failure(
                                Problem(
                                    location: location,
                                    message:
                                        "a quote inside an unquoted field; quote the whole field and double the quote"))
                        }
                        if bytes[index] & 0xC0 != 0x80 { column += 1 }
                        index += 1
                    }
                    text.append(contentsOf: bytes[begin..<index])
                }
                fields.append(CSVField(text: String(decoding: text, as: UTF8.self), location: start))
                if !atEnd && bytes[index] == Scanner.comma {
                    advance()
                    continue
                }
                _ = consumeNewline()
                return .success(fields)
            }
        }
    }
}
