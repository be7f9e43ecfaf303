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
                        invitationRule: pass.invitationRules.indices.first {
                            Self.matches(pass.invitationRules[$0], pass.invitationForums[$0], m.person, in: forums)
                        },
                        reminderRules: pass.reminderRules.indices.filter {
                            Self.matches(pass.reminderRules[$0], pass.reminderForums[$0], m.person, in: forums)
                        }))
            }
        }
        // In key order, so each occurrence's actions for one notification come out in due order already.
        list.sort { $0.person.key < $1.person.key }
        return list
    }

    /// True when `rule` (with its forums as the set `ruleForums`) applies to `person`, who is in `forums`.
    static func matches(_ rule: NotificationRule, _ ruleForums: Set<String>, _ person: Person, in forums: [String])
        -> Bool
    {
        (rule.grades.isEmpty || rule.grades.contains(person.grade))
            && (ruleForums.isEmpty || forums.contains { ruleForums.contains($0) })
    }
}
