import Foundation

extension Reconciler {
    /// The actions of every queued one-off (`OneOff`): one `message` per recipient, worked out now from the audience
    /// as it is (like every other notification), due at the one-off's time moved into the send window. Opt-outs of
    /// `all` are respected (those people are not in the audience); delegates are copied as on every message. For an
    /// event it may go until the occurrence starts, and is skipped, with the reason, if the occurrence was cancelled;
    /// for a forum until `OneOff.forumGrace` after its time. A one-off whose time to send ended longer ago than the
    /// journal keeps records (`JournalCompaction.retention`) is over, and is not planned at all.
    func oneOffActions(_ occurrences: [Occurrence], _ pass: PlanningPass) -> [Action] {
        var actions: [Action] = []
        for oneOff in state.oneOffs {
            let occurrence: Occurrence
            let grace: Date
            switch oneOff.target {
            case .event(let eventID):
                guard
                    let found = occurrences.first(where: { $0.eventID == eventID && $0.identity == oneOff.date })
                        ?? occurrences.first(where: { $0.eventID == eventID && $0.date == oneOff.date })
                else { continue }
                occurrence = found
                grace = found.snapshot.start
            case .forum(let forumID):
                grace = oneOff.due.addingTimeInterval(OneOff.forumGrace)
                occurrence = Occurrence(
                    eventID: oneOff.eventID, date: oneOff.date, uid: oneOff.notification + "@" + pass.domain,
                    snapshot: EventSnapshot(
                        title: config.forum(forumID)?.name ?? forumID, start: oneOff.due, end: oneOff.due,
                        location: nil,
                        joinURL: nil, description: nil),
                    active: true, forums: [forumID])
            }
            if grace.addingTimeInterval(JournalCompaction.retention) < pass.now { continue }
            let ref = OccurrenceRef(occurrence, domain: pass.domain)
            let due = pass.times.intoWindow(oneOff.due)
            for member in members(of: occurrence, pass) {
                guard
                    var action = pass.make(
                        .message, ref, oneOff.notification, template: oneOff.template, to: member.person, sequence: 0,
                        due: due, grace: grace, forum: member.forum)
                else { continue }
                action.attachments = oneOff.attachments
                if action.skipReason == nil, let why = occurrence.inactiveReason {
                    action.skipReason = why
                    action.due = max(pass.now, min(action.due, grace))
                }
                actions.append(action)
            }
        }
        return actions
    }
}
