/// What a person has opted out of.
public enum OptOut: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything is sent.
    case none
    /// Invitations and calendar changes only; no reminders.
    case reminders
    /// Nothing is sent.
    case all
}

/// One row of the roster. A class with constant fields: planning refers to the same person from hundreds of
/// thousands of actions, and a reference is far cheaper to copy than ten strings.
public final class Person: Sendable, Hashable {
    /// The address as written in the roster (sent to as is).
    public let email: String
    /// Lower-cased address: the key for everything.
    public let key: String
    /// The display name.
    public let name: String
    /// The first name, given or taken from `name`.
    public let firstName: String
    /// The grade id (an alias in the roster is resolved to its grade).
    public let grade: String
    /// The department, as the roster has it.
    public let department: String
    /// Lower-cased roles.
    public let roles: [String]
    /// Forums this person is put in explicitly by the `forums` column.
    public let addedForums: [String]
    /// Forums this person is taken out of with `-id`.
    public let removedForums: [String]
    /// True for someone acting in the grade.
    public let interim: Bool
    /// The private office or diary manager copied on every message.
    public let delegate: String?
    /// How the delegate takes part: copied on everything, sent the messages instead, or copied on calendar messages.
    public let delegateMode: DelegateMode
    /// What they have opted out of.
    public let optOut: OptOut
    /// The roster line of this person's row.
    public let line: Int
    /// The HR employee number, when the roster has an `employee_id` column: then it, not the address, says who this
    /// is, so a new address for the same number is the same person moving mailbox.
    public let employeeID: String?
    /// The team's free-text notes (`notes` column), shown by `recipients`; never put in a message.
    public let notes: String

    /// A person as a roster row gives them; `firstName` defaults to the first word of `name`.
    public init(
        email: String, name: String, firstName: String? = nil, grade: String, department: String = "",
        roles: [String] = [], addedForums: [String] = [], removedForums: [String] = [], interim: Bool = false,
        delegate: String? = nil, delegateMode: DelegateMode = .copy, optOut: OptOut = .none, line: Int = 0,
        employeeID: String? = nil, notes: String = ""
    ) {
        self.email = email
        // Most addresses are lower case already: the key then shares the address's storage (one string fewer per
        // person, and one fewer to touch for every action).
        self.key = email.utf8.contains { (0x41...0x5A).contains($0) || $0 >= 0x80 } ? email.lowercased() : email
        self.name = name
        // The first space-separated word (as `split(separator: " ").first`, without building the array).
        let firstWord = name.drop { $0 == " " }.prefix { $0 != " " }
        self.firstName = firstName ?? (firstWord.isEmpty ? name : String(firstWord))
        self.grade = grade
        self.department = department
        self.roles = roles
        self.addedForums = addedForums
        self.removedForums = removedForums
        self.interim = interim
        self.delegate = delegate
        self.delegateMode = delegateMode
        self.optOut = optOut
        self.line = line
        self.employeeID = employeeID
        self.notes = notes
    }

    /// Equal when every field of the row is equal.
    public static func == (lhs: Person, rhs: Person) -> Bool {
        if lhs === rhs { return true }
        return lhs.email == rhs.email && lhs.name == rhs.name && lhs.firstName == rhs.firstName
            && lhs.grade == rhs.grade
            && lhs.department == rhs.department && lhs.roles == rhs.roles && lhs.addedForums == rhs.addedForums
            && lhs.removedForums == rhs.removedForums && lhs.interim == rhs.interim && lhs.delegate == rhs.delegate
            && lhs.delegateMode == rhs.delegateMode && lhs.optOut == rhs.optOut && lhs.line == rhs.line
            && lhs.employeeID == rhs.employeeID
            && lhs.notes == rhs.notes
    }

    /// Hashes the address and the roster line.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(line)
    }
}
