/// What a person has opted out of.
public enum OptOut: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything is sent.
    case none
    /// Invitations and calendar changes only; no reminders.
    case reminders
    /// Nothing is sent.
    case all
}

/// One row of the roster.
public struct Person: Sendable, Hashable {
    /// The address as written in the roster (sent to as is).
    public var email: String
    /// Lower-cased address: the key for everything.
    public var key: String
    public var name: String
    public var firstName: String
    /// The grade id (an alias in the roster is resolved to its grade).
    public var grade: String
    public var department: String
    /// Lower-cased roles.
    public var roles: [String]
    /// Forums this person is put in explicitly by the `forums` column.
    public var addedForums: [String]
    /// Forums this person is taken out of with `-id`.
    public var removedForums: [String]
    public var interim: Bool
    /// The private office or diary manager copied on every message.
    public var delegate: String?
    public var optOut: OptOut
    /// The roster line of this person's row.
    public var line: Int

    public init(
        email: String, name: String, firstName: String? = nil, grade: String, department: String = "",
        roles: [String] = [], addedForums: [String] = [], removedForums: [String] = [], interim: Bool = false,
        delegate: String? = nil, optOut: OptOut = .none, line: Int = 0
    ) {
        self.email = email
        self.key = email.lowercased()
        self.name = name
        self.firstName = firstName ?? String(name.split(separator: " ").first ?? Substring(name))
        self.grade = grade
        self.department = department
        self.roles = roles
        self.addedForums = addedForums
        self.removedForums = removedForums
        self.interim = interim
        self.delegate = delegate
        self.optOut = optOut
        self.line = line
    }
}

/// The loaded roster: everyone, in file order.
public struct Roster: Sendable {
    public let file: String
    public let people: [Person]
    /// Position in `people` by lower-cased address, so lookups stay O(1) for national-scale rosters.
    private let index: [String: Int]

    public init(file: String, people: [Person]) {
        self.file = file
        self.people = people
        self.index = Dictionary(people.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The person with this address (any case).
    public func person(_ email: String) -> Person? { index[email.lowercased()].map { people[$0] } }
}
