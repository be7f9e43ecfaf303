import Foundation

extension Reconciler {
    /// The current calendar message again, for whoever of the principal and their delegate does not hold it after a
    /// change of delegate or of `delegate_mode`, as it was sent (same SEQUENCE and event): never to someone who has
    /// it already. Nil when the entry is cancelled or everyone it should reach holds it.
    ///
    /// - A delegate added or changed gets a delegate copy, to them alone (in every mode: each copies calendar
    ///   messages), addressed as their mode addresses them.
    /// - A principal whose entry went to their delegate instead (`instead`), and who now receives their own messages
    ///   (another mode, or no delegate), gets a principal copy: they were never sent it. A delegate who does not
    ///   hold it yet goes in the same message.
    func delegateCopy(
        for member: Member, thread: JournalState.CalendarThread, _ times: PlanningPass.OccurrenceTimes,
        _ pass: PlanningPass
    ) -> Action? {
        guard !thread.cancelled else { return nil }
        let person = member.person
        let newDelegate = person.delegate.flatMap { delegate in
            thread.cc.contains { $0.caseInsensitiveCompare(delegate) == .orderedSame } ? nil : delegate
        }
        let principalOwed = !thread.reachedPrincipal && (person.delegate == nil || person.delegateMode != .instead)
        let notification: String
        if principalOwed {
            notification = MessageIdentity.principalCopyNotification
        } else if let newDelegate {
            notification = MessageIdentity.delegateCopyNotification(for: newDelegate)
        } else {
            return nil
        }
        let template = member.invitationRule.map { pass.invitationTemplates[$0] } ?? "invitation"
        var action = pass.make(
            .invitation, times.ref, notification, template: template, to: person,
            cc: principalOwed ? newDelegate.map { [Mailbox(name: "", address: $0)] } ?? [] : nil,
            sequence: thread.sequence, due: pass.urgent(before: times.start), grace: times.start, forum: member.forum)
        action?.snapshot = thread.snapshot
        return action
    }
}
