import Foundation

/// The append-only history of outcomes (`state/history/YYYY-MM.jsonl`): every `sent`, `failed` and `skipped` record
/// compaction drops from the journal goes there first, so what a person was sent can be shown long after the journal
/// has forgotten it. Pure: `HistoryFiles` in ConveneService reads and writes the files.
///
/// A record's file is the month of its `at` in UTC, not in the service zone: which file a record belongs to then
/// never depends on the rules file (which may be broken when history is read, or change its zone), and a record
/// written twice always lands in the same file, where the writer sees it and does not add it again.
public enum JournalHistory {
    /// True for the records the history keeps: the outcomes of messages.
    public static func isOutcome(_ record: JournalRecord) -> Bool {
        record.type == .sent || record.type == .failed || record.type == .skipped
    }

    /// `2027-01` for any instant of January 2027 in UTC: the name (without `.jsonl`) of the record's history file.
    public static func month(of date: Date) -> String {
        String(JournalCodec.isoUTC(date).prefix(7))
    }

    /// What makes two outcome records the same: a crash between the history append and the journal's rename leaves
    /// a record in both, and a later compaction may append it again, so readers and the writer compare on this.
    public struct Identity: Sendable, Hashable {
        /// Sent, failed or skipped: a failure and the later delivery of one message are two records.
        public var type: JournalRecord.RecordType
        /// The delivery key `event/yyyymmdd/notification/recipient`.
        public var key: String
        /// The Message-ID; nil in records written without one, where the key and time must tell them apart.
        public var msgid: String?
        /// Whole seconds, as the journal writes them.
        public var seconds: Int

        /// The identity of `record`; sub-second parts of `at` are dropped, as the journal's ISO timestamps drop them.
        public init(_ record: JournalRecord) {
            type = record.type
            key = record.key
            msgid = record.msgid
            seconds = Int(record.at.timeIntervalSince1970.rounded(.down))
        }
    }

    /// The outcomes in `history` and then `journal`, each once (the first copy wins), ordered by time; records at
    /// the same second keep their order.
    public static func merged(history: [JournalRecord], journal: [JournalRecord]) -> [JournalRecord] {
        var seen: Set<Identity> = []
        var out: [JournalRecord] = []
        for record in history + journal where isOutcome(record) {
            if seen.insert(Identity(record)).inserted { out.append(record) }
        }
        return out.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}

/// Which outcomes `convene history` shows: those of one person (and the copies their delegate was sent), or those
/// of one event (optionally one occurrence), from an instant on.
public struct HistoryQuery: Sendable, Hashable {
    /// Whose or what's messages.
    public enum Subject: Sendable, Hashable {
        /// Records addressed to this address, or copying it (Cc or a delegate's copy); compared case-insensitively.
        case person(String)
        /// Records of this event id, of one occurrence's local date when given.
        case event(String, occurrence: LocalDate?)
    }

    /// One person's messages (by address) or one event's (optionally one occurrence's).
    public var subject: Subject
    /// Records before this instant are left out.
    public var from: Date?

    /// `from` nil shows the whole history kept.
    public init(subject: Subject, from: Date? = nil) {
        self.subject = subject
        self.from = from
    }

    /// Whether `record` (an outcome) belongs in the answer.
    public func matches(_ record: JournalRecord) -> Bool {
        if let from, record.at < from { return false }
        switch subject {
        case .person(let address):
            let address = address.lowercased()
            if record.to?.lowercased() == address { return true }
            if record.cc?.contains(where: { $0.lowercased() == address }) == true { return true }
            return record.copies?.contains { $0.to.lowercased() == address } == true
        case .event(let id, let occurrence):
            let parts = record.key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0] == id else { return false }
            guard let occurrence else { return true }
            return parts[1] == occurrence.compact
        }
    }
}

extension JournalRecord {
    /// `sent`, `failed permanent`, `failed temporary` or `skipped`, as `convene history` shows an outcome.
    public var outcomeDescription: String {
        switch type {
        case .failed: return permanent == true ? "failed permanent" : "failed temporary"
        default: return type.rawValue
        }
    }

    /// The event id and occurrence date of the delivery key `event/yyyymmdd/notification/recipient`.
    public var occurrenceRef: (event: String, date: LocalDate?) {
        let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        return (parts.first.map(String.init) ?? key, parts.count > 1 ? LocalDate(compact: parts[1]) : nil)
    }
}
