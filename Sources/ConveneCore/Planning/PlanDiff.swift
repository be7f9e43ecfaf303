import Foundation

/// What the current files would put in recipients' calendars beyond what the journal holds, grouped for an admin to
/// review (`convene plan --diff`, `convene approve`): "cancel 25 × your-agenda 2027-03-04 — this date, Thursday 4
/// March, has been removed from the series".
public enum PlanDiff {
    /// One group: the same change to the same occurrence for `count` people.
    public struct Group: Sendable, Hashable {
        /// What happens to the calendars: "invite", "reinvite", "readdress", "update" or "cancel".
        public var verb: String
        /// The event's id in the rules file.
        public var eventID: String
        /// The occurrence's date (its original date when it moved).
        public var occurrence: LocalDate
        /// Why, in the words the recipients get (empty when there is nothing to add).
        public var detail: String
        /// How many people receive this change.
        public var count: Int
        /// True when the group is part of a change held for approval.
        public var held: Bool

        /// `cancel 25 × your-agenda 2027-03-04 — why` (with `[held]` in front when held).
        public var line: String {
            (held ? "[held] " : "") + "\(verb) \(count) × \(eventID) \(occurrence)"
                + (detail.isEmpty ? "" : " — \(detail)")
        }
    }

    /// The calendar messages of `plan` (held ones included), grouped in due order of each group's first message.
    /// Reminders and skips are not calendar changes and are left out.
    public static func groups(_ plan: Plan, composer: MessageComposer, zone: TimeZone) -> [Group] {
        var order: [Group] = []
        var index: [String: Int] = [:]
        func add(_ action: Action, held: Bool) {
            guard action.kind.isCalendar, action.skipReason == nil else { return }
            let verb: String
            let detail: String
            switch action.kind {
            case .cancellation:
                (verb, detail) = ("cancel", action.reason ?? "")
            case .update:
                (verb, detail) = ("update", composer.whatChanged(action))
            default:
                let due = LocalDateTime(instant: action.due, in: zone)
                if action.isAddressChange {
                    (verb, detail) = ("readdress", "re-sent to a new address with the same UID")
                } else if action.notification == "reinvite" {
                    (verb, detail) = ("reinvite", "invited again after a cancellation")
                } else {
                    (verb, detail) = ("invite", (action.lateJoiner ? "late joiners, " : "") + "from \(due)")
                }
            }
            let key = [
                verb, action.eventID, action.occurrence.description, verb == "invite" ? "" : detail, held ? "h" : "",
            ]
            .joined(separator: "\u{0}")
            if let at = index[key] {
                order[at].count += 1
            } else {
                index[key] = order.count
                order.append(
                    Group(
                        verb: verb, eventID: action.eventID, occurrence: action.occurrence, detail: detail, count: 1,
                        held: held))
            }
        }
        for action in plan.held?.actions ?? [] { add(action, held: true) }
        for action in plan.actions { add(action, held: false) }
        return order
    }
}
