import Foundation

/// One change of the programme as recipients' calendars received it: the first calendar message that carried it.
public struct ProgrammeChange: Sendable, Hashable {
    /// What happened to the occurrence.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Its first invitation went out (or it came back after a cancellation).
        case added
        /// An update moved it to another start.
        case moved
        /// An update changed its title, place, joining link or description, not its time.
        case updated
        /// Its date was taken out of the series (`except:`, a shorter series).
        case removed
        /// The event was cancelled (`status: cancelled`, or deleted from the rules file).
        case cancelled
    }

    /// When the first recipient's calendar received it.
    public var at: Date
    /// What happened.
    public var kind: Kind
    /// The event id (from the delivery key), to filter by forum and public marking.
    public var eventID: String
    /// The occurrence's invitation UID.
    public var uid: String
    /// The event's title as the calendar message gave it.
    public var title: String
    /// The start the occurrence has after the change (for a removal or cancellation: the start it had).
    public var start: Date
    /// For a move: the start it had before.
    public var previousStart: Date?

    /// All fields as given.
    public init(
        at: Date, kind: Kind, eventID: String, uid: String, title: String, start: Date, previousStart: Date? = nil
    ) {
        self.at = at
        self.kind = kind
        self.eventID = eventID
        self.uid = uid
        self.title = title
        self.start = start
        self.previousStart = previousStart
    }

    /// The change in words, as the page's "show all updates" lists it: "Moved event: Your Agenda, Your Conversations
    /// from 25 March to 26 March 2027".
    public func text(in zone: TimeZone) -> String {
        let day = GOVUKDate.date(LocalDateTime(instant: start, in: zone).date)
        switch kind {
        case .added: return "Added event: \(title) on \(day)"
        case .updated: return "Updated event: \(title) on \(day)"
        case .removed: return "Removed event: \(title) on \(day)"
        case .cancelled: return "Cancelled: \(title) on \(day)"
        case .moved:
            guard let previousStart else { return "Moved event: \(title) to \(day)" }
            let old = LocalDateTime(instant: previousStart, in: zone)
            let new = LocalDateTime(instant: start, in: zone)
            if old.date == new.date {
                return "Moved event: \(title) on \(day) from \(GOVUKDate.time(old.time)) to \(GOVUKDate.time(new.time))"
            }
            let from =
                old.date.year == new.date.year
                ? "\(old.date.day) \(LocalDate.monthNames[old.date.month - 1])" : GOVUKDate.date(old.date)
            return "Moved event: \(title) from \(from) to \(day)"
        }
    }
}

/// The programme's history, derived from the journal's `sent` calendar records (and the history files that keep
/// what compaction drops): exactly what recipients' calendars received, each change once however many people it
/// reached. A cancellation sent because one person left a forum is not a change of the programme and is left out.
public enum ProgrammeHistory {
    /// The changes in `records` (outcomes, oldest first, as `JournalHistory.merged` gives them), oldest first.
    public static func changes(_ records: [JournalRecord]) -> [ProgrammeChange] {
        struct Seen {
            var snapshot: EventSnapshot
            var cancelled: Bool
        }
        var seen: [String: Seen] = [:]
        var changes: [ProgrammeChange] = []
        for record in records where record.type == .sent && record.kind.isCalendar {
            guard let uid = record.uid else { continue }
            let eventID = record.occurrenceRef.event
            let previous = seen[uid]
            switch record.kind {
            case .invitation:
                guard let snapshot = record.event else { continue }
                if previous == nil || previous?.cancelled == true {
                    changes.append(
                        ProgrammeChange(
                            at: record.at, kind: .added, eventID: eventID, uid: uid, title: snapshot.title,
                            start: snapshot.start))
                    seen[uid] = Seen(snapshot: snapshot, cancelled: false)
                }
            case .update:
                guard let snapshot = record.event else { continue }
                guard let previous, !previous.cancelled else {
                    if previous == nil { seen[uid] = Seen(snapshot: snapshot, cancelled: false) }
                    continue
                }
                guard snapshot.differsSignificantly(from: previous.snapshot) else { continue }
                let moved = snapshot.start != previous.snapshot.start
                changes.append(
                    ProgrammeChange(
                        at: record.at, kind: moved ? .moved : .updated, eventID: eventID, uid: uid,
                        title: snapshot.title, start: snapshot.start,
                        previousStart: moved ? previous.snapshot.start : nil))
                seen[uid] = Seen(snapshot: snapshot, cancelled: false)
            case .cancellation:
                guard let kind = programmeCancellation(record.reason), previous?.cancelled != true else { continue }
                guard let snapshot = record.event ?? previous?.snapshot else { continue }
                changes.append(
                    ProgrammeChange(
                        at: record.at, kind: kind, eventID: eventID, uid: uid, title: snapshot.title,
                        start: snapshot.start))
                seen[uid] = Seen(snapshot: snapshot, cancelled: true)
            case .reminder, .message:
                continue
            }
        }
        return changes
    }

    /// Removed or cancelled for a cancellation's reason (the words `Occurrence.all` and `Reconciler` give), nil for
    /// one sent because the recipient left the audience: that changed one person's calendar, not the programme.
    static func programmeCancellation(_ reason: String?) -> ProgrammeChange.Kind? {
        guard let reason else { return .cancelled }
        if reason.hasPrefix("this event has been cancelled") { return .cancelled }
        if reason.hasPrefix("this date,") && reason.contains("has been removed from the series") { return .removed }
        return nil
    }
}

/// Dates and times as GOV.UK writes them: "Thursday 7 January 2027, 12pm to 1pm".
public enum GOVUKDate {
    /// "7 January 2027".
    public static func date(_ date: LocalDate) -> String {
        "\(date.day) \(LocalDate.monthNames[date.month - 1]) \(date.year)"
    }

    /// "12pm", "9:30am", "12am".
    public static func time(_ time: TimeOfDay) -> String {
        let hour = time.hour % 12 == 0 ? 12 : time.hour % 12
        let minutes = time.minute == 0 ? "" : ":" + (time.minute < 10 ? "0" : "") + "\(time.minute)"
        return "\(hour)\(minutes)\(time.hour < 12 ? "am" : "pm")"
    }

    /// "Thursday 7 January 2027, 12pm to 1pm"; an end on another day is written in full.
    public static func span(start: Date, end: Date, in zone: TimeZone) -> String {
        let from = LocalDateTime(instant: start, in: zone)
        let to = LocalDateTime(instant: end, in: zone)
        let head = "\(from.date.longDescription), \(time(from.time)) to "
        if from.date == to.date { return head + time(to.time) }
        return head + "\(to.date.longDescription), \(time(to.time))"
    }

    /// "January 2027".
    public static func month(year: Int, month: Int) -> String { "\(LocalDate.monthNames[month - 1]) \(year)" }
}
