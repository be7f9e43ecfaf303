import Foundation
import Testing

@testable import ConveneCore

struct DueOrderTests {
    static let nine = PlanningFixture.at("2027-01-04 09:00")
    static let ten = PlanningFixture.at("2027-01-04 10:00")

    static func occurrence(_ event: String, _ date: String) -> OccurrenceRef {
        let day = LocalDate(parsing: date)!
        let snapshot = EventSnapshot(title: event, start: ten, end: ten, location: nil, joinURL: nil, description: nil)
        return OccurrenceRef(
            Occurrence(
                eventID: event, date: day, uid: Occurrence.uid(event: event, date: day, domain: "example.gov.uk"),
                snapshot: snapshot, active: true, forums: []),
            domain: "example.gov.uk")
    }

    static func action(_ ref: OccurrenceRef, _ rule: String, _ email: String, due: Date, sequence: Int = 0) -> Action {
        Action(
            kind: .reminder, due: due, grace: ten, occurrence: ref, notification: rule, template: "reminder",
            person: nil, recipient: Mailbox(name: "", address: email), sequence: sequence, forum: nil)
    }

    /// A plan as the planner leaves it: people's notifications interleaved, groups split by a different due time,
    /// one group (cancellations from the journal) out of recipient order, two objects for one occurrence, and
    /// actions that tie on everything `dueOrder` compares.
    static var unsorted: [Action] {
        let a = occurrence("alpha", "2027-01-20")
        let b = occurrence("beta", "2027-01-18")
        let aAgain = occurrence("alpha", "2027-01-20")
        var actions: [Action] = []
        for email in ["a@x.uk", "b@x.uk", "c@x.uk", "d@x.uk"] {
            actions.append(action(b, "invitation", email, due: ten))
            actions.append(action(a, "week-before", email, due: email == "c@x.uk" ? ten : nine))
            actions.append(action(a, "invitation", email, due: nine))
        }
        for email in ["d@x.uk", "a@x.uk", "c@x.uk"] {
            actions.append(action(aAgain, "cancellation", email, due: nine, sequence: 1))
        }
        actions.append(action(a, "cancellation", "a@x.uk", due: nine, sequence: 0))
        actions.append(action(a, "invitation", "b@x.uk", due: nine))
        return actions
    }

    static func described(_ actions: [Action]) -> [String] {
        actions.map { "\($0.due == nine ? "09" : "10") \($0.key) \($0.sequence)" }
    }

    @Test func groupedOrderIsTheOrderOfSortingEveryActionByDueOrder() {
        let expected = Self.unsorted.sorted(by: Action.dueOrder)
        let actions = Array(DueOrderedActions(Self.unsorted))
        #expect(Self.described(actions) == Self.described(expected))
        #expect(actions == expected)
    }

    @Test func actionsDeclaredInRecipientOrderAreNotCheckedAndTheRestAre() {
        // The first 12 actions are in recipient order within each of their groups; the cancellations after are not.
        let expected = Self.unsorted.sorted(by: Action.dueOrder)
        #expect(
            Self.described(Array(DueOrderedActions(Self.unsorted, recipientOrdered: 12))) == Self.described(expected))
        // Declaring them all ordered leaves the out-of-order cancellations as they came.
        let trusted = Array(DueOrderedActions(Self.unsorted, recipientOrdered: Self.unsorted.count))
        #expect(Self.described(trusted) != Self.described(expected))
    }

    @Test func actionsThatTieKeepTheOrderTheyCameIn() {
        let a = Self.occurrence("alpha", "2027-01-20")
        var actions = [
            Self.action(a, "invitation", "z@x.uk", due: Self.nine),
            Self.action(a, "invitation", "a@x.uk", due: Self.nine, sequence: 2),
            Self.action(a, "invitation", "a@x.uk", due: Self.nine, sequence: 2),
        ]
        actions[1].template = "first"
        let ordered = DueOrderedActions(actions)
        #expect(ordered.map(\.template) == ["first", "reminder", "reminder"])
        #expect(ordered.map(\.recipientKey) == ["a@x.uk", "a@x.uk", "z@x.uk"])
    }

    @Test func readingInPlaceVisitsTheSameActionsAsTheCollection() {
        let ordered = DueOrderedActions(Self.unsorted)
        var visited: [String] = []
        ordered.forEach(in: 3..<ordered.count) { visited.append("\($0.pointee.key) \($0.pointee.sequence)") }
        #expect(visited == ordered.dropFirst(3).map { "\($0.key) \($0.sequence)" })
    }
}
