/// A plan's actions in due order (`Action.dueOrder`), read through the positions of the actions as they were planned.
///
/// A year's plan for a national roster is millions of actions of about 100 bytes each. Moving every action into its
/// place cost a cache miss per move; read through the due order instead, the planned actions are visited in a few
/// strided sweeps (one per group of actions sharing a due time, occurrence and notification) that the processor
/// prefetches, and the order itself is 4 bytes per action.
public struct DueOrderedActions: RandomAccessCollection, Sendable, Equatable {
    /// The actions as the planner made them.
    @usableFromInline let planned: [Action]
    /// Positions in `planned`, in due order.
    @usableFromInline let order: [Int32]

    /// The actions of `planned`, in due order. The planner passes how many of them it emitted in recipient order within
    /// each group (`recipientOrdered`): those are not checked.
    public init(_ planned: [Action], recipientOrdered: Int = 0) {
        precondition(recipientOrdered <= planned.count)
        self.planned = planned
        self.order = DueOrder.positions(of: planned, checkedFrom: recipientOrdered)
    }

    /// The first position (always 0).
    public var startIndex: Int { 0 }
    /// One past the last position: the number of actions.
    public var endIndex: Int { order.count }

    /// The action at `position` in due order.
    public subscript(position: Int) -> Action { planned[Int(order[position])] }

    /// Calls `body` with where each action at `positions` (in due order) lies. Passing an action by value would copy
    /// it, retaining and releasing every reference it holds (the occurrence's from both cores at once, for plan
    /// --json): millions of times over for a national plan. Reading the few fields needed through the pointer does
    /// not.
    @inlinable
    public func forEach(in positions: Range<Int>, _ body: (UnsafePointer<Action>) -> Void) {
        planned.withUnsafeBufferPointer { planned in
            order.withUnsafeBufferPointer { order in
                for position in positions { body(planned.baseAddress! + Int(order[position])) }
            }
        }
    }

    /// Two views are equal when they hold equal actions in the same order.
    public static func == (lhs: DueOrderedActions, rhs: DueOrderedActions) -> Bool { lhs.elementsEqual(rhs) }
}
