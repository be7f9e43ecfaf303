/// A person in a forum, with every reason they are in it.
public struct Membership: Sendable, Hashable {
    public var person: Person
    /// Human-readable: "grade DG (Director General)", "role head-of-department", "via cslg: grade PS …".
    public var reasons: [String]
}

/// Who is in each forum: by grade (aliases resolved at load), role, the roster's `forums` column and `include:`
/// of other forums; `-id` in the roster takes a person out of that forum whatever else would put them in.
/// Computed once for all forums, in roster order, so lookups are cheap for large rosters.
public struct Audience: Sendable {
    private var membersByForum: [String: [Membership]] = [:]
    private var forumsByPerson: [String: [String]] = [:]

    public init(config: Config, roster: Roster) {
        // One reason string per grade, shared by everyone in it: a national roster has few grades and many people.
        let gradeReasons = Dictionary(
            config.grades.map { ($0.id, "grade \($0.id) (\($0.name))") }, uniquingKeysWith: { a, _ in a })
        var direct: [String: [String: [String]]] = [:]
        for forum in config.forums {
            direct[forum.id] = [:]
        }
        let forumsByGrade = Dictionary(grouping: config.forums.flatMap { f in f.grades.map { ($0, f.id) } }, by: \.0)
        let forumsByRole = Dictionary(grouping: config.forums.flatMap { f in f.roles.map { ($0, f.id) } }, by: \.0)
        for person in roster.people {
            for (_, forum) in forumsByGrade[person.grade] ?? [] {
                direct[forum]?[person.key, default: []].append(
                    gradeReasons[person.grade] ?? "grade \(person.grade) (\(person.grade))")
            }
            for role in person.roles {
                for (_, forum) in forumsByRole[role] ?? [] {
                    direct[forum]?[person.key, default: []].append("role \(role)")
                }
            }
            for forum in person.addedForums {
                direct[forum]?[person.key, default: []].append("listed in the roster's forums column")
            }
        }
        let removed = Set(roster.people.flatMap { p in p.removedForums.map { "\($0)\u{0}\(p.key)" } })
        var resolved: [String: [String: [String]]] = [:]
        func resolve(_ id: String, _ path: Set<String>) -> [String: [String]] {
            if let done = resolved[id] { return done }
            guard !path.contains(id), let forum = config.forum(id) else { return [:] }
            var members = direct[id] ?? [:]
            for other in forum.include {
                for (key, reasons) in resolve(other, path.union([id])) {
                    members[key, default: []].append(contentsOf: reasons.map { "via \(other): \($0)" })
                }
            }
            if !removed.isEmpty { members = members.filter { !removed.contains("\(id)\u{0}\($0.key)") } }
            resolved[id] = members
            return members
        }
        for forum in config.forums {
            let members = resolve(forum.id, [])
            membersByForum[forum.id] = roster.people.compactMap { person in
                members[person.key].map { Membership(person: person, reasons: $0) }
            }
            for membership in membersByForum[forum.id] ?? [] {
                forumsByPerson[membership.person.key, default: []].append(forum.id)
            }
        }
    }

    /// The members of a forum in roster order (empty for an unknown forum).
    public func members(of forum: String) -> [Membership] { membersByForum[forum] ?? [] }

    /// The forums a person is in, in config order.
    public func forums(of person: Person) -> [String] { forumsByPerson[person.key] ?? [] }
}
