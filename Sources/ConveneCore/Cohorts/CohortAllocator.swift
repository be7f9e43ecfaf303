import Foundation

/// Someone who can sit at a hosted table: a guest from the audience or a host.
public struct CohortPerson: Sendable, Hashable {
    /// The lower-cased address: the person's key everywhere.
    public var key: String
    /// The department, as the roster has it; `mix: department` allows one per table.
    public var department: String
    /// What the person's tie-break is seeded by: a string that stays theirs when their address changes (the first
    /// address the journal wrote to them at, by employee number; else the key), so a move leaves their place in
    /// every choice as it was, and the seed of everyone who never moved is their address as before.
    public var identity: String

    /// A person by key and department; `identity` defaults to the key.
    public init(key: String, department: String, identity: String? = nil) {
        self.key = key
        self.department = department
        self.identity = identity ?? key
    }
}

/// What the journal fixes about one occurrence before the allocator runs: who was invited (and so is never taken
/// out by a re-plan), who is out of it (declined, or an offer passed on), and whether new guests may still be added.
public struct CohortSlot: Sendable, Hashable {
    /// The occurrence's label (its date), used in explanations.
    public var label: String
    /// The host already invited, if any: kept.
    public var host: String?
    /// Guests already invited and still holding their place (not declined), in the order they were invited: kept.
    public var invited: [String]
    /// People who were invited to this occurrence and are out of it (declined, or their offer passed): never chosen
    /// for it again, but they count as invited for fair rotation.
    public var out: [String]
    /// False when no one new may be added (the occurrence is past, or offers have closed): only the kept people sit.
    public var open: Bool

    /// A slot; by default nothing is fixed and it is open.
    public init(label: String, host: String? = nil, invited: [String] = [], out: [String] = [], open: Bool = true) {
        self.label = label
        self.host = host
        self.invited = invited
        self.out = out
        self.open = open
    }
}

/// One occurrence's table as allocated.
public struct CohortTable: Sendable, Hashable {
    /// The occurrence's label.
    public var label: String
    /// The host's key; nil when the event has no hosts, or none could be chosen.
    public var host: String?
    /// The guests, kept ones first, then the newly chosen in the order they were chosen.
    public var guests: [String]
    /// Keys of the guests who were already invited (kept) rather than newly chosen.
    public var kept: Set<String>
    /// The next people the allocator would choose for a freed place, best first.
    public var waitlist: [String]
    /// The sum over pairs of guests of the square of the times they met before in this series.
    public var pairCost: Int
    /// Pairs of guests at this table who met before in this series.
    public var repeatedPairs: Int
    /// Guests who had already been invited to an earlier occurrence of the series (rotation had to come round).
    public var secondTurns: Int
    /// Why the table is as it is where it had to accept something: empty places, repeats, a host used again.
    public var notes: [String]
}

/// The deterministic allocator of hosted series: for each occurrence in date order, a host and up to `capacity`
/// guests so that the hard rules hold (one guest per department and none from the host's with `mix`, fair
/// rotation, no guest meeting the same host twice) and the soft costs are small (pairs who met before, weighted by
/// the square of their meetings; then time since a person's last invitation). Greedy construction, then local
/// improvement by swaps: within a table (a guest for someone not chosen), then across the series (two newly chosen
/// guests of consecutive open tables change places), each bounded by a count of swap trials (not the clock, so it
/// stays deterministic). Ties are broken by a hash of the event id and the person's identity (`CohortPerson.identity`,
/// their address unless they moved): the same files and journal give the same tables, and a move changes none.
public struct CohortAllocator: Sendable {
    /// The event id: the only seed.
    public var eventID: String
    /// Guests per table, not counting the host.
    public var capacity: Int
    /// One guest per department, none from the host's.
    public var mix: Bool
    /// Who may host, in file order.
    public var hosts: [CohortPerson]
    /// Who may be a guest (hosts are left out of this list by the allocator).
    public var guests: [CohortPerson]
    /// Whether local improvement by swaps (within tables and across the series) runs after the greedy construction
    /// (the benchmark compares both).
    public var improve: Bool = true
    /// The most swap trials per table.
    public var swapBudget: Int = 100_000
    /// How many people each table's waitlist shows.
    public var waitlistLength: Int = 10

    /// An allocator for one event.
    public init(eventID: String, capacity: Int, mix: Bool, hosts: [CohortPerson], guests: [CohortPerson]) {
        self.eventID = eventID
        self.capacity = capacity
        self.mix = mix
        self.hosts = hosts
        let hostKeys = Set(hosts.map(\.key))
        self.guests = guests.filter { !hostKeys.contains($0.key) }
    }

    /// The most trials of swapping two newly chosen guests between consecutive open tables, for the whole series.
    public var seriesSwapBudget: Int = 20_000

    /// The tables of `slots`, in the same (date) order.
    public func allocate(_ slots: [CohortSlot]) -> [CohortTable] {
        var run = Run(self)
        let tables = slots.map { run.table(for: $0) }
        guard improve, let chosen = improveAcross(slots, tables) else { return tables }
        // Replay with the improved choices so that costs, notes and waitlists follow from them.
        var replay = Run(self)
        return slots.indices.map { replay.table(for: slots[$0], forced: chosen[$0]) }
    }

    /// Local improvement across the series: swaps a newly chosen guest of one open table with a newly chosen guest
    /// of the next open table when the series' pair cost (the sum over tables of the squares of earlier meetings of
    /// each pair) strictly falls and every hard rule still holds (mix, no guest meeting a host twice, the same
    /// rotation tier, no one waiting for a first invitation left out of a table that gives second ones). Trials go
    /// in table and seat order, at most `seriesSwapBudget`. Returns the newly chosen guests of every slot, or nil
    /// when no swap helped.
    func improveAcross(_ slots: [CohortSlot], _ tables: [CohortTable]) -> [[String]]? {
        guard tables.count > 1 else { return nil }
        // The series' pair cost is zero unless some pair sits at two tables, and then no swap can lower it: checked on
        // the few seated pairs before anything is built per person of the audience (a large one, most of the time).
        var pairs: Set<String> = []
        let repeated = tables.contains { table in
            let guests = table.guests
            return guests.indices.contains { a in
                guests.indices.contains { b in
                    b > a && !pairs.insert(min(guests[a], guests[b]) + "\u{0}" + max(guests[a], guests[b])).inserted
                }
            }
        }
        guard repeated else { return nil }
        var ids: [String: Int] = [:]
        var keys: [String] = []
        func id(_ key: String) -> Int {
            if let i = ids[key] { return i }
            ids[key] = keys.count
            keys.append(key)
            return keys.count - 1
        }
        for g in guests { _ = id(g.key) }
        let known = keys.count  // ids below this are guests of the roster
        var departmentOf: [String: Int] = [:]
        var departmentID: [String: Int] = [:]
        for g in guests where departmentOf[g.key] == nil {
            departmentOf[g.key] = departmentID[g.department] ?? departmentID.count
            departmentID[g.department] = departmentOf[g.key]
        }
        let department: [Int] = keys.map { departmentOf[$0]! }
        let hostDepartment: [Int?] = tables.map { t in
            t.host.flatMap { h in hosts.first { $0.key == h } }.map { departmentID[$0.department] ?? -1 }
        }
        var seats: [[Int]] = tables.map { $0.guests.map(id) }
        let outs: [Set<Int>] = slots.map { Set($0.out.map(id)) }
        let fresh: [[Bool]] = tables.map { t in t.guests.map { !t.kept.contains($0) } }
        let n = keys.count
        func cost() -> Int {
            var meetings: [Int: Int] = [:]
            var total = 0
            for table in seats {
                for a in table.indices {
                    for b in table.indices where b > a {
                        let key = table[a] < table[b] ? table[a] * n + table[b] : table[b] * n + table[a]
                        let m = meetings[key] ?? 0
                        total += m * m
                        meetings[key] = m + 1
                    }
                }
            }
            return total
        }
        func turns(_ person: Int, before slot: Int) -> Int {
            (0..<slot).filter { seats[$0].contains(person) || outs[$0].contains(person) }.count
        }
        /// The fairness rule at `slot`: a table giving second invitations leaves out no one eligible still waiting.
        func fair(_ slot: Int) -> Bool {
            var first = [Int](repeating: Int.max, count: known)
            for s in 0..<slot { for p in seats[s] + Array(outs[s]) where p < known { first[p] = min(first[p], s) } }
            guard seats[slot].contains(where: { $0 < known && first[$0] < slot }) else { return true }
            let used = Set(
                seats[slot].filter { $0 < known }.map { department[$0] } + [hostDepartment[slot]].compactMap { $0 })
            let at = Set(seats[slot])
            for p in 0..<known where first[p] == Int.max && !at.contains(p) && !outs[slot].contains(p) {
                if !mix || !used.contains(department[p]) { return false }
            }
            return true
        }
        /// Whether `person` may move from table `origin` to `slot` in place of `leaving`: mix and the host rule.
        func fits(_ person: Int, from origin: Int, at slot: Int, replacing leaving: Int) -> Bool {
            if seats[slot].contains(person) || outs[slot].contains(person) { return false }
            if mix {
                if department[person] == hostDepartment[slot] { return false }
                for g in seats[slot] where g != leaving && g < known && department[g] == department[person] {
                    return false
                }
            }
            if let host = tables[slot].host {
                for s in seats.indices where s != origin && tables[s].host == host && seats[s].contains(person) {
                    return false
                }
            }
            return true
        }
        var budget = seriesSwapBudget
        var current = cost()
        var changed = false
        var improved = true
        trials: while improved && budget > 0 && current > 0 {
            improved = false
            for i in seats.indices.dropLast() where slots[i].open && slots[i + 1].open {
                let j = i + 1
                for p in seats[i].indices where fresh[i][p] && seats[i][p] < known {
                    for q in seats[j].indices where fresh[j][q] && seats[j][q] < known {
                        guard budget > 0 else { break trials }
                        budget -= 1
                        let a = seats[i][p]
                        let b = seats[j][q]
                        guard turns(a, before: i) == turns(b, before: i), fits(a, from: i, at: j, replacing: b),
                            fits(b, from: j, at: i, replacing: a)
                        else { continue }
                        seats[i][p] = b
                        seats[j][q] = a
                        let next = cost()
                        var accept = next < current
                        if accept {
                            // The swap may not make either table unfair (checked only for a cheaper series).
                            let after = (fair(i), fair(j))
                            seats[i][p] = a
                            seats[j][q] = b
                            accept = (after.0 || !fair(i)) && (after.1 || !fair(j))
                        }
                        if accept {
                            seats[i][p] = b
                            seats[j][q] = a
                            current = next
                            improved = true
                            changed = true
                        } else {
                            seats[i][p] = a
                            seats[j][q] = b
                        }
                    }
                }
            }
        }
        guard changed else { return nil }
        return seats.indices.map { s in seats[s].indices.filter { fresh[s][$0] }.map { keys[seats[s][$0]] } }
    }

    /// The seeded tie-break of a person: the same for the same event and identity, unrelated across events.
    static func seed(_ eventID: String, _ identity: String) -> UInt64 { FNV1a.value(eventID + "\u{0}" + identity) }

    /// The allocation in progress: counts and meetings so far, by guest index.
    struct Run {
        let allocator: CohortAllocator
        let people: [CohortPerson]
        let index: [String: Int]
        let seeds: [UInt64]
        let departmentOf: [Int]
        var departmentNames: [String] = []
        /// Times each guest was invited so far (declines and passed offers included: they had their turn).
        var turns: [Int]
        /// The slot index of each guest's last invitation; -1 for never.
        var last: [Int]
        /// Meetings per pair of guests (`low * n + high`).
        var meetings: [Int: Int] = [:]
        /// The guests each host has sat with.
        var metHost: [String: Set<Int>] = [:]
        var hostUses: [String: Int] = [:]
        var slotNumber = 0

        init(_ allocator: CohortAllocator) {
            self.allocator = allocator
            people = allocator.guests
            var index: [String: Int] = [:]
            for (i, p) in people.enumerated() where index[p.key] == nil { index[p.key] = i }
            self.index = index
            seeds = people.map { CohortAllocator.seed(allocator.eventID, $0.identity) }
            var departments: [String: Int] = [:]
            var names: [String] = []
            departmentOf = people.map { p in
                if let d = departments[p.department] { return d }
                departments[p.department] = names.count
                names.append(p.department)
                return names.count - 1
            }
            departmentNames = names
            turns = Array(repeating: 0, count: people.count)
            last = Array(repeating: -1, count: people.count)
        }

        func pairKey(_ a: Int, _ b: Int) -> Int { a < b ? a * people.count + b : b * people.count + a }
        func met(_ a: Int, _ b: Int) -> Int { meetings.isEmpty ? 0 : meetings[pairKey(a, b)] ?? 0 }
        /// The cost `candidate` adds to `table`: the squares of its past meetings with each guest there.
        func added(_ candidate: Int, to table: [Int], except skip: Int = -1) -> Int {
            // Someone never invited has met no one: no look-ups (most of a large audience, most of the time).
            if turns[candidate] == 0 { return 0 }
            var sum = 0
            for t in table where t != skip {
                let m = met(candidate, t)
                sum += m * m
            }
            return sum
        }

        /// The table of `slot`; `forced`, when given, are the newly chosen guests (from the improvement across the
        /// series) in place of the greedy construction.
        mutating func table(for slot: CohortSlot, forced: [String]? = nil) -> CohortTable {
            defer { slotNumber += 1 }
            var notes: [String] = []
            let host = chooseHost(slot, &notes)
            let hostDepartment = host.flatMap { h in allocator.hosts.first { $0.key == h }?.department }
            let hostMet = host.flatMap { metHost[$0] } ?? []
            var table: [Int] = slot.invited.compactMap { index[$0] }
            var keptKeys = Set(slot.invited)
            var unknownKept = slot.invited.filter { index[$0] == nil }
            let outIndices = Set(slot.out.compactMap { index[$0] })
            var usedDepartments = Set(table.map { departmentOf[$0] })
            let hostDepartmentIndex = hostDepartment.flatMap { d in departmentNames.firstIndex(of: d) }
            if allocator.mix, let hostDepartmentIndex { usedDepartments.insert(hostDepartmentIndex) }
            var chosen = Set(table)

            func eligible(_ i: Int) -> Bool {
                !chosen.contains(i) && !outIndices.contains(i) && !hostMet.contains(i)
                    && !(allocator.mix && usedDepartments.contains(departmentOf[i]))
            }
            // Who could sit here at all, before anyone is chosen: what an explanation of a repeat rests on.
            let seats = people.indices.filter { eligible($0) }
            let openDepartments = Set(seats.map { departmentOf[$0] }).count
            let places = max(0, allocator.capacity - table.count - unknownKept.count)
            if slot.open && places > 0 {
                // Fair rotation: the fewest turns first, a tier at a time; within a tier the smallest added cost,
                // then the longest since the last invitation, then the seeded tie-break.
                var candidates = people.indices.filter { eligible($0) }
                candidates.sort { a, b in
                    (turns[a], last[a], seeds[a]) < (turns[b], last[b], seeds[b])
                }
                let lowest = candidates.first.map { turns[$0] } ?? 0
                for key in forced ?? [] {
                    guard let i = index[key], eligible(i) else { continue }
                    table.append(i)
                    chosen.insert(i)
                    if allocator.mix { usedDepartments.insert(departmentOf[i]) }
                }
                for _ in 0..<(forced == nil ? places : 0) {
                    var best = -1
                    var bestKey = (Int.max, Int.max, Int.max, UInt64.max)
                    for c in candidates where eligible(c) {
                        if best >= 0 && turns[c] > bestKey.0 { break }
                        let key = (turns[c], added(c, to: table), last[c], seeds[c])
                        if key < bestKey {
                            best = c
                            bestKey = key
                        }
                        // Candidates come by (turns, last, seed): none after this one in its tier beats a cost of 0,
                        // and a later tier never does. Exact, and it makes a large audience cost a short scan.
                        if key.1 == 0 { break }
                    }
                    guard best >= 0 else { break }
                    table.append(best)
                    chosen.insert(best)
                    if allocator.mix { usedDepartments.insert(departmentOf[best]) }
                }
                if allocator.improve && forced == nil {
                    improve(&table, kept: keptKeys, host: hostDepartmentIndex, barred: hostMet.union(outIndices))
                }
                let empty = allocator.capacity - table.count - unknownKept.count
                if empty > 0 {
                    notes.append(
                        allocator.mix
                            ? "\(empty) place\(empty == 1 ? "" : "s") left empty: no one eligible remains in another department"
                            : "\(empty) place\(empty == 1 ? "" : "s") left empty: no one eligible remains")
                }
                let second = table.filter { !keptKeys.contains(people[$0].key) && turns[$0] > 0 }.count
                if second > 0 && lowest == 0 {
                    notes.append(
                        "\(second) guest\(second == 1 ? "" : "s") invited a second time: everyone still waiting "
                            + "for a first invitation is in a department already at the table or has met the host")
                }
            }
            // The waitlist: who would be chosen next for a freed place, as the greedy step would choose them.
            var waitlist: [String] = []
            if slot.open { waitlist = self.waitlist(table, eligible: eligible).map { people[$0].key } }
            // The costs, then the bookkeeping for the occurrences after this one.
            var cost = 0
            var repeats = 0
            for a in table.indices {
                for b in table.indices where b > a {
                    let m = met(table[a], table[b])
                    cost += m * m
                    if m > 0 { repeats += 1 }
                }
            }
            if repeats > 0 {
                let what = repeats == 1 ? "one repeat" : "\(repeats) repeats"
                notes.append(
                    "the \(slot.label) table accepts \(what) (pairs who met before): "
                        + (allocator.mix
                            ? "only \(openDepartments) departments have someone eligible (\(seats.count) people)"
                            : "only \(seats.count) people are eligible")
                        + ", and no swap with one of them avoids it")
            }
            let secondTurns = table.filter { turns[$0] > 0 && !keptKeys.contains(people[$0].key) }.count
            for a in table.indices {
                for b in table.indices where b > a { meetings[pairKey(table[a], table[b]), default: 0] += 1 }
            }
            for i in table + Array(outIndices) {
                turns[i] += 1
                last[i] = slotNumber
            }
            if let host { metHost[host, default: []].formUnion(table) }
            let guests = table.map { people[$0].key } + unknownKept
            keptKeys.formIntersection(guests)
            unknownKept = []
            return CohortTable(
                label: slot.label, host: host, guests: guests, kept: keptKeys, waitlist: waitlist, pairCost: cost,
                repeatedPairs: repeats, secondTurns: secondTurns, notes: notes)
        }

        /// The first `waitlistLength` of the eligible people in the greedy step's order (turns, added cost, last
        /// invitation, seed); with mix only the first of each department (a freed place takes the freed department).
        /// Picked in one pass keeping the best few, not by sorting the whole audience.
        func waitlist(_ table: [Int], eligible: (Int) -> Bool) -> [Int] {
            typealias Key = (Int, Int, Int, UInt64, Int)
            func less(_ a: Key, _ b: Key) -> Bool { (a.0, a.1, a.2, a.3) < (b.0, b.1, b.2, b.3) }
            let length = allocator.waitlistLength
            guard length > 0 else { return [] }
            var best: [Key] = []  // sorted, at most `length`, at most one per department with mix
            for i in people.indices where eligible(i) {
                let key: Key = (turns[i], added(i, to: table), last[i], seeds[i], i)
                if best.count == length, let worst = best.last, !less(key, worst) { continue }
                if allocator.mix, let same = best.firstIndex(where: { departmentOf[$0.4] == departmentOf[i] }) {
                    guard less(key, best[same]) else { continue }
                    best.remove(at: same)
                }
                best.insert(key, at: best.firstIndex { less(key, $0) } ?? best.count)
                if best.count > length { best.removeLast() }
            }
            return best.map(\.4)
        }

        /// The host: the one already invited, else the least used (never used first), by the seeded tie-break.
        mutating func chooseHost(_ slot: CohortSlot, _ notes: inout [String]) -> String? {
            if let host = slot.host {
                hostUses[host, default: 0] += 1
                return host
            }
            guard slot.open, !allocator.hosts.isEmpty else { return nil }
            let host = allocator.hosts.min { a, b in
                (hostUses[a.key] ?? 0, CohortAllocator.seed(allocator.eventID, a.identity))
                    < (hostUses[b.key] ?? 0, CohortAllocator.seed(allocator.eventID, b.identity))
            }!
            let uses = hostUses[host.key] ?? 0
            if uses > 0 {
                notes.append(
                    "host \(host.key) hosts a second time: only \(allocator.hosts.count) hosts for the series")
            }
            hostUses[host.key, default: 0] += 1
            return host.key
        }

        /// Swaps a newly chosen guest for an unchosen eligible one of the same rotation tier while that lowers the
        /// table's pair cost; at most `swapBudget` trials. `barred` are those who may not sit here (met the host, out).
        func improve(_ table: inout [Int], kept: Set<String>, host: Int?, barred: Set<Int>) {
            var budget = allocator.swapBudget
            var improved = true
            while improved && budget > 0 {
                improved = false
                for position in table.indices where !kept.contains(people[table[position]].key) {
                    let current = table[position]
                    let currentCost = added(current, to: table, except: current)
                    guard currentCost > 0 else { continue }
                    let departments = Set(table.filter { $0 != current }.map { departmentOf[$0] })
                    let onTable = Set(table)
                    for c in people.indices where budget > 0 {
                        budget -= 1
                        guard turns[c] == turns[current], !onTable.contains(c), !barred.contains(c) else { continue }
                        if allocator.mix && (departments.contains(departmentOf[c]) || departmentOf[c] == host) {
                            continue
                        }
                        if added(c, to: table, except: current) < currentCost {
                            table[position] = c
                            improved = true
                            break
                        }
                    }
                    if improved { break }
                }
            }
        }
    }
}
