import Foundation

extension Reconciler {
    /// A delegate added or changed after the entry went out gets the principal's current calendar message as it was
    /// sent (same SEQUENCE and event), to the delegate alone: never the principal again. Nil when the entry is
    /// cancelled, the member has no delegate, or the delegate already has it.
    func delegateCopy(
        for member: Member, thread: JournalState.CalendarThread, _ times: PlanningPass.OccurrenceTimes,
        _ pass: PlanningPass
    ) -> Action? {
        guard !thread.cancelled, let delegate = member.person.delegate,
            !thread.cc.contains(where: { $0.caseInsensitiveCompare(delegate) == .orderedSame })
        else { return nil }
        let template = member.invitationRule.map { pass.invitationTemplates[$0] } ?? "invitation"
        var action = pass.make(
            .invitation, times.ref, MessageIdentity.delegateCopyNotification(for: delegate), template: template,
            to: member.person, sequence: thread.sequence, due: pass.urgent(before: times.start), grace: times.start,
            forum: member.forum)
        action?.snapshot = thread.snapshot
        return action
    }
}
