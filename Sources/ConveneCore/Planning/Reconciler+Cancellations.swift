import Foundation

extension Reconciler {
    /// The cancellations of calendar entries the files no longer want, and who holds entries.
    struct Cancellations {
        /// The cancellations, each built from the journal's snapshot of the entry.
        var actions: [Action] = []
        /// Lower-cased addresses of people holding a live future entry who are no longer in the roster.
        var leavers: Set<String> = []
        /// Lower-cased addresses of everyone holding a live future entry.
        var holders: Set<String> = []
    }

    /// Calendar entries the files no longer want (the occurrence gone or cancelled, or the recipient out of its
    /// audience), cancelled from the journal's snapshot. Only entries still ahead: cancelling an event in progress or
    /// past helps nobody's calendar. `members` are the audiences of the events planned ahead.
    /// A hosted occurrence's entries are wanted only for its table (`hosted`): an offer that passed on is cancelled.
    func cancellations(
        of occurrences: [Occurrence], members: [String: [Member]], hosted: HostedPlan = HostedPlan(),
        _ pass: PlanningPass
    ) -> Cancellations {
        let hostedKeys = hosted.members.mapValues { Set($0.map(\.person.key)) }
        var result = Cancellations()
        // Who is in the audience of each event planned ahead, built only when the journal has entries to check.
        var memberKeys: [String: Set<String>] = [:]
        func memberKeysByEvent(_ eventID: String) -> Set<String>? {
            if let keys = memberKeys[eventID] { return keys }
            guard let list = members[eventID] else { return nil }
            let keys = Set(list.map(\.person.key))
            memberKeys[eventID] = keys
            return keys
        }
        let byUID = Dictionary(occurrences.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        for thread in state.threads.values where !thread.cancelled && thread.snapshot.start > pass.now {
            let recipientKey = thread.recipient.lowercased()
            // An entry at the old address of an employee who moved mailbox: it moved with them (`calendarAction`),
            // and nothing, not even a cancellation, goes to the old mailbox; if they have left since, the entry at
            // their newer address is the one cancelled.
            if let employee = state.employee(at: recipientKey) {
                if let current = roster.person(employeeID: employee), current.key != recipientKey { continue }
                if state.movedOn(thread) { continue }
            }
            result.holders.insert(recipientKey)
            let occurrence = byUID[thread.uid]
            if let occurrence, occurrence.snapshot.start <= pass.now { continue }
            if let occurrence, occurrence.active, let keys = hostedKeys[occurrence.uid] {
                if keys.contains(recipientKey) { continue }
            } else if let occurrence, occurrence.active,
                memberKeysByEvent(occurrence.eventID)?.contains(recipientKey) == true
            {
                continue
            }
            let person = roster.person(thread.recipient)
            let reason: String
            var notification = "cancellation"
            if let occurrence, let until = hosted.entries[occurrence.uid]?.passed[recipientKey] {
                notification = Hosting.offerPassedNotification
                reason =
                    "the place offered to you was held until "
                    + "\(LocalDateTime(instant: until, in: pass.service.timeZone)) and has passed to the next person"
            } else if let occurrence, !occurrence.active {
                reason = occurrence.inactiveReason ?? "this event has been cancelled"
            } else if occurrence == nil {
                reason = Reconciler.removalReason(eventID: thread.eventID, snapshot: thread.snapshot, config: config)
            } else {
                if person?.optOut == .all { continue }
                if person == nil { result.leavers.insert(thread.recipient.lowercased()) }
                guard config.service.leavers == .cancel else { continue }
                reason = Reconciler.leaverReason(eventForums: occurrence?.forums ?? [], config: config)
            }
            if let action = cancellation(
                of: thread, occurrence: occurrence, person: person, reason: reason, notification: notification, pass)
            {
                result.actions.append(action)
            }
        }
        return result
    }

    /// The cancellation of `thread`'s entry for `reason` (nil when `CalendarStep` has nothing to cancel, or the
    /// journal has it finished), to the person as the roster now has them or, for a leaver, as last sent.
    func cancellation(
        of thread: JournalState.CalendarThread, occurrence: Occurrence?, person: Person?, reason: String,
        notification: String = "cancellation", _ pass: PlanningPass
    ) -> Action? {
        guard case .cancel(let sequence, _) = CalendarStep.next(sent: thread, wanted: nil, whyNot: reason) else {
            return nil
        }
        let date = LocalDateTime(instant: thread.snapshot.start, in: pass.service.timeZone).date
        let eventID = occurrence?.eventID ?? thread.eventID
        let ref = OccurrenceRef(
            Occurrence(
                eventID: eventID, date: date, identity: occurrence?.identity ?? thread.date ?? date, uid: thread.uid,
                snapshot: thread.snapshot, active: false, forums: []),
            domain: pass.domain)
        let cc = (person?.delegate.map { [$0] } ?? thread.cc).map { Mailbox(name: "", address: $0) }
        let recipient = Mailbox(name: person?.name ?? thread.name, address: thread.recipient)
        guard
            var action = pass.make(
                .cancellation, ref, notification, template: "cancellation", to: person, recipient: recipient, cc: cc,
                sequence: sequence, due: pass.urgent(before: thread.snapshot.start), grace: thread.snapshot.start,
                forum: nil)
        else { return nil }
        action.previous = thread.snapshot
        action.reason = reason
        // A leaver whose entry went to their delegate in their place is cancelled the same way: their own mailbox
        // never held it.
        if person == nil && !thread.reachedPrincipal && !cc.isEmpty { action.leaverDelegateMode = .instead }
        return action
    }

    /// Why `plan(now:)` refuses for the roster alone (see `rosterShrinkRefusal`), worked out without planning the
    /// messages: for `validate`, which reports a cut-short roster export rather than what it breaks.
    public func rosterRefusal(now: Date) -> String? {
        let pass = PlanningPass(config: config, state: state, now: now)
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now)
        let members = members(of: occurrences.filter { $0.active && $0.snapshot.start > now }, pass)
        let hosted = hostedPlan(occurrences, audienceMembers: members, pass)
        let found = cancellations(of: occurrences, members: members, hosted: hosted, pass)
        return rosterShrinkRefusal(leavers: found.leavers.count, holders: found.holders.count)
    }

    /// Why nothing may be planned: the roster drops more of the people holding invitations than
    /// `max_roster_shrink` allows (a truncated export must not cancel everyone's invitations); nil otherwise.
    func rosterShrinkRefusal(leavers: Int, holders: Int) -> String? {
        guard holders > 0 else { return nil }
        let shrink = Double(leavers) / Double(holders)
        let limit = config.service.maxRosterShrink
        guard shrink > limit else { return nil }
        return
            "the roster drops \(leavers) of \(holders) invited people (\(Int((shrink * 100).rounded()))%), "
            + "more than max_roster_shrink \(Int((limit * 100).rounded()))%: refusing to send cancellations; check the roster export"
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
