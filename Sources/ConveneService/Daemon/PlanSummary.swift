import ConveneCore
import Foundation

/// What the daemon keeps of a plan between batches. A national plan is hundreds of megabytes and the daemon should
/// not sleep on it; the status line and the wake time need only this.
public struct PlanSummary: Sendable, Equatable {
    /// The first action due, and how many are due at the same instant.
    public struct Next: Sendable, Equatable {
        /// The rule id (or `update`, `cancellation`, `delegate+…`).
        public var notification: String
        /// The event the action belongs to.
        public var eventID: String
        /// When it is due.
        public var due: Date
        /// How many actions are due at `due`, this one included.
        public var count: Int

        /// A summary of the next action due.
        public init(notification: String, eventID: String, due: Date, count: Int) {
            self.notification = notification
            self.eventID = eventID
            self.due = due
            self.count = count
        }
    }

    /// The next action due; nil when nothing is planned.
    public var next: Next?
    /// Why reconcile refused to plan (nothing is planned then).
    public var refusal: String?
    /// `HeldChange.summary` of a calendar change held for `convene approve`.
    public var held: String?

    /// A summary made of its parts (tests).
    public init(next: Next? = nil, refusal: String? = nil, held: String? = nil) {
        self.next = next
        self.refusal = refusal
        self.held = held
    }

    /// What `plan` says about the next action, a refusal and a held change.
    public init(_ plan: Plan) {
        if let first = plan.actions.first {
            let count = plan.actions.prefix { $0.due == first.due }.count
            next = Next(notification: first.notification, eventID: first.eventID, due: first.due, count: count)
        }
        refusal = plan.refusal
        held = plan.held?.summary
    }
}
