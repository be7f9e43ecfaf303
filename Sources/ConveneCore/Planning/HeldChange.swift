import Foundation

/// Cancellations, updates and re-invitations that the current files would send to more than
/// `max_calendar_changes` of the people who hold invitations to future occurrences: none of them goes out until an
/// admin approves these files (`convene approve`); everything else is sent as usual.
public struct HeldChange: Sendable {
    /// The held actions, in due order.
    public var actions: [Action]
    /// How many people the change would reach.
    public var people: Int
    /// How many people hold invitations to future occurrences.
    public var holders: Int
    /// `max_calendar_changes`, as a fraction of `holders`.
    public var limit: Double

    /// How many of the held actions are cancellations.
    public var cancellations: Int { actions.count { $0.kind == .cancellation } }
    /// Updates and re-invitations.
    public var updates: Int { actions.count - cancellations }

    /// "held: 112 cancellations, 25 updates — run `convene approve` to send them".
    public var summary: String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return
            "held: \(count(cancellations, "cancellation")), \(count(updates, "update")) — run `convene approve` to send them"
    }

    /// Why it is held: "to 40 of 60 people holding invitations (67%), more than max_calendar_changes 10%".
    public var why: String {
        "they would reach \(people) of the \(holders) people holding invitations (\(Int((Double(people) / Double(holders) * 100).rounded()))%), "
            + "more than max_calendar_changes \(Int((limit * 100).rounded()))%"
    }
}
