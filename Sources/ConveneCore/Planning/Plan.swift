import Foundation

/// The result of reconciling: every action due now or later, in due order, or a refusal to act at all.
public struct Plan: Sendable {
    /// What to send (or skip), in due order.
    public var actions: DueOrderedActions
    /// Set when the roster would drop more audience members than `max_roster_shrink` allows; nothing is planned.
    public var refusal: String?
    /// A calendar change too large to send without an admin's `convene approve`; its actions are not in `actions`.
    public var held: HeldChange?

    /// A plan of `actions`, or a `refusal` (then `actions` is empty), with any change `held` for approval.
    public init(actions: DueOrderedActions, refusal: String? = nil, held: HeldChange? = nil) {
        self.actions = actions
        self.refusal = refusal
        self.held = held
    }
}
