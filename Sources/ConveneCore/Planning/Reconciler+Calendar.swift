import Foundation

extension Reconciler {
    /// What a member's calendar entry for an occurrence needs (`CalendarStep`), as an action if one is due, and
    /// when the entry was (or will be) first sent: `invitedAt` is nil when they hold no live entry, and then no
    /// reminder goes to them.
    ///
    /// `movedFrom` is the old address when `thread` is the entry an employee holds there (their `employee_id` stayed,
    /// their address changed): a live entry is then re-sent to the new address as it now is, with the same UID and the
    /// next SEQUENCE, and nothing goes to the old one.
    func calendarAction(
        for member: Member, thread: JournalState.CalendarThread?, movedFrom: String? = nil,
        _ times: PlanningPass.OccurrenceTimes, _ pass: PlanningPass, wanted: EventSnapshot, uid: String
    ) -> (action: Action?, invitedAt: Date?) {
        let invitedAt = thread.flatMap { $0.cancelled ? nil : $0.invitedAt }
        let step = CalendarStep.next(sent: thread, wanted: wanted, whyNot: "")
        if let movedFrom, let thread, !thread.cancelled {
            let template = member.invitationRule.map { pass.invitationTemplates[$0] } ?? "invitation"
            var action = pass.make(
                .invitation, times.ref, MessageIdentity.addressChangeNotification, template: template,
                to: member.person, sequence: thread.sequence + 1, due: pass.urgent(before: times.start),
                grace: times.start, forum: member.forum)
            action?.reason = "address changed from \(movedFrom)"
            return (action, invitedAt)
        }
        switch step {
        case .invite:
            guard let action = invitation(for: member, times, pass, uid: uid) else { return (nil, invitedAt) }
            return (action, action.due)
        case .reinvite(let sequence):
            let template = member.invitationRule.map { pass.invitationTemplates[$0] } ?? "invitation"
            guard
                let action = pass.make(
                    .invitation, times.ref, "reinvite", template: template, to: member.person, sequence: sequence,
                    due: pass.urgent(before: times.start), grace: times.start, forum: member.forum)
            else { return (nil, invitedAt) }
            return (action, action.due)
        case .update(let sequence, let previous):
            var action = pass.make(
                .update, times.ref, "update", template: "update", to: member.person, sequence: sequence,
                due: pass.urgent(before: times.start), grace: times.start, forum: member.forum)
            action?.previous = previous
            return (action, invitedAt)
        case .nothing:
            return (thread.flatMap { delegateCopy(for: member, thread: $0, times, pass) }, invitedAt)
        case .cancel:
            return (nil, invitedAt)
        }
    }

    /// A member's first invitation, by the first invitation rule that applies to them (none: nothing). Someone who
    /// entered the audience after its due time (or a daemon that was down) is invited at once as a late joiner,
    /// unless `late_joiners: ignore` and others were invited already.
    func invitation(for member: Member, _ times: PlanningPass.OccurrenceTimes, _ pass: PlanningPass, uid: String)
        -> Action?
    {
        guard let ruleIndex = member.invitationRule else { return nil }
        let nominal = times.invitationDue[ruleIndex]
        var due = nominal
        var late = false
        if nominal <= pass.now {
            if pass.service.lateJoiners == .ignore && pass.state.invitedOccurrences.contains(uid) { return nil }
            due = pass.urgent(before: times.start)
            late = pass.state.invitedOccurrences.contains(uid)
        }
        guard
            var action = pass.make(
                .invitation, times.ref, pass.invitationIDs[ruleIndex], template: pass.invitationTemplates[ruleIndex],
                to: member.person, sequence: 0, due: due, grace: times.start, forum: member.forum)
        else { return nil }
        action.lateJoiner = late
        if !late, nominal > pass.now { pass.unplaceable(&action, times.invitationPlace[ruleIndex], nominal: nominal) }
        return action
    }
}
