import Foundation

/// What the journal says has happened, folded from its records: the input to reconcile.
public struct JournalState: Sendable {
    /// A recipient's calendar entry for one occurrence, as last sent.
    public struct CalendarThread: Sendable, Hashable {
        public var uid: String
        /// The event and date the entry belongs to, from the delivery key (`event/yyyymmdd/…`): what a
        /// cancellation needs once the event has gone from the rules file.
        public var eventID: String
        public var date: LocalDate?
        public var recipient: String
        public var name: String
        public var cc: [String]
        public var sequence: Int
        public var snapshot: EventSnapshot
        public var cancelled: Bool
        /// When the first invitation went out: reminders due before it are stale for this person.
        public var invitedAt: Date
    }

    /// Retry bookkeeping for one message.
    public struct FailureHistory: Sendable, Hashable {
        public var count: Int
        public var last: Date
        public var permanent: Bool
        public var code: Int?
        public var reply: String?
    }

    /// Keyed by `uid + "\0" + recipient key`.
    public private(set) var threads: [String: CalendarThread] = [:]
    /// Message-IDs that are finished: sent, skipped, or failed permanently.
    public private(set) var finished: Set<String> = []
    public private(set) var failures: [String: FailureHistory] = [:]
    /// Attempts with no outcome yet, by Message-ID: after a crash these are resent with the same Message-ID.
    public private(set) var inFlight: [String: JournalRecord] = [:]
    /// UIDs for which at least one invitation has gone out.
    public private(set) var invitedOccurrences: Set<String> = []
    /// Hashes of the files (`Workspace.fingerprint`) whose calendar changes an admin approved (`convene approve`).
    public private(set) var approvals: Set<String> = []
    /// The occurrence identities calendar messages have gone out for, with their UIDs.
    public private(set) var identities = OccurrenceIdentities()

    public init() {}

    public init(records: [JournalRecord]) {
        for record in records { apply(record) }
    }

    static func threadKey(uid: String, recipient: String) -> String { uid + "\u{0}" + recipient.lowercased() }

    public func thread(uid: String, recipient: String) -> CalendarThread? {
        threads[JournalState.threadKey(uid: uid, recipient: recipient)]
    }

    /// As `thread(uid:recipient:)` for an already lower-cased key (the planner's hot path).
    func thread(uid: String, key: String) -> CalendarThread? {
        threads.isEmpty ? nil : threads[uid + "\u{0}" + key]
    }

    /// Folds one record in. Records are applied in file order.
    public mutating func apply(_ record: JournalRecord) {
        let id = record.msgid ?? record.key
        switch record.type {
        case .approved:
            if let files = record.files { approvals.insert(files) }
        case .attempt:
            inFlight[id] = record
        case .failed:
            inFlight[id] = nil
            var history = failures[id] ?? FailureHistory(count: 0, last: record.at, permanent: false)
            history.count += 1
            history.last = record.at
            history.permanent = record.permanent ?? false
            history.code = record.code
            history.reply = record.reply
            failures[id] = history
            if history.permanent { finished.insert(id) }
        case .skipped:
            inFlight[id] = nil
            finished.insert(id)
        case .sent:
            inFlight[id] = nil
            finished.insert(id)
            failures[id] = nil
            guard record.kind.isCalendar, let uid = record.uid, let to = record.to, let snapshot = record.event else { return }
            let key = JournalState.threadKey(uid: uid, recipient: to)
            let previous = threads[key]
            // The key is `event/yyyymmdd/notification/recipient`.
            let event = record.key.prefix { $0 != "/" }
            let date = record.key[event.endIndex...].dropFirst().prefix { $0 != "/" }
            threads[key] = CalendarThread(
                uid: uid, eventID: String(event), date: LocalDate(compact: date), recipient: to, name: record.name ?? previous?.name ?? "", cc: record.cc ?? [],
                sequence: record.seq ?? 0, snapshot: snapshot, cancelled: record.kind == .cancellation,
                invitedAt: previous.map { $0.cancelled ? record.at : $0.invitedAt } ?? record.at)
            if record.kind == .invitation { invitedOccurrences.insert(uid) }
            if let date = LocalDate(compact: date) {
                identities.record(
                    event: String(event), date: date, uid: uid, start: snapshot.start,
                    wasLive: previous.map { !$0.cancelled } ?? false, isLive: record.kind != .cancellation)
            }
        }
    }
}
