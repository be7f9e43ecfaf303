import Foundation

extension Reconciler {
    /// Appends a member's plain messages (`kind: message` rules) for an occurrence: on their own schedule, whether or
    /// not the invitation has gone yet (an agenda six weeks ahead may precede it), until the occurrence starts. Like
    /// reminders they are not calendar messages, so `opt_out: reminders` stops them as well as `all`; and a member
    /// who joins after one was due still gets it (the files are worth having), at the next moment the window is open.
    func appendMessages(
        for member: Member, _ times: PlanningPass.OccurrenceTimes, _ pass: PlanningPass, to actions: inout [Action]
    ) {
        guard member.person.optOut == .none else { return }
        for index in member.messageRules {
            let rule = pass.messageRules[index]
            let due = times.messageDue[index]
            guard
                var action = pass.make(
                    .message, times.ref, rule.id, template: rule.template, to: member.person, sequence: 0,
                    due: max(due, min(pass.now, times.start)), grace: times.start, forum: member.forum)
            else { continue }
            action.attachments = rule.attachments
            if action.skipReason == nil,
                let why = ReplySkip.reason(
                    to: rule.to, partstat: pass.state.answer(uid: times.ref.uid, attendee: member.person.key)?.partstat)
            {
                action.skipReason = why
            } else if case .unplaceable = times.messagePlace[index] {
                pass.unplaceable(&action, times.messagePlace[index], nominal: due)
            }
            actions.append(action)
        }
    }
}
