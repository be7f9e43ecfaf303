import Foundation

/// A length of time written as `60m`, `3h`, `1h30m`, `90 minutes` or `2 hours`.
public struct Duration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whole minutes, 1 … 20160 (14 days) when parsed; the parser refuses longer as "not an event".
    public var minutes: Int

    /// Takes the minutes unchecked; `parse` enforces the 1-minute to 14-day range.
    public init(minutes: Int) { self.minutes = minutes }

    /// Reads `60m`, `3h`, `1h30m`, `90 minutes`; the failure message is shown to the admin as is.
    public static func parse(_ text: String) -> Result<Duration, PhraseError> {
        let compact = text.lowercased().replacingOccurrences(of: " ", with: "")
        var total = 0
        var number = ""
        var rest = Substring(compact)
        var sawUnit = false
        while let c = rest.first {
            if c.isASCII && c.isNumber {
                number.append(c)
                rest.removeFirst()
                continue
            }
            let units: [(String, Int)] = [
                ("hours", 60), ("hour", 60), ("hrs", 60), ("hr", 60), ("h", 60),
                ("minutes", 1), ("minute", 1), ("mins", 1), ("min", 1), ("m", 1),
            ]
            guard let n = Int(number), let (word, factor) = units.first(where: { rest.hasPrefix($0.0) }) else {
                return .failure(PhraseError("'\(text)' is not a duration; write e.g. 60m, 3h or 1h30m"))
            }
            // A long run of digits must be refused, not trap: the file is untrusted input.
            let (minutes, tooMany) = n.multipliedReportingOverflow(by: factor)
            let (sum, tooLong) = total.addingReportingOverflow(minutes)
            guard !tooMany, !tooLong else { return .failure(PhraseError("a duration over 14 days is not an event")) }
            total = sum
            number = ""
            sawUnit = true
            rest = rest.dropFirst(word.count)
        }
        guard number.isEmpty, sawUnit else {
            return .failure(
                PhraseError("'\(text)' is not a duration; write e.g. 60m, 3h or 1h30m (a unit is required)"))
        }
        guard total > 0 else { return .failure(PhraseError("a duration must be longer than zero")) }
        guard total <= 14 * 24 * 60 else { return .failure(PhraseError("a duration over 14 days is not an event")) }
        return .success(Duration(minutes: total))
    }

    /// The compact form `1h30m`, `3h`, `45m`, as `validate --print` shows it.
    public var description: String {
        switch (minutes / 60, minutes % 60) {
        case (0, let m): return "\(m)m"
        case (let h, 0): return "\(h)h"
        case (let h, let m): return "\(h)h\(m)m"
        }
    }
}

/// When a notification goes out relative to an occurrence: `21 days before at 09:00`, `2 hours before`.
public struct SendOffset: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The unit of the lead time.
    public enum Unit: String, Sendable, Hashable, Codable { case days, weeks, hours }

    /// How many units before the occurrence, 0 … ten years' worth; 0 with `at` means that day at that time.
    public var amount: Int
    /// Days, weeks or hours; `at HH:MM` is allowed only with days and weeks.
    public var unit: Unit
    /// The wall-clock time on the resulting day (days and weeks only); nil keeps the event's time of day.
    public var at: TimeOfDay?

    /// Takes the parts unchecked; `parse` enforces the ten-year limit and `at` only with days and weeks.
    public init(amount: Int, unit: Unit, at: TimeOfDay? = nil) {
        self.amount = amount
        self.unit = unit
        self.at = at
    }

    /// Reads `N days|weeks|hours before [at HH:MM]`; the failure message is shown to the admin as is.
    public static func parse(_ text: String) -> Result<SendOffset, PhraseError> {
        let words = text.lowercased().split(separator: " ").map(String.init)
        let grammar = "expected 'N days|weeks|hours before [at HH:MM]'"
        guard words.count == 3 || words.count == 5, let amount = Int(words[0]), amount >= 0, words[2] == "before" else {
            return .failure(PhraseError("'\(text)' is not a send time; \(grammar)"))
        }
        let unit: Unit
        switch words[1] {
        case "day", "days": unit = .days
        case "week", "weeks": unit = .weeks
        case "hour", "hours": unit = .hours
        default: return .failure(PhraseError("unknown unit '\(words[1])'; \(grammar)"))
        }
        // Planning does date arithmetic with this: ten years bounds it far from overflow, and far beyond any programme.
        let limit = unit == .hours ? 24 * 3653 : unit == .weeks ? 522 : 3653
        guard amount <= limit else {
            return .failure(PhraseError("'\(text)' is more than ten years before the event; \(grammar)"))
        }
        var at: TimeOfDay?
        if words.count == 5 {
            guard words[3] == "at", let time = TimeOfDay(parsing: words[4]) else {
                return .failure(PhraseError("'\(text)' is not a send time; \(grammar)"))
            }
            guard unit != .hours else { return .failure(PhraseError("'at HH:MM' goes with days or weeks, not hours")) }
            at = time
        }
        return .success(SendOffset(amount: amount, unit: unit, at: at))
    }

    /// `1 day before at 08:00`, `2 hours before`: the phrase as an admin writes it (and `parse` reads it back).
    public var description: String {
        let unitName = amount == 1 ? String(unit.rawValue.dropLast()) : unit.rawValue
        return "\(amount) \(unitName) before" + (at.map { " at \($0)" } ?? "")
    }
}

/// The hours in which mail may go out, e.g. `08:00-18:00 Mon-Fri`, and the public holidays on which none does.
/// The holidays travel with the window so that planning and the dispatcher, which both build a `DueTime` from it,
/// see the same closed days.
public struct SendWindow: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first minute mail may go out on an open day (inclusive).
    public var opens: TimeOfDay
    /// The end of the window's hours, exclusive; `24:00` for midnight.
    public var closes: TimeOfDay
    /// The weekdays mail may go out, Monday first; all seven when the phrase names none.
    public var days: [Weekday]
    /// Days closed whatever their weekday; set by the loader from `service.holidays`.
    public var holidays: Holidays

    /// Takes the parts unchecked; `parse` checks that the window opens before it closes.
    public init(opens: TimeOfDay, closes: TimeOfDay, days: [Weekday], holidays: Holidays = .none) {
        self.opens = opens
        self.closes = closes
        self.days = days
        self.holidays = holidays
    }

    /// True when mail may go out on `date` at some time: one of the window's weekdays and not a holiday.
    public func isOpen(on date: LocalDate) -> Bool { days.contains(date.weekday) && !holidays.contains(date) }

    /// True when `local` is inside the window.
    public func contains(_ local: LocalDateTime) -> Bool {
        local.time >= opens && local.time < closes && isOpen(on: local.date)
    }

    /// The window's last minute of a day (17:59 for a window closing at 18:00).
    public var lastMinute: TimeOfDay {
        let minutes = closes.minutesSinceMidnight - 1
        return TimeOfDay(hour: minutes / 60, minute: minutes % 60)
    }

    /// `time` moved into the window's hours: to the opening if earlier, to the last minute if at or after closing.
    public func clamp(_ time: TimeOfDay) -> TimeOfDay {
        time < opens ? opens : time < closes ? time : lastMinute
    }

    /// Always open: every day, all day.
    public static let always = SendWindow(
        opens: TimeOfDay(hour: 0, minute: 0), closes: TimeOfDay(hour: 24, minute: 0), days: Weekday.allCases)

    /// Reads `HH:MM-HH:MM [Mon-Fri | Mon,Wed,Fri]`; holidays come later from the loader, not from the phrase.
    public static func parse(_ text: String) -> Result<SendWindow, PhraseError> {
        let words = text.split(separator: " ").map(String.init)
        let grammar = "expected 'HH:MM-HH:MM [Mon-Fri | Mon,Wed,Fri]'"
        guard (1...2).contains(words.count) else { return .failure(PhraseError("'\(text)': \(grammar)")) }
        let times = words[0].split(separator: "-").map(String.init)
        guard times.count == 2, let opens = TimeOfDay(parsing: times[0]) else {
            return .failure(PhraseError("'\(words[0])' is not a time range; \(grammar)"))
        }
        let closes: TimeOfDay
        if times[1] == "24:00" {
            closes = TimeOfDay(hour: 24, minute: 0)
        } else if let t = TimeOfDay(parsing: times[1]) {
            closes = t
        } else {
            return .failure(PhraseError("'\(words[0])' is not a time range; \(grammar)"))
        }
        guard opens < closes else { return .failure(PhraseError("the window must open before it closes")) }
        var days: [Weekday] = Weekday.allCases
        if words.count == 2 {
            days = []
            for item in words[1].split(separator: ",") {
                let ends = item.split(separator: "-").map(String.init)
                guard let first = ends.first.flatMap(Weekday.init(name:)),
                    let last = ends.count == 2 ? Weekday(name: ends[1]) : first, ends.count <= 2
                else { return .failure(PhraseError("'\(item)' is not a weekday or range; \(grammar)")) }
                var day = first
                while true {
                    if !days.contains(day) { days.append(day) }
                    if day == last { break }
                    day = Weekday(rawValue: day.rawValue % 7 + 1)!
                }
            }
            days.sort()
            guard !days.isEmpty else { return .failure(PhraseError("'\(words[1])' names no weekday; \(grammar)")) }
        }
        return .success(SendWindow(opens: opens, closes: closes, days: days))
    }

    /// The phrase as `parse` reads it: `08:00-18:00 Mon-Fri`, `07:30-19:00 Mon,Wed,Fri`; the holidays are not in it.
    public var description: String {
        let hours = "\(opens)-\(closes.hour == 24 ? "24:00" : closes.description)"
        let sorted = Set(days).sorted()
        guard sorted.count < 7 else { return hours }
        // Runs of three days or more read as ranges, as admins write them.
        var parts: [String] = []
        var first = 0
        while first < sorted.count {
            var last = first
            while last + 1 < sorted.count && sorted[last + 1].rawValue == sorted[last].rawValue + 1 { last += 1 }
            parts.append(
                last - first >= 2
                    ? "\(sorted[first].shortName)-\(sorted[last].shortName)"
                    : sorted[first...last].map(\.shortName).joined(separator: ","))
            first = last + 1
        }
        return hours + " " + parts.joined(separator: ",")
    }
}

/// A sending rate such as `30/minute`, with an optional daily cap: `30/minute, 10000/day`.
public struct Rate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The most messages that may start in any window of `perSeconds`; at least 1.
    public var count: Int
    /// The window's length in seconds: 1, 60, 3600 (second, minute, hour), or 86,400 when only a daily cap is given.
    public var perSeconds: Int
    /// The most envelope recipients in any 24 hours, counted from the journal so that it holds across restarts (the
    /// relays count recipients, not messages: Exchange Online allows 10,000 a rolling day); nil for no cap.
    public var perDay: Int?

    /// Takes the parts unchecked; `parse` allows only counts of 1 or more.
    public init(count: Int, perSeconds: Int, perDay: Int? = nil) {
        self.count = count
        self.perSeconds = perSeconds
        self.perDay = perDay
    }

    /// Reads `30/minute`, `5/s`, `600/hour`, `10000/day`, or a rate and a daily cap separated by a comma
    /// (`30/minute, 10000/day`); the failure message is shown to the admin as is.
    public static func parse(_ text: String) -> Result<Rate, PhraseError> {
        var window: (count: Int, seconds: Int)?
        var perDay: Int?
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            return .failure(
                PhraseError("'\(text)' has more than a rate and a daily cap; write e.g. 30/minute, 10000/day"))
        }
        for part in parts {
            let fields = part.replacingOccurrences(of: " ", with: "").lowercased().split(separator: "/").map(
                String.init)
            // Ten digits at most: a count above 9,999,999,999 is a typo, and Int(...) must not be asked to trap.
            guard fields.count == 2, fields[0].count <= 10, let n = Int(fields[0]), n >= 1 else {
                return .failure(PhraseError("'\(text)' is not a rate; write e.g. 30/minute"))
            }
            let seconds: Int
            switch fields[1] {
            case "s", "sec", "second": seconds = 1
            case "m", "min", "minute": seconds = 60
            case "h", "hour": seconds = 3600
            case "d", "day":
                guard perDay == nil else { return .failure(PhraseError("'\(text)' gives two daily caps")) }
                perDay = n
                continue
            default:
                return .failure(
                    PhraseError("'\(fields[1])' is not second, minute, hour or day; write e.g. 30/minute, 10000/day"))
            }
            guard window == nil else {
                return .failure(PhraseError("'\(text)' gives two rates; keep one and a daily cap"))
            }
            window = (n, seconds)
        }
        let rate = window ?? (perDay ?? 1, 86_400)
        return .success(Rate(count: rate.count, perSeconds: rate.seconds, perDay: perDay))
    }

    /// `30/minute` or `30/minute, 10000/day`, as `parse` reads it back.
    public var description: String {
        let unit = [1: "second", 60: "minute", 3600: "hour"][perSeconds]
        let window = unit.map { "\(count)/\($0)" }
        let day = perDay.map { "\($0)/day" }
        return [window, day].compactMap { $0 }.joined(separator: ", ")
    }
}

/// Parses `10%` into 0.10.
func parsePercentage(_ text: String) -> Result<Double, PhraseError> {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasSuffix("%"), let n = Double(trimmed.dropLast()), n >= 0, n <= 100 else {
        return .failure(PhraseError("'\(text)' is not a percentage between 0% and 100%"))
    }
    return .success(n / 100)
}
