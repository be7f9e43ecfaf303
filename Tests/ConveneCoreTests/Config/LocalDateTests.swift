import Testing

@testable import ConveneCore

/// The compact `YYYYMMDD` dates of delivery keys and UIDs, which the journal's fold reads back.
struct LocalDateTests {
    @Test func compactDatesReadBackAsTheDayTheyName() {
        #expect(LocalDate(compact: "20270125") == LocalDate(year: 2027, month: 1, day: 25))
        #expect(LocalDate(compact: "20280229") == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate(compact: "x20270125".dropFirst()) == LocalDate(year: 2027, month: 1, day: 25))
    }

    @Test(arguments: [
        "", "2027012", "202701250", "2027-1-25", "20270230", "20271301", "20270100", "2027012x", "２０２７０１２５",
    ])
    func anythingElseIsNoDate(text: String) {
        #expect(LocalDate(compact: text) == nil)
    }
}

/// Dates written like dates that name no day say why, so the rules file can say more than "not a date".
struct LocalDateNonexistenceTests {
    @Test(arguments: [
        ("2027-02-30", "2027-02-30 does not exist: February 2027 has 28 days"),
        ("2028-02-30", "2028-02-30 does not exist: February 2028 has 29 days"),
        ("2100-02-29", "2100-02-29 does not exist: February 2100 has 28 days"),
        ("2027-04-31", "2027-04-31 does not exist: April 2027 has 30 days"),
        ("2027-01-00", "2027-01-00 does not exist: January 2027 has 31 days"),
        ("2027-13-01", "2027-13-01 does not exist: there is no month 13"),
        ("2027-00-10", "2027-00-10 does not exist: there is no month 0"),
    ])
    func aDayThatDoesNotExistIsNamed(text: String, message: String) {
        #expect(LocalDate(parsing: text) == nil)
        #expect(LocalDate.nonexistence(of: text) == message)
        #expect(LocalDateTime.nonexistence(of: "\(text) 09:30") == message)
    }

    @Test(arguments: [
        "2028-02-29", "2027-12-31", "27-02-30", "2027-2-30", "2027/02/30", "tomorrow", "2027-02-3x", "",
    ])
    func realDatesAndOtherTextHaveNoSuchReason(text: String) {
        #expect(LocalDate.nonexistence(of: text) == nil)
    }

    @Test func datesReadAsPeopleSayThem() {
        #expect(LocalDate(year: 2027, month: 1, day: 6).longDescription == "Wednesday 6 January 2027")
        #expect(LocalDate(year: 2027, month: 4, day: 10).longDescription == "Saturday 10 April 2027")
    }
}
