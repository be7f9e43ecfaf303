import ConveneCore
import Testing

/// The compact `YYYYMMDD` dates of delivery keys and UIDs, which the journal's fold reads back.
struct LocalDateTests {
    @Test func compactDatesReadBackAsTheDayTheyName() {
        #expect(LocalDate(compact: "20270125") == LocalDate(year: 2027, month: 1, day: 25))
        #expect(LocalDate(compact: "20280229") == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate(compact: "x20270125".dropFirst()) == LocalDate(year: 2027, month: 1, day: 25))
    }

    @Test(arguments: ["", "2027012", "202701250", "2027-1-25", "20270230", "20271301", "20270100", "2027012x", "２０２７０１２５"])
    func anythingElseIsNoDate(text: String) {
        #expect(LocalDate(compact: text) == nil)
    }
}
