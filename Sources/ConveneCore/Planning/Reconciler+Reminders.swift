import Foundation

extension Reconciler {
    /// Appends a member's reminders for an occurrence, in due order: none for someone opted out of reminders. Each
    /// reminder's grace ends when the member's next one is due, or at the start.
    func appendReminders(
        for member: Member, invitedAt: Date, _ times: PlanningPass.OccurrenceTimes, _ pass: PlanningPass,
        to actions: inout [Action]
    ) {
        guard member.person.optOut == .none else { return }
        var reminders = times.remindersInDueOrder.lazy.filter(member.reminderRules.contains).makeIterator()
        var nextReminder = reminders.next()
        while let index = nextReminder {
            nextReminder = reminders.next()
            let grace = nextReminder.map { min(times.reminderDue[$0], times.start) } ?? times.start
            if let action = reminder(rule: index, for: member, invitedAt: invitedAt, grace: grace, times, pass) {
                actions.append(action)
            }
        }
    }

    /// The one place a reminder for a person is decided: the reminder of rule `index` (among the reminder rules) to
    /// `member`, whose entry was first sent at `invitedAt`, worth sending until `grace`. Nil when the journal has it
    /// finished; a skip (with its reason) when the answer or a bounced invitation rules it out, the window has no time
    /// for it, the member joined after it was due, or it went stale during downtime.
    func reminder(
        rule index: Int, for member: Member, invitedAt: Date, grace: Date, _ times: PlanningPass.OccurrenceTimes,
        _ pass: PlanningPass
    ) -> Action? {
        let due = times.reminderDue[index]
        guard
            var action = pass.make(
                .reminder, times.ref, pass.reminderIDs[index], template: pass.reminderTemplates[index],
                to: member.person, sequence: 0, due: max(due, min(pass.now, grace)), grace: grace, forum: member.forum)
        else { return nil }
        if action.skipReason == nil,
            let why = ReplySkip.reason(
                to: pass.reminderRules[index].to,
                partstat: pass.state.answer(uid: times.ref.uid, attendee: member.person.key)?.partstat,
                bounced: pass.state.invitationBounced(uid: times.ref.uid, key: member.person.key) != nil)
        {
            action.skipReason = why
        } else if case .unplaceable = times.reminderPlace[index] {
            pass.unplaceable(&action, times.reminderPlace[index], nominal: due)
        } else if action.skipReason == nil && due < invitedAt {
            action.skipReason = "the recipient joined after this reminder was due"
            action.due = max(pass.now, invitedAt)
        } else if action.skipReason == nil,
            let stale = Reconciler.staleness(due: due, successor: grace, now: pass.now, zone: pass.service.timeZone)
        {
            // After downtime: one reminder per person per occurrence at most, so nobody gets "a week to go" and
            // "tomorrow" an hour apart.
            action.skipReason = stale
            action.due = pass.now
        }
        return action
    }

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
}
