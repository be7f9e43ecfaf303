import Foundation

/// The loaded roster: everyone, in file order, with the team's overlay (`people.csv`) already merged in.
public struct Roster: Sendable {
    /// The roster file's path.
    public let file: String
    /// Everyone, in file order.
    public let people: [Person]
    /// Position in `people` by lower-cased address, so lookups stay O(1) for national-scale rosters.
    private let index: [String: Int]
    /// Position in `people` by employee number; empty when the roster has no `employee_id` column.
    private let employeeIndex: [String: Int]
    /// What the team's overlay file changed, when one was applied (`PeopleOverlay`).
    public internal(set) var overlay: RosterOverlay?

    /// A roster of `people` read from `file`.
    public init(file: String, people: [Person]) {
        self.init(
            file: file, people: people,
            positions: Dictionary(
                people.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// A roster whose index the parser built while checking for duplicates (`positions`: each key's place in
    /// `people`), so a national roster's addresses are hashed once, not twice.
    init(file: String, people: [Person], positions: [String: Int]) {
        self.file = file
        self.people = people
        self.index = positions
        var employees: [String: Int] = [:]
        for (position, person) in people.enumerated() {
            guard let id = person.employeeID else { continue }
            if employees[id] == nil { employees[id] = position }
        }
        self.employeeIndex = employees
    }

    /// The same roster with `people` changed field by field (same addresses, same order): what an overlay makes.
    func replacing(people: [Person], overlay: RosterOverlay) -> Roster {
        var roster = Roster(file: file, people: people, positions: index)
        roster.overlay = overlay
        return roster
    }

    /// The person with this address (any case).
    public func person(_ email: String) -> Person? { index[email.lowercased()].map { people[$0] } }

    /// Where `person` is in `people`.
    func position(of person: Person) -> Int? { index[person.key] }

    /// The person with this employee number, when the roster has employee numbers.
    public func person(employeeID: String) -> Person? { employeeIndex[employeeID].map { people[$0] } }

    /// True when some row carries an employee number: identity is then the employee number.
    public var hasEmployeeIDs: Bool { !employeeIndex.isEmpty }

    /// Where each of `person`'s team-owned facts came from, as `file:line` by column name (`delegate`,
    /// `opt_out`, `forums`, `interim`, `first_name`, `notes`, `delegate_mode`): the overlay's row for a value it set,
    /// else the roster's row for a value the roster gave. A fact with no value from either is left out.
    public func sources(of person: Person) -> [String: String] {
        let rosterSource = (file as NSString).lastPathComponent + ":\(person.line)"
        var result: [String: String] = [:]
        if person.delegate != nil { result["delegate"] = rosterSource }
        if person.optOut != .none { result["opt_out"] = rosterSource }
        if person.delegateMode != .copy { result["delegate_mode"] = rosterSource }
        if !person.addedForums.isEmpty || !person.removedForums.isEmpty { result["forums"] = rosterSource }
        if person.interim { result["interim"] = rosterSource }
        if !person.notes.isEmpty { result["notes"] = rosterSource }
        if rosterGaveFirstName(person) { result["first_name"] = rosterSource }
        if let overlay, let row = overlay.rows[person.key] {
            // A column the overlay row filled in is the team's fact, even an explicit "nothing" (`opt_out: none`).
            let overlaySource = (overlay.file as NSString).lastPathComponent + ":\(row.line)"
            for column in row.columns { result[column] = overlaySource }
        }
        return result
    }

    /// True when the first name differs from the first word of the name, i.e. someone wrote it down.
    private func rosterGaveFirstName(_ person: Person) -> Bool {
        let firstWord = person.name.drop { $0 == " " }.prefix { $0 != " " }
        return person.firstName != String(firstWord)
    }
}

/// What the team's overlay file (`service.people`) did to a roster: for `recipients` and `validate`.
public struct RosterOverlay: Sendable, Hashable {
    /// One overlay row that matched a person.
    public struct Row: Sendable, Hashable {
        /// The overlay file's line of the row.
        public var line: Int
        /// The team-owned columns the row gave a value, an explicit "nothing" (`opt_out: none`, `interim: no`,
        /// `delegate: -`) included: its value won over the roster's.
        public var columns: Set<String>
    }

    /// The overlay file's path.
    public var file: String
    /// The rows that matched someone in the roster, by the person's lower-cased address.
    public var rows: [String: Row]
    /// How many rows were applied.
    public var applied: Int { rows.count }
}
