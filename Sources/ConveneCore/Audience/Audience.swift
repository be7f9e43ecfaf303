/// A person in a forum, with every reason they are in it.
public struct Membership: Sendable, Hashable {
    /// The member as the roster row gives them (address, name, delegate, opt-out).
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

    /// Resolves every forum's members once, up front, so `members(of:)` and `forums(of:)` are lookups.
    public init(config: Config, roster: Roster) {
        let people = roster.people
        // One reason string per grade, shared by everyone in it: a national roster has few grades and many people.
        let gradeReasons = Dictionary(
            config.grades.map { ($0.id, "grade \($0.id) (\($0.name))") }, uniquingKeysWith: { a, _ in a })
        // Per forum, each person's reasons by their position in the roster: arrays, not dictionaries keyed by address,
        // so a national roster's addresses are not hashed once per forum and membership.
        let forumIndex = Dictionary(config.forums.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var direct = [[[String]?]](
            repeating: [[String]?](repeating: nil, count: people.count), count: config.forums.count)
        func add(_ reason: String, _ position: Int, to forum: Int) {
            if direct[forum][position] == nil {
                direct[forum][position] = [reason]
            } else {
                direct[forum][position]!.append(reason)
            }
        }
        let forumsByGrade = Dictionary(grouping: config.forums.flatMap { f in f.grades.map { ($0, f.id) } }, by: \.0)
        let forumsByRole = Dictionary(grouping: config.forums.flatMap { f in f.roles.map { ($0, f.id) } }, by: \.0)
        var removed: [String: Set<Int>] = [:]
        for (position, person) in people.enumerated() {
            for (_, forum) in forumsByGrade[person.grade] ?? [] {
                add(
                    gradeReasons[person.grade] ?? "grade \(person.grade) (\(person.grade))", position,
                    to: forumIndex[forum]!)
            }
            for role in person.roles {
                for (_, forum) in forumsByRole[role] ?? [] { add("role \(role)", position, to: forumIndex[forum]!) }
            }
            for forum in person.addedForums {
                if let index = forumIndex[forum] { add("listed in the roster's forums column", position, to: index) }
            }
            for forum in person.removedForums { removed[forum, default: []].insert(position) }
        }
        var resolved: [String: [[String]?]] = [:]
        func resolve(_ id: String, _ path: Set<String>) -> [[String]?] {
            if let done = resolved[id] { return done }
            guard !path.contains(id), let forum = config.forum(id), let index = forumIndex[id] else {
                return [[String]?](repeating: nil, count: people.count)
            }
            var members = direct[index]
            for other in forum.include {
                for (position, reasons) in resolve(other, path.union([id])).enumerated() {
                    guard let reasons else { continue }
                    members[position] = (members[position] ?? []) + reasons.map { "via \(other): \($0)" }
                }
            }
            for position in removed[id] ?? [] { members[position] = nil }
            resolved[id] = members
            return members
        }
        var forumsByPosition = [[String]](repeating: [], count: people.count)
        for forum in config.forums {
            let members = resolve(forum.id, [])
            membersByForum[forum.id] = members.indices.compactMap { position in
                members[position].map { Membership(person: people[position], reasons: $0) }
            }
            for position in members.indices where members[position] != nil {
                forumsByPosition[position].append(forum.id)
            }
        }
        forumsByPerson.reserveCapacity(people.count)
        for (position, forums) in forumsByPosition.enumerated() where !forums.isEmpty {
            forumsByPerson[people[position].key] = forums
        }
    }

    /// The members of a forum in roster order (empty for an unknown forum).
    public func members(of forum: String) -> [Membership] { membersByForum[forum] ?? [] }

    /// The forums a person is in, in config order.
    public func forums(of person: Person) -> [String] { forumsByPerson[person.key] ?? [] }
}
