import Foundation

/// One field of a CSV record with where it starts.
public struct CSVField: Sendable, Hashable {
    public var text: String
    public var location: SourceLocation
}

/// One CSV record (a row), which may span several lines when a quoted field holds a newline.
public struct CSVRecord: Sendable, Hashable {
    /// The line the record starts on.
    public var line: Int
    public var fields: [CSVField]
}

/// An RFC 4180 reader for CSV as Excel and HR systems export it: optional UTF-8 BOM, CRLF or LF, quoted fields
/// with commas, doubled quotes and newlines, blank lines (skipped).
public enum CSVReader {
    /// Reads every record. Malformed quoting is reported per record and that record is dropped; reading goes on.
    public static func read(_ bytes: [UInt8], file: String) -> (records: [CSVRecord], diagnostics: [Diagnostic]) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            return ([], [invalidUTF8(body, file: file)])
        }
        var records: [CSVRecord] = []
        var diagnostics: [Diagnostic] = []
        var scanner = Scanner(scalars: Array(text.unicodeScalars))
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

    /// A cursor over the file's scalars that knows its line and column.
    struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1
        var column = 1

        var atEnd: Bool { index >= scalars.count }
        var location: SourceLocation { SourceLocation(line: line, column: column) }

        mutating func advance() {
            if scalars[index] == "\n" {
                line += 1
                column = 1
            } else if scalars[index] == "\r", index + 1 >= scalars.count || scalars[index + 1] != "\n" {
                line += 1
                column = 1
            } else if scalars[index] != "\r" {
                column += 1
            }
            index += 1
        }

        /// At a record end: CRLF, LF, or a lone CR (old Mac exports).
        mutating func consumeNewline() -> Bool {
            guard !atEnd else { return true }
            if scalars[index] == "\r" {
                advance()
                if !atEnd && scalars[index] == "\n" { advance() }
                return true
            }
            if scalars[index] == "\n" {
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
            while true {
                let start = location
                var text = String.UnicodeScalarView()
                if !atEnd && scalars[index] == "\"" {
                    advance()
                    while true {
                        guard !atEnd else {
                            return .failure(Problem(location: start, message: "a quoted field is never closed"))
                        }
                        let c = scalars[index]
                        advance()
                        if c == "\"" {
                            if !atEnd && scalars[index] == "\"" {
                                text.append("\"")
                                advance()
                            } else {
                                break
                            }
                        } else {
                            text.append(c)
                        }
                    }
                    if !atEnd && scalars[index] != "," && scalars[index] != "\r" && scalars[index] != "\n" {
                        return .failure(
                            Problem(
                                location: location,
                                message: "unexpected text after a closing quote; double a quote inside quotes (\"\")"))
                    }
                } else {
                    while !atEnd, scalars[index] != ",", scalars[index] != "\r", scalars[index] != "\n" {
                        if scalars[index] == "\"" {
                            return .failure(
                                Problem(
                                    location: location,
                                    message: "a quote inside an unquoted field; quote the whole field and double the quote"))
                        }
                        text.append(scalars[index])
                        advance()
                    }
                }
                fields.append(CSVField(text: String(text), location: start))
                if !atEnd && scalars[index] == "," {
                    advance()
                    continue
                }
                _ = consumeNewline()
                return .success(fields)
            }
        }
    }
}
