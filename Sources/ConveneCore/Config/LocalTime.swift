import Foundation

/// A calendar date as written in the rules file (`2027-01-07`), with no zone attached.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year in the proleptic Gregorian calendar, four digits in the files.
    public var year: Int
    /// The month, 1 (January) … 12.
    public var month: Int
    /// The day of the month, 1 … 31; `init(parsing:)` checks it exists, this memberwise init does not.
    public var day: Int

    /// Takes the parts unchecked; use `init?(parsing:)` for text a person wrote.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, checking that the day exists (no 2027-02-30).
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Parses the compact `YYYYMMDD` form used in UIDs and delivery keys.
    /// On bytes: the journal's fold reads one for every calendar message sent.
    public init?<Text: StringProtocol>(compact text: Text) {
        var digits: [Int] = []
        digits.reserveCapacity(8)
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits.count < 8 else { return nil }
            digits.append(Int(byte - UInt8(ascii: "0")))
        }
        guard digits.count == 8 else { return nil }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    /// Why `text`, written like a date (`YYYY-MM-DD`), names no day: "2027-02-30 does not exist: February 2027
    /// has 28 days". Nil when `text` is a real date or is not written like one, so callers can still say what
    /// form they expect.
    static func nonexistence(of text: some StringProtocol) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2],
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        guard (1...12).contains(month) else { return "\(text) does not exist: there is no month \(month)" }
        let days = daysIn(month: month, year: year)
        guard day < 1 || day > days else { return nil }
        return "\(text) does not exist: \(monthNames[month - 1]) \(year) has \(days) days"
    }

    /// The date as people read it in messages: `Wednesday 6 January 2027`.
    public var longDescription: String { "\(weekday.fullName) \(day) \(LocalDate.monthNames[month - 1]) \(year)" }

    /// `YYYYMMDD`, as used in occurrence UIDs.
    public var compact: String { digits(year, 4) + digits(month, 2) + digits(day, 2) }
    /// `YYYY-MM-DD`, as the rules file, the holidays file and `--from`/`--to` write dates.
    public var description: String { digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) }

    /// Chronological order (year, then month, then day).
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (zone-free date arithmetic).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// The date `days` days later (earlier when negative), across months and years.
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Adds calendar months, clamping the day (31 Jan + 1 month = 28/29 Feb).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12
        let m = total % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))
    }

    /// The weekday of this date.
    public var weekday: Weekday { Weekday(rawValue: ((dayNumber % 7) + 7 + 3) % 7 + 1)! }

    /// `Monday 4 January 2027`: how messages to an admin name a day (British order, so a weekday is never misread as
    /// a date and 4/1 never as April).
    public var spelledOut: String {
        let monthName = (1...12).contains(month) ? LocalDate.monthNames[month - 1] : "month \(month)"
        return "\(weekday.fullName) \(day) \(monthName) \(year)"
    }
}

/// A day of the week, Monday first (ISO 8601).
public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case monday = 1
    case tuesday, wednesday, thursday, friday, saturday, sunday

    /// `Mon`, `Monday`, `mon` … → the weekday.
    public init?(name: String) {
        let key = name.lowercased()
        guard key.count >= 3,
            let match = Weekday.allCases.first(where: { $0.fullName.lowercased().hasPrefix(key) })
        else { return nil }
        self = match
    }

    /// The English name, `Monday` … `Sunday`, as messages spell a date.
    public var fullName: String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][rawValue - 1]
    }
    /// The first three letters, `Mon` … `Sun`, as `send_window:` and `repeat: … on` write them.
    public var shortName: String { String(fullName.prefix(3)) }

    /// Monday first, as ISO 8601 numbers the days.
    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A wall-clock time of day, `HH:MM`.
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The hour, 0 … 23, or 24 only as a send window's `closes` (midnight at the end of the day).
    public var hour: Int
    /// The minute, 0 … 59.
    public var minute: Int

    /// Takes the parts unchecked; use `init?(parsing:)` for text a person wrote.
    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM` (24-hour; `9:00` is accepted too).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        self.init(hour: h, minute: m)
    }

    /// Minutes since 00:00, 0 … 1440 (1440 only for `24:00`), for comparing and window arithmetic.
    public var minutesSinceMidnight: Int { hour * 60 + minute }
    /// `HH:MM`, zero-padded, 24-hour.
    public var description: String { digits(hour, 2) + ":" + digits(minute, 2) }

    /// Earlier in the day first.
    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }
}

/// A wall-clock date and time in the service zone, `YYYY-MM-DD HH:MM`.
public struct LocalDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The calendar date, in the service zone.
    public var date: LocalDate
    /// The wall-clock time on that date, in the service zone.
    public var time: TimeOfDay

    /// Takes the parts unchecked; use `init?(parsing:)` for text a person wrote.
    public init(date: LocalDate, time: TimeOfDay) {
        self.date = date
        self.time = time
    }

    /// Parses `YYYY-MM-DD HH:MM` (a `T` between them is accepted too).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard parts.count == 2, let date = LocalDate(parsing: parts[0]), let time = TimeOfDay(parsing: parts[1])
        else { return nil }
        self.init(date: date, time: time)
    }

    /// Why `text`, written like `YYYY-MM-DD HH:MM`, names a day that does not exist (see
    /// `LocalDate.nonexistence(of:)`); nil otherwise.
    static func nonexistence(of text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2, TimeOfDay(parsing: String(parts[1])) != nil else { return nil }
        return LocalDate.nonexistence(of: parts[0])
    }

    /// `YYYY-MM-DD HH:MM`, the form the rules file and `--now` use.
    public var description: String { "\(date) \(time)" }

    /// `Monday 4 January 2027 08:00`, for messages to an admin.
    public var spelledOut: String { "\(date.spelledOut) \(time)" }

    /// Wall-clock order; two times around a clock change may compare otherwise as instants.
    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.time) < (rhs.date, rhs.time)
    }

    /// The absolute instant of this wall-clock time in `zone`. A time that does not exist (inside the spring-forward
    /// gap) moves forward by the gap, as clocks do; an ambiguous time (autumn) takes the first, daylight-time instant.
    /// Both as RFC 5545 has calendar programs read a local time with a TZID: see `WallClockResolution`.
    public func instant(in zone: TimeZone) -> Date { resolution(in: zone).instant }

    /// The wall-clock time of `instant` in `zone`.
    public init(instant: Date, in zone: TimeZone) {
        let offset = zone.secondsFromGMT(for: instant)
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = Int((Double(seconds) / 86400).rounded(.down))
        let rest = seconds - days * 86400
        self.init(date: LocalDate(dayNumber: days), time: TimeOfDay(hour: rest / 3600, minute: (rest % 3600) / 60))
    }
}

/// `n` zero-padded to `width` digits; `String(format:)` is far too slow for the planner's hot path.
@inline(__always)
func digits(_ n: Int, _ width: Int) -> String {
    let text = String(n)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
