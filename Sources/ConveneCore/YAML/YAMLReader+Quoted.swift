/// Single- and double-quoted scalars, with YAML's line folding and double-quote escapes.
extension YAMLReader {
    /// Reads a quoted scalar with the cursor on its opening quote; continuation lines must be indented
    /// at least `required` spaces. Leaves the cursor just after the closing quote.
    mutating func parseQuoted(required: Int) throws -> String {
        let quote = current!
        let opening = here
        column += 1
        var text = String.UnicodeScalarView()
        while true {
            // Unescaped white space is held back: at the end of a line it is dropped by folding.
            var pendingWhite: [Unicode.Scalar] = []
            var escapedBreak = false
            let chars = lines[line]
            while column < chars.count {
                let scalar = chars[column]
                if scalar == quote {
                    if quote == "'" && character(line, column + 1) == "'" {
                        text.append(contentsOf: pendingWhite)
                        pendingWhite = []
                        text.append("'")
                        column += 2
                        continue
                    }
                    text.append(contentsOf: pendingWhite)
                    column += 1
                    return String(text)
                }
                if YAMLReader.isWhite(scalar) {
                    pendingWhite.append(scalar)
                    column += 1
                    continue
                }
                text.append(contentsOf: pendingWhite)
                pendingWhite = []
                if quote == "\"" && scalar == "\\" {
                    if column + 1 == chars.count {
                        escapedBreak = true
                        column += 1
                        break
                    }
                    text.append(try parseEscape())
                    continue
                }
                text.append(scalar)
                column += 1
            }
            let emptyLines = try moveToQuotedContinuation(required: required, opening: opening, quote: quote)
            if escapedBreak {
                text.append(contentsOf: repeatElement("\n", count: emptyLines))
            } else if emptyLines == 0 {
                text.append(" ")
            } else {
                text.append(contentsOf: repeatElement("\n", count: emptyLines))
            }
        }
    }

    /// Moves past a line break inside a quoted scalar to the first non-white character of the next
    /// line with content, checking indentation; returns how many empty lines were crossed.
    private mutating func moveToQuotedContinuation(
        required: Int, opening: SourceLocation, quote: Unicode.Scalar
    ) throws -> Int {
        var emptyLines = 0
        while true {
            line += 1
            guard line < lines.count, documentMarker(line) == nil else {
                throw YAMLSyntaxError(
                    location: opening, message: "this quoted value is never closed",
                    hint: "add the closing \(quote) (a quote inside \"…\" is written \\\", inside '…' as '')")
            }
            let spaces = leadingSpaces(line)
            let count = lines[line].count
            if isBlank(line) {
                if spaces < required && spaces < count { throw tabError(at: line, spaces) }
                emptyLines += 1
                continue
            }
            if spaces < required {
                if character(line, spaces) == "\t" { throw tabError(at: line, spaces) }
                throw error(
                    "this continuation line of a quoted value must be indented more than its key", at: line, spaces,
                    hint:
                        "indent it by at least \(required) space\(required == 1 ? "" : "s"), or keep the value on one line"
                )
            }
            column = spaces
            skipWhite()
            return emptyLines
        }
    }

    /// Decodes the escape sequence at the cursor (on the backslash) and moves past it.
    private mutating func parseEscape() throws -> Unicode.Scalar {
        let start = column
        let code = character(line, column + 1)!
        column += 2
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "0": "\u{0}", "a": "\u{7}", "b": "\u{8}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{B}",
            "f": "\u{C}", "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\",
            "N": "\u{85}", "_": "\u{A0}", "L": "\u{2028}", "P": "\u{2029}",
        ]
        if let scalar = simple[code] { return scalar }
        let digits: Int
        switch code {
        case "x": digits = 2
        case "u": digits = 4
        case "U": digits = 8
        default:
            throw error(
                "invalid escape '\\\(code)' in a double-quoted value", at: line, start,
                hint: "write '\\\\' for a backslash, or use single quotes to keep backslashes as they are")
        }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = current, let number = Int(String(digit), radix: 16) else {
                throw error(
                    "'\\\(code)' needs \(digits) hexadecimal digits", at: line, start,
                    hint: "for example \\x41, \\u00E9 or \\U0001F600")
            }
            value = value * 16 + UInt32(number)
            column += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error(
                "'\\\(code)' escape is not a valid Unicode character", at: line, start,
                hint: "surrogate halves cannot be escaped; write the character itself or use \\U")
        }
        return scalar
    }
}
