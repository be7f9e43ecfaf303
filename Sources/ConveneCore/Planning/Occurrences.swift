import Foundation

/// Expands events into their dated occurrences. Pure date arithmetic on wall-clock dates: the time of day is
/// the event's, in the service zone, so a 12:00 series stays at 12:00 across clock changes.
public enum Occurrences {
    /// A series never expands past this many dates, so a typo like `every 1 days for 99999 times` stays cheap.
    public static let limit = 1000

    /// The dates of `event` in order; `excluding` drops its `except:` dates.
    public static func dates(of event: Event, excluding: Bool = true) -> [LocalDate] {
        let start = event.start.date
        guard let rule = event.recurrence else {
            return excluding && event.except.contains(start) ? [] : [start]
        }
        var dates: [LocalDate] = []
        func accept(_ date: LocalDate) -> Bool {
            switch rule.end {
            case .until(let last): if date > last { return false }
            case .count(let n): if dates.count >= n { return false }
            }
            dates.append(date)
            return dates.count < limit
        }
        loop: for k in 0..<limit {
            switch rule.unit {
            case .days:
                if !accept(start.adding(days: k * rule.interval)) { break loop }
            case .months:
                if !accept(start.adding(months: k * rule.interval)) { break loop }
            case .weeks where rule.weekdays.isEmpty:
                if !accept(start.adding(days: 7 * k * rule.interval)) { break loop }
            case .weeks:
                // Active weeks are every Nth Monday-based week from the start's week; within one, each listed day.
                let monday = start.adding(days: 1 - start.weekday.rawValue).adding(days: 7 * k * rule.interval)
                for day in rule.weekdays {
                    let date = monday.adding(days: day.rawValue - 1)
                    if date < start { continue }
                    if !accept(date) { break loop }
                }
            }
        }
        return excluding ? dates.filter { !event.except.contains($0) } : dates
    }
}
