/// A `repeat:` phrase: `every N days|weeks|months [on Mon,Thu] (until DATE | for N times)`.
public struct Recurrence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The step between occurrences.
    public enum Unit: String, Sendable, Hashable, Codable {
        case days, weeks, months
    }
    /// Where the series stops.
    public enum End: Sendable, Hashable, Codable {
        case until(LocalDate)
        case count(Int)
    }

    /// Units between occurrences, 1 … 1000 (`every 2 weeks`; a `fortnight` is 2 weeks).
    public var interval: Int
    /// Days, weeks or calendar months (a month step clamps the day: 31 Jan → 28/29 Feb).
    public var unit: Unit
    /// For weekly series: the weekdays within each active week (empty: the start's weekday).
    public var weekdays: [Weekday]
    /// The last date, inclusive (`until`), or the number of occurrences (`for N times`) before `except:` removes any.
    public var end: End

    /// Takes the parts unchecked; `parse` enforces the interval range and weekdays only with weeks.
    public init(interval: Int, unit: Unit, weekdays: [Weekday] = [], end: End) {
        self.interval = interval
        self.unit = unit
        self.weekdays = weekdays
        self.end = end
    }

    /// Parses the phrase; on failure returns a message saying what was wrong.
    public static func parse(_ text: String) -> Result<Recurrence, PhraseError> {
        var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let grammar = "expected 'every N days|weeks|months [on Mon,Thu] (until YYYY-MM-DD | for N times)'"
        guard words.first == "every" else {
            return .failure(PhraseError("'repeat' must start with 'every'; \(grammar)"))
        }
        words.removeFirst()
        var interval = 1
        if let first = words.first, let n = Int(first) {
            // Expanding a series multiplies the interval by the occurrence number (up to Occurrences.limit):
            // 1000 keeps that far from overflow and is already a step of 19 years in weeks.
            guard n >= 1, n <= 1000 else { return .failure(PhraseError("the interval must be from 1 to 1000")) }
            interval = n
            words.removeFirst()
        }
        guard let unitWord = words.first else {
            return .failure(PhraseError("missing days, weeks or months; \(grammar)"))
        }
        words.removeFirst()
        let unit: Unit
        switch unitWord {
        case "day", "days": unit = .days
        case "week", "weeks": unit = .weeks
        case "month", "months": unit = .months
        case "fortnight":
            unit = .weeks
            interval *= 2
        default: return .failure(PhraseError("unknown unit '\(unitWord)'; \(grammar)"))
        }
        var weekdays: [Weekday] = []
        if words.first == "on" {
            words.removeFirst()
            var list = ""
            while let w = words.first, w != "until", w != "for" {
                list += w
                words.removeFirst()
            }
            for name in list.split(separator: ",") {
                guard let day = Weekday(name: String(name)) else {
                    return .failure(PhraseError("'\(name)' is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"))
                }
                if !weekdays.contains(day) { weekdays.append(day) }
            }
            guard !weekdays.isEmpty else { return .failure(PhraseError("'on' needs weekdays, e.g. 'on Mon,Thu'")) }
            guard unit == .weeks else { return .failure(PhraseError("'on' weekdays are only allowed with weeks")) }
            weekdays.sort()
        }
        guard let keyword = words.first else {
            return .failure(PhraseError("a series must end: add 'until YYYY-MM-DD' or 'for N times'"))
        }
        words.removeFirst()
        let end: End
        switch keyword {
        case "until":
            guard words.count == 1, let date = LocalDate(parsing: words[0]) else {
                let missing = words.count == 1 ? LocalDate.nonexistence(of: words[0]) : nil
                return .failure(PhraseError(missing.map { "'until' date \($0)" } ?? "'until' needs a date YYYY-MM-DD"))
            }
            end = .until(date)
        case "for":
            guard words.count == 2, let n = Int(words[0]), n >= 1, words[1] == "times" || words[1] == "time" else {
                return .failure(PhraseError("'for' needs a count, e.g. 'for 6 times'"))
            }
            end = .count(n)
        default:
            return .failure(PhraseError("unexpected '\(keyword)'; \(grammar)"))
        }
        return .success(Recurrence(interval: interval, unit: unit, weekdays: weekdays, end: end))
    }

    /// `every 2 weeks on Mon,Thu until 2027-07-01`, as `parse` reads it back.
    public var description: String {
        var text = "every \(interval) \(unit.rawValue)"
        if !weekdays.isEmpty { text += " on " + weekdays.map(\.shortName).joined(separator: ",") }
        switch end {
        case .until(let date): text += " until \(date)"
        case .count(let n): text += " for \(n) times"
        }
        return text
    }
}

/// Why a phrase in the rules file could not be read.
public struct PhraseError: Error, Sendable, Hashable {
    /// What was wrong and what was expected; the diagnostic prints it after `bad 'KEY':`.
    public var message: String
    /// Wraps a message written for the admin.
    public init(_ message: String) { self.message = message }
}
