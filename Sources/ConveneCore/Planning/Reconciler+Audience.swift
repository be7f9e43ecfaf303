import Foundation

extension Reconciler {
    /// An audience member of an event, with the notification rules that apply to them: worked out once per event,
    /// not once per date.
    struct Member {
        let person: Person
        /// The forum through which they are invited.
        let forum: String
        /// The first invitation rule that applies, by index.
        let invitationRule: Int?
        /// The reminder rules that apply, by index, in file order.
        let reminderRules: [Int]
        /// The `kind: message` rules that apply, by index, in file order.
        var messageRules: [Int] = []
    }

    /// The members of every event with an occurrence in `occurrences`, by event id.
    func members(of occurrences: [Occurrence], _ pass: PlanningPass) -> [String: [Member]] {
        var membersByEvent: [String: [Member]] = [:]
        for occurrence in occurrences where membersByEvent[occurrence.eventID] == nil {
            membersByEvent[occurrence.eventID] = members(of: occurrence, pass)
        }
        return membersByEvent
    }

    /// The members of `occurrence`'s event: everyone in its forums who has not opted out of everything, once each
    /// (through the first of its forums they are in), in key order.
    func members(of occurrence: Occurrence, _ pass: PlanningPass) -> [Member] {
        var seen: Set<String> = []
        var list: [Member] = []
        for forum in occurrence.forums {
            for m in audience.members(of: forum) where m.person.optOut != .all && seen.insert(m.person.key).inserted {
                let forums = audience.forums(of: m.person)
                list.append(
                    Member(
                        person: m.person, forum: forum,
                        invitationRule: Self.invitationRule(for: m.person, in: forums, event: occurrence.eventID, pass),
                        reminderRules: Self.reminderRules(for: m.person, in: forums, event: occurrence.eventID, pass),
                        messageRules: Self.messageRules(for: m.person, in: forums, event: occurrence.eventID, pass)))
            }
        }
        // In key order, so each occurrence's actions for one notification come out in due order already.
        list.sort { $0.person.key < $1.person.key }
        return list
    }

    /// True when `rule` (with its forums as the set `ruleForums`) applies to `person`, who is in `forums`, at an
    /// occurrence of `event`.
    static func matches(
        _ rule: NotificationRule, _ ruleForums: Set<String>, _ person: Person, in forums: [String], event: String
    ) -> Bool {
        (rule.events.isEmpty || rule.events.contains(event))
            && (rule.grades.isEmpty || rule.grades.contains(person.grade))
            && (ruleForums.isEmpty || forums.contains { ruleForums.contains($0) })
    }

    /// The invitation rule for `person` at `event`: the first that names the event (its own schedule), else the
    /// first that names no event, among those whose filters let them through.
    static func invitationRule(for person: Person, in forums: [String], event: String, _ pass: PlanningPass) -> Int? {
        let rules = pass.invitationRules.indices.lazy.filter {
            matches(pass.invitationRules[$0], pass.invitationForums[$0], person, in: forums, event: event)
        }
        return rules.first { !pass.invitationRules[$0].events.isEmpty } ?? rules.first
    }

    /// Every reminder rule for `person` at `event`, by index, in file order.
    static func reminderRules(for person: Person, in forums: [String], event: String, _ pass: PlanningPass) -> [Int] {
        pass.reminderRules.indices.filter {
            matches(pass.reminderRules[$0], pass.reminderForums[$0], person, in: forums, event: event)
        }
    }

    /// Every `kind: message` rule for `person` at `event`, by index, in file order.
    static func messageRules(for person: Person, in forums: [String], event: String, _ pass: PlanningPass) -> [Int] {
        pass.messageRules.indices.filter {
            matches(pass.messageRules[$0], pass.messageForums[$0], person, in: forums, event: event)
        }
    }
}
