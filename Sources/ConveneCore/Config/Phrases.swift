import Foundation

/// A length of time written as `60m`, `3h`, `1h30m`, `90 minutes` or `2 hours`.
public struct Duration: Sendable, Hashable, Codable, CustomStringConvertible {
    public var minutes: Int

    public init(minutes: Int) { self.minutes = minutes }

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
            return .failure(PhraseError("'\(text)' is not a duration; write e.g. 60m, 3h or 1h30m (a unit is required)"))
        }
        guard total > 0 else { return .failure(PhraseError("a duration must be longer than zero")) }
        guard total <= 14 * 24 * 60 else { return .failure(PhraseError("a duration over 14 days is not an event")) }
        return .success(Duration(minutes: total))
    }

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

    public var amount: Int
    public var unit: Unit
    /// The wall-clock time on the resulting day (days and weeks only); nil keeps the event's time of day.
    public var at: TimeOfDay?

    public init(amount: Int, unit: Unit, at: TimeOfDay? = nil) {
        self.amount = amount
        self.unit = unit
        self.at = at
    }

    public static func parse(_ text: String) -> Result<SendOffset, PhraseError> {
        let words = text.lowercased().split(separator: " ").map(String.init)
        let grammar = "expected 'N days|weeks|hours before [at HH:MM]'"
        guard words.count == 3 || words.count == 5, let amount = Int(words[0]), amount >= 0, words[2] == "before" else {
            return .failure(PhraseError("'\(text)' is not a send time; \(grammar)"))
        }
        // Planning turns the amount into days and seconds; a cap keeps a typo from overflowing (a trap) there.
        guard amount <= 10_000 else {
            return .failure(PhraseError("\(words[0]) \(words[1]) is too far ahead; at most 10000"))
        }
        let unit: Unit
        switch words[1] {
        case "day", "days": unit = .days
        case "week", "weeks": unit = .weeks
        case "hour", "hours": unit = .hours
        default: return .failure(PhraseError("unknown unit '\(words[1])'; \(grammar)"))
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

    public var description: String {
        "\(amount) \(unit.rawValue) before" + (at.map { " at \($0)" } ?? "")
    }
}

/// The hours in which mail may go out, e.g. `08:00-18:00 Mon-Fri`.
public struct SendWindow: Sendable, Hashable, Codable, CustomStringConvertible {
    public var opens: TimeOfDay
    public var closes: TimeOfDay
    public var days: [Weekday]

    public init(opens: TimeOfDay, closes: TimeOfDay, days: [Weekday]) {
        self.opens = opens
        self.closes = closes
        self.days = days
    }

    /// Always open: every day, all day.
    public static let always = SendWindow(
        opens: TimeOfDay(hour: 0, minute: 0), closes: TimeOfDay(hour: 24, minute: 0), days: Weekday.allCases)

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
        }
        return .success(SendWindow(opens: opens, closes: closes, days: days))
    }

    public var description: String {
        let hours = "\(opens)-\(closes.hour == 24 ? "24:00" : closes.description)"
        return days.count == 7 ? hours : hours + " " + days.map(\.shortName).joined(separator: ",")
    }
}

/// A sending rate such as `30/minute`.
public struct Rate: Sendable, Hashable, Codable, CustomStringConvertible {
    public var count: Int
    public var perSeconds: Int

    public init(count: Int, perSeconds: Int) {
        self.count = count
        self.perSeconds = perSeconds
    }

    public static func parse(_ text: String) -> Result<Rate, PhraseError> {
        let parts = text.replacingOccurrences(of: " ", with: "").lowercased().split(separator: "/").map(String.init)
        guard parts.count == 2, let n = Int(parts[0]), n >= 1 else {
            return .failure(PhraseError("'\(text)' is not a rate; write e.g. 30/minute"))
        }
        let seconds: Int
        switch parts[1] {
        case "s", "sec", "second": seconds = 1
        case "m", "min", "minute": seconds = 60
        case "h", "hour": seconds = 3600
        default: return .failure(PhraseError("'\(parts[1])' is not second, minute or hour; write e.g. 30/minute"))
        }
        return .success(Rate(count: n, perSeconds: seconds))
    }

    public var description: String {
        "\(count)/" + (perSeconds == 1 ? "second" : perSeconds == 60 ? "minute" : "hour")
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
