import Foundation

/// Which journal records are still worth keeping: the input to `FileJournal.compact(to:)`.
///
/// The rule is that `JournalState(records: compacted(records, now:))`, and any records appended after it, plan
/// exactly what the full journal would at `now` and later. Reconcile only looks at occurrences that have not
/// started yet (for invitations, reminders, updates, cancellations and the roster-shrink check alike), so:
/// - every record of an occurrence that ended more than `retention` ago is dropped;
/// - an `attempt` followed by an outcome for the same message is dropped (only an attempt with no outcome,
///   a delivery in flight when convene stopped, changes the fold);
/// - a temporary `failed` followed by `sent` for the same message is dropped (`sent` clears the retry history),
///   unless a delegate's copy in it was refused for good (`convene status` lists that refusal);
/// - everything else is kept in file order: sent and skipped records (what is finished, and the calendar
///   threads with their SEQUENCE and snapshot), permanent failures, and the temporary failures still
///   counting towards a retry's back-off.
/// `convene status` counts what the journal keeps, so history older than the retention leaves its counts.
public enum JournalCompaction {
    /// How long after an occurrence ends its records are kept (for `convene status` and the admin's eyes).
    public static let retention: TimeInterval = 2 * 86_400

    /// The records to keep, in file order; `retention` is in seconds after an occurrence's end (default 2 days).
    public static func compacted(_ records: [JournalRecord], now: Date, retention: TimeInterval = retention)
        -> [JournalRecord]
    {
        partitioned(records, now: now, retention: retention).kept
    }

    /// `compacted(records, now:)` and the records it leaves out, each in file order: the dropped outcomes are what
    /// `FileJournal.compact(to:archiving:)` appends to the history (`JournalHistory`) before the journal loses them.
    public static func partitioned(_ records: [JournalRecord], now: Date, retention: TimeInterval = retention)
        -> (kept: [JournalRecord], dropped: [JournalRecord])
    {
        // When each occurrence ended, as far as the journal knows; the latest snapshot wins.
        var ends: [String: Date] = [:]
        for record in records {
            guard let end = record.event?.end, let occurrence = occurrence(of: record) else { continue }
            ends[occurrence] = max(ends[occurrence] ?? end, end)
        }
        // The index of the last record of each message, and of its last `sent`.
        var lastIndex: [String: Int] = [:]
        var lastSent: [String: Int] = [:]
        // A reply's Message-ID is the sender's, so it must not stand for one of convene's messages.
        for (index, record) in records.enumerated() where record.type != .reply {
            let id = record.msgid ?? record.key
            lastIndex[id] = index
            if record.type == .sent { lastSent[id] = index }
        }
        var kept: [JournalRecord] = []
        var dropped: [JournalRecord] = []
        kept.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let id = record.msgid ?? record.key
            if let occurrence = occurrence(of: record),
                let end = ends[occurrence] ?? latestEnd(ofOccurrence: occurrence),
                end.addingTimeInterval(retention) < now
            {
                dropped.append(record)
                continue
            }
            switch record.type {
            case .attempt where lastIndex[id] != index:
                // An outcome follows: the attempt no longer says anything.
                dropped.append(record)
            case .failed
            where record.permanent != true && (lastSent[id] ?? -1) > index
                && !(record.copies ?? []).contains(where: { $0.outcome == .permanent }):
                // Kept when it says a delegate's copy was refused for good: `status` names that person, and the
                // `sent` after it clears what the failure adds to the fold, so planning is the same either way.
                dropped.append(record)
            default:
                kept.append(record)
            }
        }
        return (kept, dropped)
    }

    /// `event/yyyymmdd` from the delivery key `event/yyyymmdd/notification/recipient` (event ids have no slash).
    static func occurrence(of record: JournalRecord) -> String? {
        // On bytes, without splitting: compaction asks this of every record in the journal.
        let key = record.key.utf8
        guard let first = key.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let dateStart = key.index(after: first)
        guard let second = key[dateStart...].firstIndex(of: UInt8(ascii: "/")),
            key.distance(from: dateStart, to: second) == 8,
            key[dateStart..<second].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return String(record.key[..<second])
    }

    /// The latest instant a day-long occurrence on its local date can end in any time zone (UTC−12: the local
    /// day ends at noon UTC of the next day), for occurrences whose records carry no event snapshot.
    static func latestEnd(ofOccurrence occurrence: String) -> Date? {
        let digits = occurrence.split(separator: "/").last.map(String.init) ?? ""
        guard digits.count == 8, let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
            let day = Int(digits.suffix(2))
        else { return nil }
        let dayNumber = LocalDate(year: year, month: month, day: day).dayNumber
        return Date(timeIntervalSince1970: Double(dayNumber + 1) * 86_400 + 12 * 3600)
    }
}
