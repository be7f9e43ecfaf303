import Foundation
import Testing

@testable import ConveneCore

struct HolidaysTests {
    static func parse(_ text: String) -> (holidays: Holidays, diagnostics: [Diagnostic]) {
        Holidays.parse(Array(text.utf8), file: "holidays.txt")
    }

    /// `line:col severity: message` for each diagnostic, as compared below.
    static func lines(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.line):\($0.column) \($0.severity.rawValue): \($0.message)" }
    }

    @Test func theShippedFileListsTheBankHolidaysOfEnglandAndWales() throws {
        let path = PythonChecker.packageRoot.appendingPathComponent("config/holidays-england-and-wales.txt").path
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let (holidays, diagnostics) = Holidays.parse([UInt8](bytes), file: path)
        #expect(diagnostics == [])
        #expect(holidays.count == 24)
        #expect(holidays.name(of: LocalDate(year: 2027, month: 3, day: 26)) == "Good Friday")
        #expect(holidays.name(of: LocalDate(year: 2027, month: 12, day: 28)) == "Boxing Day (substitute day)")
        #expect(holidays.inDateOrder.first?.date == LocalDate(year: 2026, month: 1, day: 1))
        #expect(holidays.inDateOrder.allSatisfy { $0.date.weekday < .saturday }, "substitute days are working days")
    }

    @Test func commentsBlankLinesBOMAndCRLFAreAccepted() {
        let text =
            "\u{FEFF}# bank holidays\r\n\r\n  2027-01-01\tNew Year's Day   # fixed\r\n2027-03-26 Good Friday#1\r\n"
        let (holidays, diagnostics) = Self.parse(text)
        #expect(diagnostics == [])
        #expect(
            holidays.names == [
                LocalDate(year: 2027, month: 1, day: 1): "New Year's Day",
                // A '#' inside a word is part of the name, as in YAML.
                LocalDate(year: 2027, month: 3, day: 26): "Good Friday#1",
            ])
    }

    @Test func everyMistakeIsReportedAtItsLineAndColumn() {
        let text = """
            2027-01-01 New Year's Day
            2027-02-30 Not a day
              2027-13-01 Not a month
            2027-1-4 Short
            Christmas 2027-12-25
            2027-05-03
            2027-05-31   \t
            2027-01-01 New Year again
            2028-02-29 Leap day
            2027-02-29 No leap day
            2027-08-30 Summer\u{07} bank holiday
            99999999999999999999-01-01 Overflow

            """
        let (holidays, diagnostics) = Self.parse(text)
        #expect(
            Self.lines(diagnostics) == [
                "2:1 error: '2027-02-30' is not a date: February 2027 has 28 days",
                "3:3 error: '2027-13-01' is not a date: there is no month 13",
                "4:1 error: '2027-1-4' is not a date; expected YYYY-MM-DD",
                "5:1 error: 'Christmas' is not a date; expected YYYY-MM-DD",
                "6:11 error: holiday 2027-05-03 has no name",
                "7:11 error: holiday 2027-05-31 has no name",
                "8:1 warning: 2027-01-01 is listed twice; the first, at line 1 ('New Year's Day'), is kept",
                "10:1 error: '2027-02-29' is not a date: February 2027 has 28 days",
                "11:18 error: the name of holiday 2027-08-30 contains a control character (U+0007)",
                "12:1 error: '99999999999999999999-01-01' is not a date; expected YYYY-MM-DD",
            ])
        #expect(diagnostics.allSatisfy { $0.file == "holidays.txt" })
        #expect(diagnostics[0].hint == "write 'YYYY-MM-DD name', e.g. '2027-01-01 New Year's Day'")
        #expect(
            holidays.names == [
                LocalDate(year: 2027, month: 1, day: 1): "New Year's Day",
                LocalDate(year: 2028, month: 2, day: 29): "Leap day",
            ])
    }

    @Test func bytesThatAreNotUTF8AreAnErrorOnTheirLine() {
        let bytes = Array("2027-01-01 New Year's Day\n2027-12-25 Christmas ".utf8) + [0xE9, 0x0A]
        let (holidays, diagnostics) = Holidays.parse(bytes, file: "holidays.txt")
        #expect(Self.lines(diagnostics) == ["2:1 error: line is not UTF-8 text"])
        #expect(holidays.count == 1)
    }

    @Test func aFileWithNoDatesIsAWarning() {
        #expect(
            Self.lines(Self.parse("# nothing yet\n").diagnostics) == ["1:1 warning: the holidays file lists no dates"])
        #expect(Self.lines(Self.parse("").diagnostics) == ["1:1 warning: the holidays file lists no dates"])
    }
}
