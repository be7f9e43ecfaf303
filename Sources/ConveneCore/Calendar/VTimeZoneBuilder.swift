import Foundation

/// Builds the VTIMEZONE component for a zone from Foundation's real transitions (the system tzdata).
///
/// When the zone follows a regular yearly rule over the years around the event, the STANDARD and
/// DAYLIGHT sub-components carry an RRULE derived from the observed transitions (e.g. Europe/London:
/// `BYMONTH=3;BYDAY=-1SU` at 01:00 and `BYMONTH=10;BYDAY=-1SU` at 02:00), so nothing is hard-coded per
/// zone. Irregular zones get one sub-component per transition; zones without DST a single STANDARD.
enum VTimeZoneBuilder {
    /// One offset change, with the wall-clock time at which it happens (in the old offset, as
    /// RFC 5545 wants for a sub-component's DTSTART).
    struct Transition {
        var instant: Date
        var offsetFrom: Int
        var offsetTo: Int
        var isDaylight: Bool
        var local: DateComponents
    }

    /// Years before the event year that are covered, so the first onset precedes the event.
    private static let yearsBefore = 1
    /// Years after the event year over which a rule must hold before it is written as an RRULE.
    private static let yearsAfter = 7

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// The VTIMEZONE block (folded, CRLF-terminated lines) for `zone` around `year`.
    static func build(for zone: TimeZone, year: Int) -> String {
        let transitions = self.transitions(of: zone, from: year - yearsBefore, through: year + yearsAfter)
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + ICalendarText.text(zone.identifier)]
        if transitions.isEmpty {
            let probe = utcCalendar.date(from: DateComponents(year: year, month: 7, day: 1))!
            let offset = zone.secondsFromGMT(for: probe)
            lines += subcomponent(
                daylight: false, start: "19700101T000000", from: offset, to: offset,
                name: name(of: zone, at: probe), rule: nil)
        } else if let rules = yearlyRules(transitions, firstYear: year - yearsBefore, lastYear: year + yearsAfter) {
            for (first, rule) in rules {
                lines += subcomponent(
                    daylight: first.isDaylight, start: localStamp(first.local), from: first.offsetFrom,
                    to: first.offsetTo, name: name(of: zone, at: first.instant), rule: rule)
            }
        } else {
            // No rule fits: list the real transitions of the years the event (and its end) can fall in.
            for transition in transitions where transition.local.year! <= year + 2 {
                lines += subcomponent(
                    daylight: transition.isDaylight, start: localStamp(transition.local), from: transition.offsetFrom,
                    to: transition.offsetTo, name: name(of: zone, at: transition.instant), rule: nil)
            }
        }
        lines.append("END:VTIMEZONE")
        var output: [UInt8] = []
        for line in lines { ICalendarText.appendFolded(line, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Every offset change of `zone` whose local onset falls in `firstYear...lastYear`.
    static func transitions(of zone: TimeZone, from firstYear: Int, through lastYear: Int) -> [Transition] {
        var cursor = utcCalendar.date(from: DateComponents(year: firstYear - 1, month: 12, day: 30))!
        let limit = utcCalendar.date(from: DateComponents(year: lastYear + 1, month: 1, day: 2))!
        var result: [Transition] = []
        while result.count < 64, let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < limit {
            cursor = next
            let from = zone.secondsFromGMT(for: next.addingTimeInterval(-1))
            let to = zone.secondsFromGMT(for: next)
            let local = utcCalendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second, .weekday], from: next.addingTimeInterval(Double(from)))
            guard from != to, (firstYear...lastYear).contains(local.year!) else { continue }
            result.append(
                Transition(
                    instant: next, offsetFrom: from, offsetTo: to, isDaylight: zone.isDaylightSavingTime(for: next),
                    local: local))
        }
        return result
    }

    /// One RRULE per kind of transition when every kind happens exactly once a year, in the same
    /// month at the same wall-clock time, on a day a yearly rule can describe; nil otherwise.
    static func yearlyRules(_ transitions: [Transition], firstYear: Int, lastYear: Int) -> [(Transition, String)]? {
        var groups: [[Transition]] = []
        for transition in transitions {
            if let index = groups.firstIndex(where: {
                $0[0].offsetFrom == transition.offsetFrom && $0[0].offsetTo == transition.offsetTo
                    && $0[0].isDaylight == transition.isDaylight
            }) {
                groups[index].append(transition)
            } else {
                groups.append([transition])
            }
        }
        let years = Array(firstYear...lastYear)
        var rules: [(Transition, String)] = []
        for group in groups {
            guard group.map({ $0.local.year! }) == years, let rule = yearlyRule(group) else { return nil }
            rules.append((group[0], rule))
        }
        return rules
    }

    /// The RRULE matching every transition in `group` (one per consecutive year), or nil.
    private static func yearlyRule(_ group: [Transition]) -> String? {
        let first = group[0].local
        guard
            group.allSatisfy({
                $0.local.month == first.month && $0.local.hour == first.hour && $0.local.minute == first.minute
                    && $0.local.second == first.second
            })
        else { return nil }
        let month = first.month!
        let prefix = "FREQ=YEARLY;BYMONTH=\(month);"
        let days = group.map { $0.local.day! }
        if group.allSatisfy({ $0.local.weekday == first.weekday }) {
            let weekday = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][first.weekday! - 1]
            if group.allSatisfy({ $0.local.day! > daysInMonth(month, year: $0.local.year!) - 7 }) {
                return prefix + "BYDAY=-1" + weekday
            }
            let ordinal = (first.day! - 1) / 7 + 1
            if days.allSatisfy({ ($0 - 1) / 7 + 1 == ordinal }) {
                return prefix + "BYDAY=\(ordinal)" + weekday
            }
            // A "weekday on or after day D" rule (e.g. Israel's Friday before the last Sunday).
            let low = days.min()!
            if days.max()! - low <= 6 {
                let range = (low...low + 6).map(String.init).joined(separator: ",")
                return prefix + "BYDAY=" + weekday + ";BYMONTHDAY=" + range
            }
            return nil
        }
        return days.allSatisfy({ $0 == first.day }) ? prefix + "BYMONTHDAY=\(first.day!)" : nil
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        let date = utcCalendar.date(from: DateComponents(year: year, month: month, day: 1))!
        return utcCalendar.range(of: .day, in: .month, for: date)!.count
    }

    private static func subcomponent(
        daylight: Bool, start: String, from: Int, to: Int, name: String, rule: String?
    ) -> [String] {
        let kind = daylight ? "DAYLIGHT" : "STANDARD"
        var lines = [
            "BEGIN:" + kind, "DTSTART:" + start, "TZOFFSETFROM:" + offset(from), "TZOFFSETTO:" + offset(to),
        ]
        if let rule { lines.append("RRULE:" + rule) }
        lines += ["TZNAME:" + ICalendarText.text(name), "END:" + kind]
        return lines
    }

    /// `+HHMM`, or `+HHMMSS` for the rare historical offsets with seconds.
    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        let text = padded(magnitude / 3600, 2) + padded(magnitude % 3600 / 60, 2)
        return sign + text + (magnitude % 60 == 0 ? "" : padded(magnitude % 60, 2))
    }

    static func localStamp(_ local: DateComponents) -> String {
        padded(local.year!, 4) + padded(local.month!, 2) + padded(local.day!, 2) + "T" + padded(local.hour!, 2)
            + padded(local.minute!, 2) + padded(local.second!, 2)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// The zone's usual abbreviation (GMT/BST, EST/EDT, CET/CEST): ICU only knows the ones commonly used
    /// in a locale, so a few English locales are tried before Foundation's `GMT+1` style.
    static func name(of zone: TimeZone, at instant: Date) -> String {
        for locale in ["en_GB", "en_US", "en_AU", "en_IE", "en_NZ", "en_CA", "en_IN"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: locale)
            formatter.timeZone = zone
            formatter.dateFormat = "zzz"
            let text = formatter.string(from: instant)
            if !text.isEmpty, !text.hasPrefix("GMT+"), !text.hasPrefix("GMT-"), !text.hasPrefix("UTC") {
                return text
            }
        }
        return zone.abbreviation(for: instant) ?? zone.identifier
    }
}
