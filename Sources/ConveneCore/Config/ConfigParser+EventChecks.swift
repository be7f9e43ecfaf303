import Foundation

/// Checks of an event's dates and times that read fine one key at a time but are probably not what the admin
/// meant: a time the clocks skip or repeat, an end that comes out before the start, a monthly series that drifts
/// onto weekends, a weekly series that does not include its own start date. They are warnings, so `validate`
/// still passes; the messages say what convene will actually do.
extension ConfigParser {
    /// Warns about `event`'s schedule, each at the key to change. `end` is the `end:` as written (its wall-clock
    /// time is what the admin asked for); `map` is the event's mapping, for key locations. A cancelled event
    /// is not checked: nothing is sent for it.
    static func checkSchedule(of event: Event, end: LocalDateTime?, in map: MappingReader, _ reader: SchemaReader) {
        guard event.status == .confirmed else { return }
        let startAt = map.value("start")?.location ?? map.node.location
        if let rule = event.recurrence, let repeatAt = map.value("repeat")?.location {
            if rule.unit == .weeks && !rule.weekdays.isEmpty { checkStartWeekday(of: event, rule, at: startAt, reader) }
            if rule.unit == .months { checkWeekends(of: event, at: repeatAt, reader) }
        }
        guard let zone = reader.timeZone else { return }
        // With both 'duration' and 'end' (an error already reported) the length came from 'duration'.
        let end = map.has("duration") ? nil : end
        let endAt = map.value(end == nil ? "duration" : "end")?.location ?? startAt
        checkClockChanges(of: event, end: end, zone: zone, startAt: startAt, endAt: endAt, reader)
    }

    /// The message for an `except:` item that is not a date.
    static func exceptDateProblem(_ text: String) -> String {
        LocalDate.nonexistence(of: text).map { "'except' date \($0)" }
            ?? "'except' dates must be YYYY-MM-DD; got '\(text)'"
    }

    /// The message for a `start:` or `end:` that is not a date and time.
    static func dateTimeProblem(_ text: String) -> String {
        LocalDateTime.nonexistence(of: text) ?? "'\(text)' is not a date and time; write YYYY-MM-DD HH:MM"
    }

    // MARK: series

    /// `every 2 weeks on Tue,Thu` from a Wednesday: the expansion skips the start date, which is easy to miss
    /// because the file shows it as the start.
    static func checkStartWeekday(
        of event: Event, _ rule: Recurrence, at location: SourceLocation, _ reader: SchemaReader
    ) {
        let start = event.start.date
        guard !rule.weekdays.contains(start.weekday) else { return }
        let days = "a " + listed(rule.weekdays.map(\.shortName), conjunction: "or")
        let begins = Occurrences.dates(of: event, excluding: false).first
        reader.warning(
            "the start date \(start.longDescription) is not \(days): "
                + (begins.map { "the series begins on \($0.longDescription)" } ?? "the series has no dates at all"),
            at: location,
            hint: "start on \(days), or add \(start.weekday.shortName) after 'on' if that day belongs to the series")
    }

    /// `every N months` keeps the day of the month, so its weekday wanders: 10 February 2027 is a Wednesday,
    /// 10 April a Saturday. Dates taken out with `except:` are not counted.
    static func checkWeekends(of event: Event, at location: SourceLocation, _ reader: SchemaReader) {
        let weekend = Occurrences.dates(of: event).filter { $0.weekday >= .saturday }
        guard !weekend.isEmpty else { return }
        let count = weekend.count == 1 ? "" : " on \(weekend.count) dates"
        reader.warning(
            "the monthly series lands on a weekend\(count): " + listed(weekend.map(\.longDescription)), at: location,
            hint: "'every N months' keeps the day of the month, not the weekday: take these dates out with 'except:' "
                + "or start on another day")
    }

    // MARK: clock changes

    /// Walks every date the event takes place (excepted dates left out) and warns, one warning per kind of finding
    /// with the dates it affects, when the start or `end:` falls in a gap or overlap of `zone`, when the end
    /// comes out not after the start, or when a clock change makes the end differ from the `end:` written.
    ///
    /// The planner's end is the start instant plus the event's length, and for `end:` that length is measured on
    /// the wall clock; invitations carry both as local times with a TZID, which calendars read as
    /// `WallClockResolution` describes.
    static func checkClockChanges(
        of event: Event, end written: LocalDateTime?, zone: TimeZone, startAt: SourceLocation,
        endAt: SourceLocation, _ reader: SchemaReader
    ) {
        let endDays = written.map { $0.date.dayNumber - event.start.date.dayNumber }
        let length = Double(event.duration.minutes) * 60
        var findings = Findings()
        for date in Occurrences.dates(of: event) {
            let start = LocalDateTime(date: date, time: event.start.time)
            let startResolution = start.resolution(in: zone)
            findings.note(clockChange(startResolution, of: start, "'start'", at: startAt, zone), on: date)
            let startInstant = startResolution.instant
            let plannedEnd = startInstant.addingTimeInterval(length)
            if let written, let endDays {
                let end = LocalDateTime(date: date.adding(days: endDays), time: written.time)
                let endResolution = end.resolution(in: zone)
                findings.note(clockChange(endResolution, of: end, "'end'", at: endAt, zone), on: date)
                let asked = endResolution.instant
                if asked <= startInstant {
                    findings.note(
                        Finding(
                            location: endAt, head: "'end' \(written.time)",
                            tail: " is not after the start once read in \(zone.identifier) (start "
                                + "\(shown(startInstant, zone)), end \(shown(asked, zone))): convene keeps the "
                                + "\(event.duration) written, so the event runs \(shown(startInstant, zone))–"
                                + "\(shown(plannedEnd, zone))",
                            hint: "choose a start the clocks do not skip, or an end after it"),
                        on: date)
                } else if asked != plannedEnd {
                    let elapsed = Duration(minutes: Int(asked.timeIntervalSince(startInstant) / 60))
                    findings.note(
                        Finding(
                            location: endAt, head: "the event",
                            tail: " spans a clock change in \(zone.identifier): convene keeps the \(event.duration) "
                                + "between 'start' and 'end' on the wall clock, so it ends at "
                                + "\(shown(plannedEnd, zone)), not \(shown(asked, zone))",
                            hint: event.recurrence == nil
                                ? "write 'duration: \(elapsed)' instead of 'end' to end at \(written.time)"
                                : "take these dates out with 'except:', or choose times that do not span the change"),
                        on: date)
                }
            }
            // A calendar reads the DTEND's local time back, taking the first of a repeated hour: an end just after
            // the clocks go back can read as before the start.
            let endAsRead = LocalDateTime(instant: plannedEnd, in: zone).instant(in: zone)
            if endAsRead <= startInstant {
                let wall = LocalDateTime(instant: plannedEnd, in: zone).time
                findings.note(
                    Finding(
                        location: endAt, head: "the event",
                        tail: " ends at \(shown(plannedEnd, zone)), after the clocks go back, which calendar "
                            + "programs read as the first \(wall) in \(zone.identifier), \(shown(endAsRead, zone)): "
                            + "not after its start, \(shown(startInstant, zone))",
                        hint: "move the event out of the hour the clocks repeat, or make it end after it"),
                    on: date)
            }
        }
        for (finding, dates) in findings.all {
            reader.warning(
                finding.head + " on " + listed(dates.map(\.description)) + finding.tail, at: finding.location,
                hint: finding.hint)
        }
    }

    /// Warns when one wall time written under `key` at `location` (a date's new time, say) is one the clocks skip
    /// or repeat in the service zone, in the words the series checks use.
    static func checkWallClock(
        _ time: LocalDateTime, key: String, at location: SourceLocation, _ reader: SchemaReader
    ) {
        guard let zone = reader.timeZone,
            let finding = clockChange(time.resolution(in: zone), of: time, "'\(key)'", at: location, zone)
        else { return }
        reader.warning(finding.head + " on \(time.date)" + finding.tail, at: location, hint: finding.hint)
    }

    /// The finding for a wall time the clocks skip or repeat, or nil when it happens once.
    private static func clockChange(
        _ resolution: WallClockResolution, of time: LocalDateTime, _ key: String, at location: SourceLocation,
        _ zone: TimeZone
    ) -> Finding? {
        switch resolution {
        case .unique:
            return nil
        case .skipped(let movedTo, let gap):
            return Finding(
                location: location, head: "\(key) \(time.time)",
                tail: " does not exist in \(zone.identifier) (the clocks go forward \(span(gap))): "
                    + "it will be \(shown(movedTo, zone))",
                hint: "choose a time the clocks do not skip")
        case .repeated(let first, let second):
            return Finding(
                location: location, head: "\(key) \(time.time)",
                tail: " happens twice in \(zone.identifier) (the clocks go back "
                    + "\(span(Int(second.timeIntervalSince(first))))): convene uses the first, "
                    + "\(shown(first, zone)), as calendar programs do",
                hint: "choose a time the clocks do not repeat, so nobody has to guess which is meant")
        }
    }

    /// `02:30 BST`: a wall time with the zone's name for it at that instant.
    private static func shown(_ instant: Date, _ zone: TimeZone) -> String {
        "\(LocalDateTime(instant: instant, in: zone).time) \(VTimeZoneBuilder.name(of: zone, at: instant))"
    }

    /// `an hour`, `30 minutes`, `2 hours`: how far the clocks move.
    private static func span(_ seconds: Int) -> String {
        let minutes = seconds / 60
        if minutes == 60 { return "an hour" }
        return minutes % 60 == 0 ? "\(minutes / 60) hours" : "\(minutes) minutes"
    }
}

/// `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`: enough of a list to find it, and how long it is.
func listed(_ items: [String], conjunction: String = "and", limit: Int = 3) -> String {
    if items.count > limit { return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more" }
    guard let last = items.last, items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
}

/// One kind of problem found on some dates of an event: the warning is `head` + " on DATES" + `tail`.
private struct Finding: Hashable {
    var location: SourceLocation
    var head: String
    var tail: String
    var hint: String
}

/// Findings in the order first seen, each with the dates it was seen on, so a series gives one warning per kind
/// of problem rather than one per date.
private struct Findings {
    private(set) var all: [(Finding, [LocalDate])] = []
    private var index: [Finding: Int] = [:]

    mutating func note(_ finding: Finding?, on date: LocalDate) {
        guard let finding else { return }
        if let position = index[finding] {
            all[position].1.append(date)
        } else {
            index[finding] = all.count
            all.append((finding, [date]))
        }
    }
}
