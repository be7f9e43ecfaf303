import Foundation

/// Reconcile: a pure function of (config, roster, journal state, now) to the actions that close the gap between
/// what should have been sent and what was. `convene plan`, `preview` and `run` all call this.
///
/// `plan(now:)` only composes the decisions, each a small pure function in a file of its own: who is in each
/// event's audience (`Reconciler+Audience`), what each member's calendar needs (`CalendarStep`,
/// `Reconciler+Calendar`, `Reconciler+DelegateCopies`), their reminders (`Reconciler+Reminders`), the entries the
/// files no longer want (`Reconciler+Cancellations`) and the guard on large calendar changes
/// (`Reconciler+ChangeGuard`), plain messages (`Reconciler+Messages`) and one-offs queued by `convene send`
/// (`Reconciler+OneOffs`), all timed by one `PlanningPass`.
public struct Reconciler: Sendable {
    /// The rules file.
    public var config: Config
    /// The people.
    public var roster: Roster
    /// Who is in which forum.
    public var audience: Audience
    /// What the journal says has been sent.
    public var state: JournalState
    /// The hash of the files being planned (`Workspace.fingerprint`); a change they make is sent without being held
    /// when an admin approved exactly these files.
    public var fingerprint: String?

    /// A reconciler of these files against this journal state.
    public init(config: Config, roster: Roster, audience: Audience, state: JournalState) {
        self.config = config
        self.roster = roster
        self.audience = audience
        self.state = state
    }

    /// Retries back off from 1 minute, doubling, capped at 1 hour, with a deterministic ±10% jitter.
    public static func retryDelay(attempt: Int, id: String) -> TimeInterval {
        let base = min(60 * pow(2, Double(max(attempt - 1, 0))), 3600)
        let jitter = Double(UInt8(FNV1a.hash(id).suffix(2), radix: 16) ?? 128) / 255 * 0.2 - 0.1
        return base * (1 + jitter)
    }

    /// Every action due at `now` or later, in due order; or a refusal when the roster shrank too far.
    public func plan(now: Date) -> Plan {
        let pass = PlanningPass(config: config, state: state, now: now)
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now)
        let ahead = occurrences.filter { $0.active && $0.snapshot.start > now }
        let membersByEvent = members(of: ahead, pass)
        let hosted = hostedPlan(occurrences, audienceMembers: membersByEvent, pass)

        // Room for every action the occurrences ahead can need (a calendar message and each reminder per member,
        // a cancellation per journal thread), reserved at once: growing by doubling would copy a national plan
        // and briefly hold it twice. Pages never written are never resident.
        var actions: [Action] = []
        actions.reserveCapacity(
            ahead.reduce(state.threads.count) {
                $0 + (membersByEvent[$1.eventID]?.count ?? 0) * (1 + pass.reminderRules.count + pass.messageRules.count)
            })

        for occurrence in ahead {
            let times = pass.times(of: occurrence)
            let entry = hosted.entries[occurrence.uid]
            for member in hosted.members[occurrence.uid] ?? membersByEvent[occurrence.eventID] ?? [] {
                var thread = state.thread(uid: occurrence.uid, key: member.person.key)
                // An employee who moved mailbox holds the entry at their old address: it moves with them.
                var movedFrom: String?
                if thread == nil, let employee = member.person.employeeID,
                    let moved = state.movedThread(uid: occurrence.uid, employeeID: employee, key: member.person.key)
                {
                    (thread, movedFrom) = (moved, moved.recipient)
                }
                var calendar = calendarAction(
                    for: member, thread: thread, movedFrom: movedFrom, times, pass, wanted: occurrence.snapshot,
                    uid: occurrence.uid)
                if thread == nil, let entry, let hosting = hosted.hosting[occurrence.eventID] {
                    let action = hostedInvitation(for: member, entry: entry, hosting: hosting, times, pass)
                    calendar = (action, action?.due)
                }
                if let action = calendar.action { actions.append(action) }
                appendMessages(for: member, times, pass, to: &actions)
                guard let invitedAt = calendar.invitedAt else { continue }
                appendReminders(for: member, invitedAt: invitedAt, times, pass, to: &actions)
            }
        }

        // Every action so far came from members in key order: within each group of the due order, in recipient order.
        var recipientOrdered = actions.count
        let cancellations = cancellations(of: occurrences, members: membersByEvent, hosted: hosted, pass)
        if let refusal = rosterShrinkRefusal(
            leavers: cancellations.leavers.count, holders: cancellations.holders.count)
        {
            return Plan(actions: DueOrderedActions([]), refusal: refusal)
        }
        actions.append(contentsOf: cancellations.actions)
        actions.append(contentsOf: oneOffActions(occurrences, pass))
        actions.append(contentsOf: offerExpiries(hosted, pass))
        let held = holdLargeChange(&actions, recipientOrdered: &recipientOrdered, holders: cancellations.holders.count)
        return Plan(actions: DueOrderedActions(actions, recipientOrdered: recipientOrdered), refusal: nil, held: held)
    }
}
