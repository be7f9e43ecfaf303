import Foundation

/// What the journal says has happened, folded from its records: the input to reconcile.
public struct JournalState: Sendable {
    /// A recipient's calendar entry for one occurrence, as last sent.
    public struct CalendarThread: Sendable, Hashable {
        /// The occurrence's calendar UID; with the recipient it keys the thread.
        public var uid: String
        /// The event and date the entry belongs to, from the delivery key (`event/yyyymmdd/…`): what a
        /// cancellation needs once the event has gone from the rules file.
        public var eventID: String
        /// The occurrence's scheduled date; nil when the key's second part is not `yyyymmdd`.
        public var date: LocalDate?
        /// The principal's address, as last sent to.
        public var recipient: String
        /// The principal's display name as last sent, for a cancellation to a leaver no longer in the roster.
        public var name: String
        /// The delegates (Cc) the entry has reached; a cancellation for a leaver goes to them too.
        public var cc: [String]
        /// The SEQUENCE last sent; the next update or cancellation sends one more.
        public var sequence: Int
        /// What the recipient's calendar shows now: compared with the files to decide whether an update is due.
        public var snapshot: EventSnapshot
        /// True once a cancellation was sent; a later invitation reopens the thread.
        public var cancelled: Bool
        /// When the first invitation went out: reminders due before it are stale for this person.
        public var invitedAt: Date
        /// False when the entry as last sent went to the delegates alone (`delegate_mode: instead`): the principal's
        /// own mailbox does not hold it, so they are sent a copy once they receive their own messages again.
        public var reachedPrincipal: Bool = true
    }

    /// Retry bookkeeping for one message.
    public struct FailureHistory: Sendable, Hashable {
        /// Failed attempts so far, connection failures excluded: the back-off grows with it.
        public var count: Int
        /// When the last failure was journaled; the next retry is timed from it.
        public var last: Date
        /// True once refused for good (a 5xx, or refused before sending): the message is finished, never retried.
        public var permanent: Bool
        /// The reply code of the last failure; nil when no reply decided it.
        public var code: Int?
        /// The reply text (or libcurl's error) of the last failure.
        public var reply: String?
    }

    /// An attendee's latest answer to one occurrence's invitation, from `reply` records with outcome `applied`.
    public struct Answer: Sendable, Hashable {
        /// `event/yyyymmdd`.
        public var occurrence: String
        /// The calendar UID.
        public var uid: String
        /// The attendee (the principal), lower case.
        public var attendee: String
        /// ACCEPTED, TENTATIVE or DECLINED.
        public var partstat: String
        /// The note written with it, if any.
        public var note: String?
        /// When the reply was journaled.
        public var at: Date
    }

    /// Latest answers, keyed as threads are (`uid + "\0" + attendee`). An update that moves the occurrence's time
    /// clears them: the attendee is asked again (RFC 5546 §2.1.4), so they are "no reply" until they answer.
    public private(set) var answers: [String: Answer] = [:]
    /// The mailbox ids and Message-IDs of incoming messages already journaled: such a message is moved, not
    /// applied again.
    public private(set) var handledMail: Set<String> = []
    /// The outcome journaled for each mailbox id, so a message journaled before a crash goes to the right folder.
    public private(set) var mailOutcomes: [String: String] = [:]

    /// Keyed by `uid + "\0" + recipient key`.
    public private(set) var threads: [String: CalendarThread] = [:]
    /// Message-IDs that are finished: sent, skipped, or failed permanently.
    public private(set) var finished: Set<String> = []
    /// Retry bookkeeping by Message-ID (or delivery key); cleared when the message is sent.
    public private(set) var failures: [String: FailureHistory] = [:]
    /// Attempts with no outcome yet, by Message-ID: after a crash these are resent with the same Message-ID.
    public private(set) var inFlight: [String: JournalRecord] = [:]
    /// For messages still to be (re)sent, by Message-ID: the lower-cased addresses of delegates whose copy an earlier
    /// attempt settled (delivered, or refused for good), so the retry goes to the others alone.
    public private(set) var settledCopies: [String: Set<String>] = [:]
    /// UIDs for which at least one invitation has gone out.
    public private(set) var invitedOccurrences: Set<String> = []
    /// Threads (`uid` NUL lower-cased recipient) whose live entry was opened by an offer of a freed place
    /// (notification `offer`), for the waitlist: an offer not accepted in time passes on.
    public private(set) var offers: Set<String> = []
    /// Invitations (and offers) that failed for good (a 5xx at sending, or a bounce read from the replies), by calendar
    /// UID, then lower-cased recipient: when the failure was journaled. A dead mailbox is sent no reminders, and at a
    /// hosted table the place is freed. A later invitation that is sent to the same entry clears it.
    public private(set) var bouncedInvitations: [String: [String: Date]] = [:]
    /// Hashes of the files (`Workspace.fingerprint`) whose calendar changes an admin approved (`convene approve`).
    public private(set) var approvals: Set<String> = []
    /// The occurrence identities calendar messages have gone out for, with their UIDs.
    public private(set) var identities = OccurrenceIdentities()
    /// Recipients the relay accepted, by the time of their record, over about the last day of records (older ones are
    /// dropped as records come in): what a daily cap (`rate: …, N/day`) counts across restarts.
    public private(set) var handovers: [DailyQuota.Handover] = []

    /// The lower-cased addresses each employee number has been sent to, oldest first, from delivery records that carry
    /// one (`JournalRecord.employee`). An employee with more than one has moved mailbox.
    public private(set) var addressesByEmployee: [String: [String]] = [:]
    /// The employee number each lower-cased address was last sent to as.
    public private(set) var employeeByAddress: [String: String] = [:]

    /// The one-offs `convene send` queued, in the order queued, each once (queueing the same again changes nothing).
    public private(set) var oneOffs: [OneOff] = []
    /// The ids of `oneOffs`.
    private var oneOffIDs: Set<String> = []

    /// True when a one-off with this id is queued.
    public func isQueued(_ id: String) -> Bool { oneOffIDs.contains(id) }

    /// The state of an empty journal: nothing sent, nothing owed a retry.
    public init() {}

    /// Folds `records` in file order, as `apply(_:)` would one by one.
    public init(records: [JournalRecord]) {
        for record in records { apply(record) }
    }

    static func threadKey(uid: String, recipient: String) -> String { uid + "\u{0}" + recipient.lowercased() }

    /// The calendar entry last sent to `recipient` (any case) for `uid`; nil when none was.
    public func thread(uid: String, recipient: String) -> CalendarThread? {
        threads[JournalState.threadKey(uid: uid, recipient: recipient)]
    }

    /// The latest answer `attendee` (any case) gave to the invitation `uid`; nil when none counts.
    public func answer(uid: String, attendee: String) -> Answer? {
        answers.isEmpty ? nil : answers[JournalState.threadKey(uid: uid, recipient: attendee)]
    }

    /// As `thread(uid:recipient:)` for an already lower-cased key (the planner's hot path).
    func thread(uid: String, key: String) -> CalendarThread? {
        threads.isEmpty ? nil : threads[uid + "\u{0}" + key]
    }

    /// When the invitation to `key` (a lower-cased address) for `uid` failed for good; nil when it did not.
    public func invitationBounced(uid: String, key: String) -> Date? {
        bouncedInvitations.isEmpty ? nil : bouncedInvitations[uid]?[key]
    }

    /// The addresses other than `key` (lower case) that the journal has sent to `employeeID` at; empty for an
    /// employee who never moved, and for journals written before employee numbers were recorded.
    public func otherAddresses(of employeeID: String, than key: String) -> [String] {
        guard !addressesByEmployee.isEmpty, let addresses = addressesByEmployee[employeeID],
            addresses.count > 1 || addresses.first != key
        else { return [] }
        return addresses.filter { $0 != key }
    }

    /// The calendar entry for `uid` that an employee holds at an address other than `key` (their address now): what a
    /// move of mailbox carries over. The one with the highest SEQUENCE when they moved more than once.
    public func movedThread(uid: String, employeeID: String, key: String) -> CalendarThread? {
        otherAddresses(of: employeeID, than: key).compactMap { threads[uid + "\u{0}" + $0] }
            .max { $0.sequence < $1.sequence }
    }

    /// True when `thread`'s entry moved on with its holder: the journal has re-sent it to the same employee at another
    /// address, with a higher SEQUENCE. Such an entry is no one's any more (nothing goes to the old address).
    public func movedOn(_ thread: CalendarThread) -> Bool {
        let key = thread.recipient.lowercased()
        guard let employee = employee(at: key),
            let newer = movedThread(uid: thread.uid, employeeID: employee, key: key)
        else { return false }
        return newer.sequence > thread.sequence
    }

    /// The employee number the journal knows `key` (a lower-cased address) by, if any.
    public func employee(at key: String) -> String? {
        employeeByAddress.isEmpty ? nil : employeeByAddress[key]
    }

    /// Records that `record`'s address belongs to its employee number.
    private mutating func noteEmployee(_ record: JournalRecord) {
        guard let employee = record.employee, let to = record.to else { return }
        let key = to.lowercased()
        if employeeByAddress[key] != employee { employeeByAddress[key] = employee }
        if addressesByEmployee[employee]?.contains(key) != true {
            addressesByEmployee[employee, default: []].append(key)
        }
    }

    /// The envelope for (re)sending message `id` to `recipients` (the principal first, then the delegates): the
    /// principal always, each delegate unless an earlier attempt of this message settled their copy. Without this a
    /// principal's 4xx resent the whole message to a delegate who already had it, at every retry.
    public func envelope(for id: String, _ recipients: [String]) -> [String] {
        guard recipients.count > 1, let settled = settledCopies[id] else { return recipients }
        return [recipients[0]] + recipients.dropFirst().filter { !settled.contains($0.lowercased()) }
    }

    /// Keeps what `record` handed over, and forgets what is more than a day (and an hour of slack for clock steps)
    /// older than it; dropped from the front in batches, so folding a long journal stays linear.
    private mutating func noteHandover(_ record: JournalRecord) {
        let recipients = DailyQuota.recipientsHandedOver(by: record)
        guard recipients > 0 else { return }
        handovers.append(DailyQuota.Handover(at: record.at, recipients: recipients))
        let horizon = record.at.addingTimeInterval(-DailyQuota.window - 3600)
        if handovers.count > 64, handovers[handovers.count / 2].at < horizon {
            handovers.removeAll { $0.at < horizon }
        }
    }

    /// Folds one record in. Records are applied in file order.
    public mutating func apply(_ record: JournalRecord) {
        let id = record.msgid ?? record.key
        if record.type == .sent || record.type == .failed { noteHandover(record) }
        if record.employee != nil { noteEmployee(record) }
        switch record.type {
        case .reply:
            if let mailbox = record.mailbox {
                handledMail.insert(mailbox)
                mailOutcomes[mailbox] = record.outcome
            }
            if let msgid = record.msgid { handledMail.insert(msgid) }
            guard record.outcome == "applied", let uid = record.uid, let attendee = record.to,
                let partstat = record.partstat
            else { return }
            let occurrence = record.key.split(separator: "/").prefix(2).joined(separator: "/")
            answers[JournalState.threadKey(uid: uid, recipient: attendee)] = Answer(
                occurrence: occurrence, uid: uid, attendee: attendee.lowercased(), partstat: partstat,
                note: record.note,
                at: record.at)
        case .approved:
            if let files = record.files { approvals.insert(files) }
        case .queued:
            if let oneOff = OneOff(record: record), oneOffIDs.insert(oneOff.id).inserted { oneOffs.append(oneOff) }
        case .attempt:
            inFlight[id] = record
        case .failed:
            inFlight[id] = nil
            for copy in record.copies ?? [] where copy.isSettled {
                settledCopies[id, default: []].insert(copy.to.lowercased())
            }
            // A connection that failed before anything was handed over says nothing about this message, and sending
            // paused: the pause, not the message's back-off, decides when it is tried again.
            if record.connection == true { return }
            var history = failures[id] ?? FailureHistory(count: 0, last: record.at, permanent: false)
            history.count += 1
            history.last = record.at
            history.permanent = record.permanent ?? false
            history.code = record.code
            history.reply = record.reply
            failures[id] = history
            if history.permanent {
                finished.insert(id)
                settledCopies[id] = nil
                // The principal's mailbox refused it: a refusal of a copy that went to the delegates alone says
                // nothing about the principal's.
                if record.kind == .invitation, let uid = record.uid, let to = record.to, !record.wentToDelegatesAlone {
                    bouncedInvitations[uid, default: [:]][to.lowercased()] = record.at
                }
            }
        case .skipped:
            inFlight[id] = nil
            finished.insert(id)
            settledCopies[id] = nil
        case .sent:
            inFlight[id] = nil
            finished.insert(id)
            failures[id] = nil
            settledCopies[id] = nil
            guard record.kind.isCalendar, let uid = record.uid, let to = record.to, let snapshot = record.event else {
                return
            }
            let key = JournalState.threadKey(uid: uid, recipient: to)
            let previous = threads[key]
            // A new time asks for a new answer; a new place or title keeps the one given.
            if let previous, !answers.isEmpty,
                previous.cancelled || previous.snapshot.start != snapshot.start || previous.snapshot.end != snapshot.end
            {
                answers[key] = nil
            }
            // The key is `event/yyyymmdd/notification/recipient`.
            let event = record.key.prefix { $0 != "/" }
            let date = record.key[event.endIndex...].dropFirst().prefix { $0 != "/" }
            // A delegate's or principal's copy adds its recipients to those the entry went to; any other calendar
            // message went to exactly its own envelope.
            var cc = record.cc ?? []
            let notification = record.key[date.endIndex...].dropFirst().prefix { $0 != "/" }
            let delegateCopy = notification.hasPrefix("delegate+")
            if delegateCopy || notification == MessageIdentity.principalCopyNotification, let previous {
                cc = previous.cc + cc.filter { new in !previous.cc.contains { $0.lowercased() == new.lowercased() } }
            }
            // The entry an employee held at their old address, when this is it re-sent to their new one: they were
            // invited when it was first sent, not now.
            let moved =
                previous == nil
                ? record.employee.flatMap { movedThread(uid: uid, employeeID: $0, key: to.lowercased()) } : nil
            threads[key] = CalendarThread(
                uid: uid, eventID: String(event), date: LocalDate(compact: date), recipient: to,
                name: record.name ?? previous?.name ?? "", cc: cc,
                sequence: record.seq ?? 0, snapshot: snapshot, cancelled: record.kind == .cancellation,
                invitedAt: previous.map { $0.cancelled ? record.at : $0.invitedAt } ?? moved.map {
                    $0.cancelled ? record.at : $0.invitedAt
                } ?? record.at,
                reachedPrincipal: delegateCopy ? previous?.reachedPrincipal ?? true : record.instead != true)
            // What the person said and held at the old address stays theirs at the new one: their answer (unless the
            // re-sent entry moved the time, which asks again) and an offer of a place still held for them.
            var movedOffer = false
            if let moved, !moved.cancelled {
                let movedKey = JournalState.threadKey(uid: uid, recipient: moved.recipient)
                if !answers.isEmpty, var answer = answers[movedKey], moved.snapshot.start == snapshot.start,
                    moved.snapshot.end == snapshot.end
                {
                    answer.attendee = to.lowercased()
                    answers[key] = answer
                }
                movedOffer = offers.contains(movedKey)
            }
            if record.kind == .invitation {
                invitedOccurrences.insert(uid)
                if !bouncedInvitations.isEmpty, bouncedInvitations[uid]?[to.lowercased()] != nil, record.instead != true
                {
                    bouncedInvitations[uid]?[to.lowercased()] = nil
                }
            }
            if record.kind == .invitation && previous.map({ $0.cancelled }) ?? true {
                if notification == Hosting.offerNotification || movedOffer {
                    offers.insert(key)
                } else {
                    offers.remove(key)
                }
            }
            if let date = LocalDate(compact: date) {
                identities.record(
                    event: String(event), date: date, uid: uid, start: snapshot.start,
                    wasLive: previous.map { !$0.cancelled } ?? false, isLive: record.kind != .cancellation)
            }
        }
    }
}
