import Foundation

extension Holidays {
    /// How a line of the file should look, for hints.
    static let lineGrammar = "write 'YYYY-MM-DD name', e.g. '2027-01-01 New Year's Day'"

    /// Parses a holidays file: one `YYYY-MM-DD name` per line, blank lines and `#` comments (at the start of a line,
    /// or after a space as in YAML) allowed; UTF-8 with or without BOM, LF or CRLF. Every problem is reported with its
    /// line and column; a date listed twice is a warning and keeps its first name. Lines with errors are left out of
    /// the result, which callers must not use when the diagnostics have errors.
    public static func parse(_ bytes: [UInt8], file: String) -> (holidays: Holidays, diagnostics: [Diagnostic]) {
        var names: [LocalDate: String] = [:]
        var firstLine: [LocalDate: Int] = [:]
        var diagnostics: [Diagnostic] = []
        func report(_ severity: Diagnostic.Severity, _ message: String, line: Int, column: Int, hint: String? = nil) {
            let location = SourceLocation(line: line, column: column)
            diagnostics.append(
                Diagnostic(file: file, location: location, severity: severity, message: message, hint: hint))
        }

        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let lineBytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            guard let text = String(validating: lineBytes, as: UTF8.self) else {
                report(.error, "line is not UTF-8 text", line: lineNumber, column: 1, hint: "save the file as UTF-8")
                continue
            }
            let scalars = Array(text.unicodeScalars)
            func isBlank(_ i: Int) -> Bool { scalars[i] == " " || scalars[i] == "\t" }
            // A comment runs from a '#' at the start or after a blank to the end of the line.
            var end = scalars.indices.first { scalars[$0] == "#" && ($0 == 0 || isBlank($0 - 1)) } ?? scalars.count
            while end > 0 && isBlank(end - 1) { end -= 1 }
            var start = 0
            while start < end && isBlank(start) { start += 1 }
            if start == end { continue }

            var dateEnd = start
            while dateEnd < end && !isBlank(dateEnd) { dateEnd += 1 }
            let token = String(String.UnicodeScalarView(scalars[start..<dateEnd]))
            let date: LocalDate
            switch holidayDate(token) {
            case .success(let parsed): date = parsed
            case .failure(let problem):
                report(.error, problem.message, line: lineNumber, column: start + 1, hint: lineGrammar)
                continue
            }
            var nameStart = dateEnd
            while nameStart < end && isBlank(nameStart) { nameStart += 1 }
            guard nameStart < end else {
                report(.error, "holiday \(date) has no name", line: lineNumber, column: dateEnd + 1, hint: lineGrammar)
                continue
            }
            // Names reach `plan` output and logs: no control characters (a tab inside is a control character too).
            if let bad = (nameStart..<end).first(where: { scalars[$0].properties.generalCategory == .control }) {
                let hex = String(scalars[bad].value, radix: 16, uppercase: true)
                let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                report(
                    .error, "the name of holiday \(date) contains a control character (U+\(code))", line: lineNumber,
                    column: bad + 1)
                continue
            }
            let name = String(String.UnicodeScalarView(scalars[nameStart..<end]))
            if let first = firstLine[date] {
                report(
                    .warning, "\(date) is listed twice; the first, at line \(first) ('\(names[date] ?? "")'), is kept",
                    line: lineNumber, column: start + 1)
                continue
            }
            names[date] = name
            firstLine[date] = lineNumber
        }
        if names.isEmpty && !diagnostics.hasErrors {
            report(.warning, "the holidays file lists no dates", line: 1, column: 1, hint: lineGrammar)
        }
        return (Holidays(names), diagnostics)
    }

    /// `YYYY-MM-DD`, with a message that says what is wrong with a date that is not one (no 2027-02-30).
    /// Only fixed-width ASCII digits reach `Int`, so no input can overflow.
    static func holidayDate(_ token: String) -> Result<LocalDate, PhraseError> {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3,
            zip(parts, [4, 2, 2]).allSatisfy({ part, width in
                part.utf8.count == width && part.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            }), let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return .failure(PhraseError("'\(token)' is not a date; expected YYYY-MM-DD")) }
        guard (1...12).contains(month) else {
            return .failure(PhraseError("'\(token)' is not a date: there is no month \(month)"))
        }
        let days = LocalDate.daysIn(month: month, year: year)
        guard (1...days).contains(day) else {
            return .failure(
                PhraseError("'\(token)' is not a date: \(LocalDate.monthNames[month - 1]) \(parts[0]) has \(days) days")
            )
        }
        return .success(LocalDate(year: year, month: month, day: day))
    }
}
