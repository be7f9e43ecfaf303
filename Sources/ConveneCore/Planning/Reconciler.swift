import Foundation

/// The result of reconciling: every action due now or later, in due order, or a refusal to act at all.
public struct Plan: Sendable {
    public var actions: DueOrderedActions
    /// Set when the roster would drop more audience members than `max_roster_shrink` allows; nothing is planned.
    public var refusal: String?
    /// A calendar change too large to send without an admin's `convene approve`; its actions are not in `actions`.
    public var held: HeldChange?

    public init(actions: DueOrderedActions, refusal: String? = nil, held: HeldChange? = nil) {
        self.actions = actions
        self.refusal = refusal
        self.held = held
    }
}

/// Cancellations, updates and re-invitations that the current files would send to more than
/// `max_calendar_changes` of the people who hold invitations to future occurrences: none of them goes out until an
/// admin approves these files (`convene approve`); everything else is sent as usual.
public struct HeldChange: Sendable {
    /// The held actions, in due order.
    public var actions: [Action]
    /// How many people the change would reach, and how many hold invitations to future occurrences.
    public var people: Int
    public var holders: Int
    public var limit: Double

    public var cancellations: Int { actions.count { $0.kind == .cancellation } }
    /// Updates and re-invitations.
    public var updates: Int { actions.count - cancellations }

    /// "held: 112 cancellations, 25 updates — run `convene approve` to send them".
    public var summary: String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return
            "held: \(count(cancellations, "cancellation")), \(count(updates, "update")) — run `convene approve` to send them"
    }

    /// Why it is held: "to 40 of 60 people holding invitations (67%), more than max_calendar_changes 10%".
    public var why: String {
        "they would reach \(people) of the \(holders) people holding invitations (\(Int((Double(people) / Double(holders) * 100).rounded()))%), "
            + "more than max_calendar_changes \(Int((limit * 100).rounded()))%"
    }
}

/// What a recipient's calendar entry for an occurrence needs next: the state machine at the heart of reconcile.
public enum CalendarStep: Sendable, Hashable {
    case nothing
    case invite
    case reinvite(sequence: Int)
    case update(sequence: Int, previous: EventSnapshot)
    case cancel(sequence: Int, reason: String)

    /// Given what was last sent (if anything) and what the file now wants, the one step to take.
    /// `wanted` is nil when the recipient should not have the entry (occurrence gone, cancelled, or they left).
    public static func next(sent: JournalState.CalendarThread?, wanted: EventSnapshot?, whyNot: String) -> CalendarStep
    {
        switch (sent, wanted) {
        case (nil, nil): return .nothing
        case (nil, .some): return .invite
        case (.some(let thread), nil):
            return thread.cancelled ? .nothing : .cancel(sequence: thread.sequence + 1, reason: whyNot)
        case (.some(let thread), .some(let snapshot)):
            if thread.cancelled { return .reinvite(sequence: thread.sequence + 1) }
            if snapshot.differsSignificantly(from: thread.snapshot) {
                return .update(sequence: thread.sequence + 1, previous: thread.snapshot)
            }
            return .nothing
        }
    }
}

/// An audience member of an event, with the notification rules that apply to them: worked out once per event,
/// not once per date.
private struct Member {
    let person: Person
    /// The forum through which they are invited.
    let forum: String
    /// The first invitation rule that applies, by index.
    let invitationRule: Int?
    /// The reminder rules that apply, by index, in file order.
    let reminderRules: [Int]
}

/// Reconcile: a pure function of (config, roster, journal state, now) to the actions that close the gap between
/// what should have been sent and what was. `convene plan`, `preview` and `run` all call this.
public struct Reconciler: Sendable {
    public var config: Config
    public var roster: Roster
    public var audience: Audience
    public var state: JournalState
    /// The hash of the files being planned (`Workspace.fingerprint`); a change they make is sent without being held
    /// when an admin approved exactly these files.
    public var fingerprint: String?

    public init(config: Config, roster: Roster, audience: Audience, state: JournalState) {
        self.config = config
        self.roster = roster
        self.audience = audience
        self.state = state
    }

    /// Retries back off from 1 minute, doubling, capped at 1 hour, with a deterministic ±10% jitter.
    public static func retryDelay(attempt: Int, id: String) -> TimeInterval {
        let base = min(60 * pow(2, Double(max(attempt - 1, 0))), 3600)
        let jitter = Double(UInt8(DeliveryKey.fnv1a(id).suffix(2), radix: 16) ?? 128) / 255 * 0.2 - 0.1
        return base * (1 + jitter)
    }

    public func plan(now: Date) -> Plan {
        let service = config.service
        let times = DueTime(zone: service.timeZone, window: service.sendWindow)
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now)
        let domain = service.domain
        let invitationRules = config.notifications.filter { $0.kind == .invitation }
        let reminderRules = config.notifications.filter { $0.kind == .reminder }
        // What each action takes from its rule, by rule index: copying a whole rule per member and occurrence would
        // retain each of its strings and arrays.
        let (invitationIDs, invitationTemplates) = (invitationRules.map(\.id), invitationRules.map(\.template))
        let (reminderIDs, reminderTemplates) = (reminderRules.map(\.id), reminderRules.map(\.template))
        var membersByEvent: [String: [Member]] = [:]

        // Rule filters as sets, checked once per person and event.
        let invitationForums = invitationRules.map { Set($0.forums) }
        let reminderForums = reminderRules.map { Set($0.forums) }
        func matches(_ rule: NotificationRule, _ ruleForums: Set<String>, _ person: Person, in forums: [String]) -> Bool
        {
            (rule.grades.isEmpty || rule.grades.contains(person.grade))
                && (ruleForums.isEmpty || forums.contains { ruleForums.contains($0) })
        }

        func members(_ occurrence: Occurrence) -> [Member] {
            if let cached = membersByEvent[occurrence.eventID] { return cached }
            var seen: Set<String> = []
            var list: [Member] = []
            for forum in occurrence.forums {
                for m in audience.members(of: forum) where m.person.optOut != .all && seen.insert(m.person.key).inserted
                {
                    let forums = audience.forums(of: m.person)
                    list.append(
                        Member(
                            person: m.person, forum: forum,
                            invitationRule: invitationRules.indices.first {
                                matches(invitationRules[$0], invitationForums[$0], m.person, in: forums)
                            },
                            reminderRules: reminderRules.indices.filter {
                                matches(reminderRules[$0], reminderForums[$0], m.person, in: forums)
                            }))
                }
            }
            // In key order, so each occurrence's actions for one notification come out in due order already.
            list.sort { $0.person.key < $1.person.key }
            membersByEvent[occurrence.eventID] = list
            return list
        }

        // Room for every action the occurrences ahead can need (a calendar message and each reminder per member,
        // a cancellation per journal thread), reserved at once: growing by doubling would copy a national plan
        // and briefly hold it twice. Pages never written are never resident.
        let ahead = occurrences.filter { $0.active && $0.snapshot.start > now }
        var actions: [Action] = []
        actions.reserveCapacity(
            ahead.reduce(state.threads.count) { $0 + members($1).count * (1 + reminderRules.count) })

        /// Urgent messages go in the window, unless that would be after the event starts: then at once.
        func urgent(before start: Date) -> Date {
            let inWindow = times.intoWindow(now)
            return inWindow < start ? inWindow : now
        }

        /// A rule the send window has no time for before the event (`DueTime.place`): the message is skipped, with
        /// the window's reason, just before its nominal time (or now, if that has passed), so `plan` shows it first.
        func unplaceable(_ action: inout Action, _ placement: DueTime.Placement, nominal: Date) {
            guard case .unplaceable(let reason) = placement else { return }
            action.skipReason = "the send window has no time for it before the event: \(reason)"
            action.due = max(now, min(nominal, action.grace).addingTimeInterval(-60))
        }

        func make(
            _ kind: MessageKind, _ occurrence: OccurrenceRef, _ notification: String, template: String,
            to person: Person?,
            recipient: Mailbox? = nil, cc: [Mailbox]? = nil, sequence: Int, due: Date, grace: Date, forum: String?
        ) -> Action? {
            var action = Action(
                kind: kind, due: due, grace: grace, occurrence: occurrence, notification: notification,
                template: template,
                person: person, recipient: recipient, cc: cc, sequence: sequence, forum: forum)
            // The Message-ID is only built when the journal has something to match it against.
            if !state.finished.isEmpty || !state.failures.isEmpty {
                let id = action.messageID
                if state.finished.contains(id) { return nil }
                if let failure = state.failures[id] {
                    action.due = max(
                        due, failure.last.addingTimeInterval(Reconciler.retryDelay(attempt: failure.count, id: id)))
                }
            }
            if action.due >= grace {
                // It can never go out in time: journaled as skipped now, or just before the moment it would have
                // been dropped, so `plan` and `run` agree on it.
                let graceText = LocalDateTime(instant: grace, in: service.timeZone)
                action.skipReason =
                    now >= grace
                    ? "its time to send ended at \(graceText) before it could go out"
                    : "it would be due at \(LocalDateTime(instant: action.due, in: service.timeZone)), not before its time to send ends at \(graceText)"
                action.due = max(now, min(action.due, grace).addingTimeInterval(-60))
            } else if action.due < now {
                // Overdue (a backlog, downtime, a retry): it goes at the next moment the send window is open. If the
                // window only opens after its grace, a calendar message goes at once (a calendar must not stay
                // wrong), a reminder is skipped (a reminder outside the window, or after its moment, helps nobody).
                let open = times.intoWindow(now)
                if open < grace {
                    action.due = open
                } else if kind == .reminder {
                    action.skipReason =
                        "the send window does not open again before its time to send ends at "
                        + "\(LocalDateTime(instant: grace, in: service.timeZone))"
                    action.due = now
                } else {
                    action.due = now
                }
            }
            return action
        }

        for occurrence in ahead {
            let start = occurrence.snapshot.start
            let ref = OccurrenceRef(occurrence, domain: domain)
            // Due times depend on the occurrence and the rule only: computed once, not per person.
            let invitationPlace = invitationRules.map { times.place($0.send, before: start) }
            let reminderPlace = reminderRules.map { times.place($0.send, before: start) }
            // A rule the window cannot place keeps its nominal time for ordering and for the moment it is skipped.
            let invitationDue = invitationRules.indices.map {
                invitationPlace[$0].date ?? times.nominal(invitationRules[$0].send, before: start)
            }
            let reminderDue = reminderRules.indices.map {
                reminderPlace[$0].date ?? times.nominal(reminderRules[$0].send, before: start)
            }
            // A stable sort: reminders due together keep their order in the file.
            let remindersInDueOrder = reminderRules.indices.sorted { reminderDue[$0] < reminderDue[$1] }
            for member in members(occurrence) {
                let (person, forum) = (member.person, member.forum)
                let thread = state.thread(uid: occurrence.uid, key: person.key)
                var invitedAt = thread.flatMap { $0.cancelled ? nil : $0.invitedAt }
                let ruleIndex = member.invitationRule
                switch CalendarStep.next(sent: thread, wanted: occurrence.snapshot, whyNot: "") {
                case .invite:
                    guard let ruleIndex else { break }
                    let nominal = invitationDue[ruleIndex]
                    var due = nominal
                    var late = false
                    if nominal <= now {
                        // Someone who entered the audience after the due time (or a daemon that was down).
                        if service.lateJoiners == .ignore && state.invitedOccurrences.contains(occurrence.uid) { break }
                        due = urgent(before: start)
                        late = state.invitedOccurrences.contains(occurrence.uid)
                    }
                    if var action = make(
                        .invitation, ref, invitationIDs[ruleIndex], template: invitationTemplates[ruleIndex],
                        to: person, sequence: 0, due: due, grace: start, forum: forum)
                    {
                        action.lateJoiner = late
                        if !late, nominal > now { unplaceable(&action, invitationPlace[ruleIndex], nominal: nominal) }
                        invitedAt = action.due
                        actions.append(action)
                    }
                case .reinvite(let sequence):
                    let template = ruleIndex.map { invitationTemplates[$0] } ?? "invitation"
                    if let action = make(
                        .invitation, ref, "reinvite", template: template, to: person, sequence: sequence,
                        due: urgent(before: start), grace: start, forum: forum)
                    {
                        invitedAt = action.due
                        actions.append(action)
                    }
                case .update(let sequence, let previous):
                    if var action = make(
                        .update, ref, "update", template: "update", to: person, sequence: sequence,
                        due: urgent(before: start), grace: start, forum: forum)
                    {
                        action.previous = previous
                        actions.append(action)
                    }
                case .nothing:
                    // A delegate added or changed after the entry went out gets the principal's current calendar
                    // message as it was sent (same SEQUENCE and event), to the delegate alone: never the principal again.
                    guard let thread, !thread.cancelled, let delegate = person.delegate,
                        !thread.cc.contains(where: { $0.caseInsensitiveCompare(delegate) == .orderedSame })
                    else { break }
                    let template = ruleIndex.map { invitationTemplates[$0] } ?? "invitation"
                    if var action = make(
                        .invitation, ref, Action.delegateCopyNotification(for: delegate), template: template,
                        to: person, sequence: thread.sequence, due: urgent(before: start), grace: start, forum: forum)
                    {
                        action.snapshot = thread.snapshot
                        actions.append(action)
                    }
                case .cancel: break
                }
                guard person.optOut == .none, let invitedAt else { continue }
                // Each reminder's grace ends when the member's next one is due, or at the start.
                var reminders = remindersInDueOrder.lazy.filter(member.reminderRules.contains).makeIterator()
                var nextReminder = reminders.next()
                while let index = nextReminder {
                    nextReminder = reminders.next()
                    let due = reminderDue[index]
                    let grace = nextReminder.map { min(reminderDue[$0], start) } ?? start
                    guard
                        var action = make(
                            .reminder, ref, reminderIDs[index], template: reminderTemplates[index], to: person,
                            sequence: 0, due: max(due, min(now, grace)), grace: grace, forum: forum)
                    else { continue }
                    if case .unplaceable = reminderPlace[index] {
                        unplaceable(&action, reminderPlace[index], nominal: due)
                    } else if action.skipReason == nil && due < invitedAt {
                        action.skipReason = "the recipient joined after this reminder was due"
                        action.due = max(now, invitedAt)
                    } else if action.skipReason == nil,
                        let stale = Reconciler.staleness(due: due, successor: grace, now: now, zone: service.timeZone)
                    {
                        // After downtime: one reminder per person per occurrence at most, so nobody gets "a week to
                        // go" and "tomorrow" an hour apart.
                        action.skipReason = stale
                        action.due = now
                    }
                    actions.append(action)
                }
            }
        }

        // Every action so far came from members in key order: within each group of the due order, in recipient order.
        var recipientOrdered = actions.count

        // Calendar entries the file no longer wants: cancel them from the journal's snapshot.
        // Who is in the audience of each event planned above, built only when the journal has entries to check.
        var memberKeys: [String: Set<String>] = [:]
        func memberKeysByEvent(_ eventID: String) -> Set<String>? {
            if let keys = memberKeys[eventID] { return keys }
            guard let members = membersByEvent[eventID] else { return nil }
            let keys = Set(members.map(\.person.key))
            memberKeys[eventID] = keys
            return keys
        }
        let byUID = Dictionary(occurrences.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        var leavers: Set<String> = []
        var invitedPeople: Set<String> = []
        // Only entries still ahead: cancelling an event in progress or past helps nobody's calendar.
        for thread in state.threads.values where !thread.cancelled && thread.snapshot.start > now {
            let recipientKey = thread.recipient.lowercased()
            invitedPeople.insert(recipientKey)
            let occurrence = byUID[thread.uid]
            if let occurrence, occurrence.snapshot.start <= now { continue }
            if let occurrence, occurrence.active, memberKeysByEvent(occurrence.eventID)?.contains(recipientKey) == true
            {
                continue
            }
            let person = roster.person(thread.recipient)
            let reason: String
            if let occurrence, !occurrence.active {
                reason = occurrence.inactiveReason ?? "this event has been cancelled"
            } else if occurrence == nil {
                reason = Reconciler.removalReason(eventID: thread.eventID, snapshot: thread.snapshot, config: config)
            } else {
                if person?.optOut == .all { continue }
                if person == nil { leavers.insert(thread.recipient.lowercased()) }
                guard config.service.leavers == .cancel else { continue }
                reason = Reconciler.leaverReason(eventForums: occurrence?.forums ?? [], config: config)
            }
            guard case .cancel(let sequence, _) = CalendarStep.next(sent: thread, wanted: nil, whyNot: reason) else {
                continue
            }
            let date = LocalDateTime(instant: thread.snapshot.start, in: service.timeZone).date
            let eventID = occurrence?.eventID ?? thread.eventID
            let ref = OccurrenceRef(
                Occurrence(
                    eventID: eventID, date: date, identity: occurrence?.identity ?? thread.date ?? date,
                    uid: thread.uid,
                    snapshot: thread.snapshot, active: false, forums: []),
                domain: domain)
            let cc = (person?.delegate.map { [$0] } ?? thread.cc).map { Mailbox(name: "", address: $0) }
            let recipient = Mailbox(name: person?.name ?? thread.name, address: thread.recipient)
            if var action = make(
                .cancellation, ref, "cancellation", template: "cancellation", to: person, recipient: recipient, cc: cc,
                sequence: sequence, due: urgent(before: thread.snapshot.start), grace: thread.snapshot.start, forum: nil
            ) {
                action.previous = thread.snapshot
                action.reason = reason
                actions.append(action)
            }
        }
        if !invitedPeople.isEmpty {
            let shrink = Double(leavers.count) / Double(invitedPeople.count)
            if shrink > service.maxRosterShrink {
                return Plan(
                    actions: DueOrderedActions([]),
                    refusal:
                        "the roster drops \(leavers.count) of \(invitedPeople.count) invited people (\(Int((shrink * 100).rounded()))%), "
                        + "more than max_roster_shrink \(Int((service.maxRosterShrink * 100).rounded()))%: refusing to send cancellations; check the roster export"
                )
            }
        }
        let held = holdLargeChange(&actions, recipientOrdered: &recipientOrdered, holders: invitedPeople.count)
        return Plan(actions: DueOrderedActions(actions, recipientOrdered: recipientOrdered), refusal: nil, held: held)
    }

    /// Takes the calendar changes out of `actions` when they would reach more than `max_calendar_changes` of the
    /// `holders`, unless these files were approved: a careless save (an events block commented out) must never
    /// cancel the programme.
    func holdLargeChange(_ actions: inout [Action], recipientOrdered: inout Int, holders: Int) -> HeldChange? {
        guard holders > 0, !(fingerprint.map(state.approvals.contains) ?? false) else { return nil }
        let changes = actions.indices.filter {
            let action = actions[$0]
            return action.skipReason == nil
                && (action.kind == .cancellation || action.kind == .update || action.notification == "reinvite")
        }
        guard !changes.isEmpty else { return nil }
        let people = Set(changes.map { actions[$0].recipientKey }).count
        let limit = config.service.maxCalendarChanges
        guard Double(people) / Double(holders) > limit else { return nil }
        let held = changes.map { actions[$0] }.sorted(by: Action.dueOrder)
        recipientOrdered -= changes.count { $0 < recipientOrdered }
        let removed = Set(changes)
        actions = actions.indices.filter { !removed.contains($0) }.map { actions[$0] }
        return HeldChange(actions: held, people: people, holders: holders, limit: limit)
    }
}

extension Reconciler {
    /// Why an overdue reminder is stale, or nil: it was meant to go at least a day before its successor (the next
    /// reminder, or the occurrence's start) and now would go within a day of it. A reminder meant to be close to its
    /// successor ("1 hour before") is never stale: its grace alone decides.
    static func staleness(due: Date, successor: Date, now: Date, zone: TimeZone) -> String? {
        let day: TimeInterval = 86_400
        guard due < now, successor.timeIntervalSince(due) >= day, successor.timeIntervalSince(now) < day else {
            return nil
        }
        return
            "stale: it was due at \(LocalDateTime(instant: due, in: zone)) and what follows it (the next reminder, or the "
            + "event) is due within a day, at \(LocalDateTime(instant: successor, in: zone))"
    }

    /// Why a calendar entry whose occurrence the file no longer has is cancelled, in words for the recipient.
    static func removalReason(eventID: String, snapshot: EventSnapshot, config: Config) -> String {
        guard config.event(eventID) != nil else { return "this event has been cancelled" }
        let date = LocalDateTime(instant: snapshot.start, in: config.service.timeZone).date
        return "this date, \(Phrasing.dayAndMonth(date)), has been removed from the series"
    }

    /// "you are no longer a member of the Directors' Network" (the forums the event is for).
    static func leaverReason(eventForums: [String], config: Config) -> String {
        let names = eventForums.map { config.forum($0)?.name ?? $0 }
        guard !names.isEmpty else { return "you are no longer invited to this event" }
        return "you are no longer a member of the " + names.joined(separator: " or the ")
    }
}
