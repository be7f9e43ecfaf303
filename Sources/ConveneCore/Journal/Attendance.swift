import Foundation

/// Who is coming to one occurrence, from the journal: everyone a calendar invitation reached (or permanently failed
/// to reach), with their latest answer and note, and the messages about it that a person must read.
public struct Attendance: Sendable {
    /// A person's standing.
    public enum Answer: String, Sendable, Hashable, CaseIterable {
        /// PARTSTAT=ACCEPTED.
        case accepted
        /// PARTSTAT=TENTATIVE.
        case tentative
        /// PARTSTAT=DECLINED.
        case declined
        /// No answer yet, or asked again after the time moved.
        case noReply = "no_reply"
        /// The invitation failed for good (a 5xx at sending, or a bounce) and no answer came.
        case bounced
    }

    /// One invitee.
    public struct Entry: Sendable, Hashable {
        /// The address the invitation went to, lower case.
        public var email: String
        /// The name from the roster, or as last sent.
        public var name: String
        /// The grade id from the roster; empty for someone no longer in it.
        public var grade: String
        /// The event's forums the person is in (from the roster today).
        public var forums: [String]
        /// Their standing.
        public var answer: Answer
        /// The latest note they wrote with an answer.
        public var note: String?
        /// When the answer (or the failure) was journaled.
        public var at: Date?
    }

    /// The event id.
    public var eventID: String
    /// The occurrence's scheduled date.
    public var date: LocalDate
    /// Every invitee, by email.
    public var entries: [Entry]
    /// `reply` records for this occurrence (or for no known occurrence) that a person must read.
    public var needsAttention: [JournalRecord]

    /// The emails with `answer`, sorted.
    public func emails(_ answer: Answer) -> [String] {
        entries.filter { $0.answer == answer }.map(\.email)
    }

    /// Counts by answer.
    public var counts: [Answer: Int] {
        Dictionary(grouping: entries, by: \.answer).mapValues(\.count)
    }

    /// `212 accepted, 4 tentative, 31 declined, 57 no reply` (tentative and bounced only when there are some).
    public var summary: String {
        let counts = counts
        var parts = ["\(counts[.accepted] ?? 0) accepted"]
        if let tentative = counts[.tentative] { parts.append("\(tentative) tentative") }
        parts.append("\(counts[.declined] ?? 0) declined")
        parts.append("\(counts[.noReply] ?? 0) no reply")
        if let bounced = counts[.bounced] { parts.append("\(bounced) bounced") }
        return parts.joined(separator: ", ")
    }

    /// The occurrence `eventID` on `date` as the journal has it. `people` looks a person up in today's roster;
    /// `forumsOf` gives their forums; `eventForums` the event's.
    public init(
        eventID: String, date: LocalDate, state: JournalState, records: [JournalRecord],
        person: (String) -> Person?, forumsOf: (Person) -> [String], eventForums: [String]
    ) {
        self.eventID = eventID
        self.date = date
        let prefix = eventID + "/" + date.compact + "/"
        var byEmail: [String: Entry] = [:]
        func entry(_ email: String, name: String?) -> Entry {
            let person = person(email)
            return Entry(
                email: email, name: person?.name ?? name ?? "", grade: person?.grade ?? "",
                forums: person.map { forumsOf($0).filter(eventForums.contains) } ?? [], answer: .noReply)
        }
        for thread in state.threads.values
        where thread.eventID == eventID && thread.date == date && !thread.cancelled && !state.movedOn(thread) {
            let email = thread.recipient.lowercased()
            var row = entry(email, name: thread.name)
            if let answer = state.answer(uid: thread.uid, attendee: email) {
                row.answer = Answer(rawValue: answer.partstat.lowercased()) ?? .noReply
                row.note = answer.note
                row.at = answer.at
            }
            byEmail[email] = row
        }
        var needsAttention: [JournalRecord] = []
        for record in records {
            switch record.type {
            case .failed where record.permanent == true && record.key.hasPrefix(prefix) && record.connection != true:
                guard !record.wentToDelegatesAlone,
                    let to = record.to ?? record.key.split(separator: "/").last.map(String.init)
                else { continue }
                let email = to.lowercased()
                var row = byEmail[email] ?? entry(email, name: record.name)
                if row.answer == .noReply {
                    row.answer = .bounced
                    row.at = record.at
                }
                byEmail[email] = row
            case .reply where ReplyOutcome(rawValue: record.outcome ?? "")?.needsPerson == true:
                if record.key.hasPrefix(prefix) || record.key.hasPrefix("reply/") { needsAttention.append(record) }
            default: break
            }
        }
        self.entries = byEmail.values.sorted { $0.email < $1.email }
        self.needsAttention = needsAttention
    }

    /// The occurrences the journal has invitations for, as `(eventID, date)`, on or after `from`, in date order.
    public static func occurrences(in state: JournalState, from: LocalDate) -> [(eventID: String, date: LocalDate)] {
        var seen: Set<String> = []
        var out: [(eventID: String, date: LocalDate)] = []
        for thread in state.threads.values where !thread.cancelled {
            guard let date = thread.date, date >= from, seen.insert(thread.eventID + "/" + date.compact).inserted
            else { continue }
            out.append((thread.eventID, date))
        }
        return out.sorted { ($0.date, $0.eventID) < ($1.date, $1.eventID) }
    }
}
