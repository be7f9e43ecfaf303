import Foundation

/// Puts a plan's actions into due order (`Action.dueOrder`: instant, then event, occurrence date, notification,
/// recipient, sequence), keeping actions that compare equal in the order they came.
///
/// A year's plan for a national roster is millions of actions but only hundreds of *groups*: the actions of one
/// occurrence and notification due at one instant, which differ only in their recipient. So the groups are sorted,
/// not the actions, and each action is then swapped once straight into its place (no copies, no second array).
/// The planner emits each group's recipients in key order, so a group is sorted on its own only when they came
/// otherwise (cancellations found in the journal, for one).
enum DueOrder {
    static func sort(_ actions: inout [Action]) {
        var groups = Groups()
        // Per action its group (turned below into where the action goes); per group its size, whether its recipients
        // came out of order, and its latest action so far.
        var destination: [Int] = []
        destination.reserveCapacity(actions.count)
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
                    if !unsorted[group]
                        && (actions[index].recipientKey, actions[index].sequence)
                            < (actions[previous].recipientKey, actions[previous].sequence)
                    {
                        unsorted[group] = true
                    }
                    latest[group] = index
                }
                destination.append(group)
            }
        }

        // Where each group starts once the groups are in order, then where each action goes.
        var start = [Int](repeating: 0, count: count.count)
        var next = 0
        for group in groups.keys.indices.sorted(by: { groups.keys[$0] < groups.keys[$1] }) {
            start[group] = next
            next += count[group]
        }
        var filled = start
        for index in destination.indices {
            let group = destination[index]
            destination[index] = filled[group]
            filled[group] += 1
        }

        // Each swap puts one action in its final place.
        actions.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                while destination[index] != index {
                    let target = destination[index]
                    buffer.swapAt(index, target)
                    destination.swapAt(index, target)
                }
            }
        }
        for group in groups.keys.indices where unsorted[group] {
            actions[start[group]..<start[group] + count[group]].sort(by: Action.dueOrder)
        }
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
