import Foundation

/// Works out a plan's due order (`Action.dueOrder`: instant, then event, occurrence date, notification, recipient,
/// sequence), keeping actions that compare equal in the order they came.
///
/// A year's plan for a national roster is millions of actions but only hundreds of *groups*: the actions of one
/// occurrence and notification due at one instant, which differ only in their recipient. So the groups are sorted,
/// not the actions, and each action's position is then dealt straight to its place in the order. The planner emits
/// each group's recipients in key order, so a group is sorted on its own only when they came otherwise (cancellations
/// found in the journal, for one); the actions it knows to be in that order are not even checked, which would reach
/// every recipient's address in memory.
enum DueOrder {
    /// The positions of `actions` in due order. Within each group, the actions before `checkedFrom` must come in
    /// recipient order already; those from it on are checked.
    static func positions(of actions: [Action], checkedFrom: Int = 0) -> [Int32] {
        precondition(actions.count <= Int(Int32.max), "a plan of more than 2^31 actions")
        var groups = Groups()
        // Per action its group; per group its size, whether its recipients came out of order, and its latest action.
        var groupOfAction: [Int32] = []
        groupOfAction.reserveCapacity(actions.count)
        var count: [Int] = []
        var unsorted: [Bool] = []
        var latest: [Int] = []
        // Fields are read in place: passing whole actions to functions would copy them (and touch every person).
        actions.withUnsafeBufferPointer { actions in
            for index in actions.indices {
                let group = groups.group(
                    occurrence: actions[index].occurrenceRef, notification: actions[index].notification,
                    due: actions[index].due)
                if group == latest.count {
                    count.append(1)
                    unsorted.append(false)
                    latest.append(index)
                } else {
                    count[group] += 1
                    // Within a group only the recipient and sequence differ.
                    let previous = latest[group]
                    if index >= checkedFrom && !unsorted[group]
                        && (actions[index].recipientKey, actions[index].sequence)
                            < (actions[previous].recipientKey, actions[previous].sequence)
                    {
                        unsorted[group] = true
                    }
                    latest[group] = index
                }
                groupOfAction.append(Int32(group))
            }
        }

        // Where each group starts once the groups are in order, then each action's position dealt to its group.
        var start = [Int](repeating: 0, count: count.count)
        var next = 0
        for group in groups.keys.indices.sorted(by: { groups.keys[$0] < groups.keys[$1] }) {
            start[group] = next
            next += count[group]
        }
        var order = [Int32](repeating: 0, count: actions.count)
        var filled = start
        for index in groupOfAction.indices {
            let group = Int(groupOfAction[index])
            order[filled[group]] = Int32(index)
            filled[group] += 1
        }
        actions.withUnsafeBufferPointer { actions in
            // Ties go by position, so equal actions keep the order they came in.
            func precedes(_ x: Int32, _ y: Int32) -> Bool {
                let (a, b) = (actions[Int(x)], actions[Int(y)])
                return Action.dueOrder(a, b) || (!Action.dueOrder(b, a) && x < y)
            }
            for group in groups.keys.indices where unsorted[group] {
                order[start[group]..<start[group] + count[group]].sort(by: precedes)
            }
        }
        return order
    }

    /// Everything but the recipient and sequence that `Action.dueOrder` compares.
    private struct GroupKey: Hashable, Comparable {
        var due: Date
        var eventID: String
        var occurrence: LocalDate
        var notification: String

        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
            if lhs.due != rhs.due { return lhs.due < rhs.due }
            if lhs.eventID != rhs.eventID { return lhs.eventID < rhs.eventID }
            if lhs.occurrence != rhs.occurrence { return lhs.occurrence < rhs.occurrence }
            return lhs.notification < rhs.notification
        }
    }

    /// Numbers groups in order of first appearance. The planner emits a person's invitation and reminders together,
    /// so the group of an action is nearly always one of the last few seen: those are checked by identity first,
    /// and only a miss hashes the group's strings.
    private struct Groups {
        private(set) var keys: [GroupKey] = []
        private var numbers: [GroupKey: Int] = [:]
        private var recent: [(occurrence: ObjectIdentifier, notification: String, due: Date, group: Int)] = []
        private var nextRecent = 0
        private static let recentCount = 8

        /// The group of an action of `occurrence` for `notification` due at `due`.
        mutating func group(occurrence ref: OccurrenceRef, notification: String, due: Date) -> Int {
            let occurrence = ObjectIdentifier(ref)
            for entry in recent
            where entry.occurrence == occurrence && entry.due == due && entry.notification == notification {
                return entry.group
            }
            let key = GroupKey(due: due, eventID: ref.eventID, occurrence: ref.date, notification: notification)
            let group = numbers[key] ?? keys.count
            if group == keys.count {
                keys.append(key)
                numbers[key] = group
            }
            let entry = (occurrence, notification, due, group)
            if recent.count < Self.recentCount { recent.append(entry) } else { recent[nextRecent] = entry }
            nextRecent = (nextRecent + 1) % Self.recentCount
            return group
        }
    }
}
