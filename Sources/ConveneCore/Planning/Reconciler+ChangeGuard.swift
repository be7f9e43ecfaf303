import Foundation

extension Reconciler {
    /// Takes the calendar changes out of `actions` when they would reach more than `max_calendar_changes` of the
    /// `holders`, unless these files were approved: a careless save (an events block commented out) must never
    /// cancel the programme. An offer of a freed place that passed on is the waitlist at work, not a change of the
    /// files: its cancellation is never held.
    func holdLargeChange(_ actions: inout [Action], recipientOrdered: inout Int, holders: Int) -> HeldChange? {
        guard holders > 0, !(fingerprint.map(state.approvals.contains) ?? false) else { return nil }
        let changes = actions.indices.filter {
            let action = actions[$0]
            return action.skipReason == nil && action.notification != Hosting.offerPassedNotification
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
