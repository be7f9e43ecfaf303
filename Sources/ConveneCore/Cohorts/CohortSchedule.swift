import Foundation

/// A hosted series read against the journal at one moment: for each occurrence the slot the journal fixes (who was
/// invited, who declined, whose offer passed, whether offers are still open) and the table the allocator makes of it.
/// The planner invites from it; `convene cohorts` shows it.
public struct CohortSchedule: Sendable {
    /// One occurrence of the series.
    public struct Entry: Sendable {
        /// The occurrence.
        public var occurrence: Occurrence
        /// What the journal fixes.
        public var slot: CohortSlot
        /// The allocated table.
        public var table: CohortTable
        /// Whether invitations for it have gone out (then a newly chosen guest is sent an offer).
        public var invitationsOut: Bool
        /// When its guests are chosen and invited: `invite:` before the start (nil: the invitation rules decide).
        public var inviteAt: Date?
        /// When offers of freed places stop.
        public var offersCloseAt: Date
        /// Live offers not yet accepted, by key: until when the place is held (an offer still open when offers close
        /// is kept: no one could be offered the place after it).
        public var heldUntil: [String: Date]
        /// Offers that passed on, by key: until when the place was held.
        public var passed: [String: Date]
        /// Each invited person's answer (`accepted`, `tentative`, `declined`), or `bounced` when their invitation failed
        /// for good and no answer came, by key; absent: no answer yet.
        public var answers: [String: String]
        /// People whose entry is still at an address they had before (same employee number), by key: the old
        /// address. The planner re-sends the entry to the new one (`address-change`).
        public var movedFrom: [String: String] = [:]
    }

    /// The event.
    public var event: Event
    /// Its hosting settings.
    public var hosting: Hosting
    /// Every occurrence, in date order (past ones too: they are the series' history).
    public var entries: [Entry]
    /// Who may host.
    public var hosts: [CohortPerson]
    /// The audience the guests are drawn from (hosts left out).
    public var guests: [CohortPerson]

    /// The hosts of `hosting`: members of its forums, and its addresses found in the roster, in file order.
    public static func hosts(of hosting: Hosting, roster: Roster, audience: Audience) -> [Person] {
        var seen: Set<String> = []
        var result: [Person] = []
        for host in hosting.hosts {
            let people =
                host.contains("@")
                ? roster.person(host).map { [$0] } ?? []
                : audience.members(of: host).map(\.person).sorted { $0.key < $1.key }
            for person in people where person.optOut != .all && seen.insert(person.key).inserted {
                result.append(person)
            }
        }
        return result
    }

    /// The guests of `event`: its audience (everyone in its forums not opted out), hosts left out, in key order.
    public static func guests(of event: Event, hosts: [Person], audience: Audience) -> [Person] {
        var seen = Set(hosts.map(\.key))
        var result: [Person] = []
        for forum in event.forums {
            for m in audience.members(of: forum) where m.person.optOut != .all && seen.insert(m.person.key).inserted {
                result.append(m.person)
            }
        }
        return result.sorted { $0.key < $1.key }
    }

    /// Why the series cannot be allocated as the file asks, each with what would make it feasible; empty when it can.
    public static func problems(of event: Event, config: Config, roster: Roster, audience: Audience)
        -> [(message: String, hint: String)]
    {
        guard let hosting = event.hosting, event.status == .confirmed else { return [] }
        var problems: [(String, String)] = []
        let hosts = hosts(of: hosting, roster: roster, audience: audience)
        let guests = guests(of: event, hosts: hosts, audience: audience)
        let dates = Occurrences.dates(of: event)
        if !hosting.hosts.isEmpty && hosts.count < dates.count {
            problems.append(
                (
                    "event '\(event.id)' has \(hosts.count) host\(hosts.count == 1 ? "" : "s") for \(dates.count) "
                        + "occurrences: a host would host twice",
                    "add hosts to 'hosts' (\(dates.count - hosts.count) more), or shorten the series to \(hosts.count) date\(hosts.count == 1 ? "" : "s")"
                ))
        }
        if hosting.mixDepartments {
            let departments = Set(guests.map(\.department))
            // The fewest departments a table can draw from: all of them but the host's.
            let worst =
                hosts.isEmpty
                ? departments.count
                : hosts.map { host in departments.subtracting([host.department]).count }.min() ?? departments.count
            if worst < hosting.capacity {
                problems.append(
                    (
                        "event '\(event.id)' mixes departments but its audience has only \(worst) department"
                            + "\(worst == 1 ? "" : "s") for a table (the host's left out) and \(hosting.capacity) places",
                        "lower 'capacity' to \(worst), or invite forums with \(hosting.capacity - worst) more "
                            + "department\(hosting.capacity - worst == 1 ? "" : "s"), or drop 'mix: department'"
                    ))
            }
        }
        if guests.count < hosting.capacity {
            problems.append(
                (
                    "event '\(event.id)' has \(guests.count) possible guests for \(hosting.capacity) places",
                    "lower 'capacity' to \(guests.count) or invite more forums"
                ))
        }
        return problems
    }

    /// The series of `event` as the journal stands at `now`; nil when the event is not hosted.
    public init?(
        event: Event, occurrences: [Occurrence], config: Config, roster: Roster, audience: Audience,
        state: JournalState, now: Date
    ) {
        guard let hosting = event.hosting else { return nil }
        self.event = event
        self.hosting = hosting
        let hostPeople = Self.hosts(of: hosting, roster: roster, audience: audience)
        let guestPeople = Self.guests(of: event, hosts: hostPeople, audience: audience)
        // The tie-break of someone who moved mailbox stays that of the address the journal first knew them at.
        // (Seeding everyone by employee number would reshuffle every series not yet invited of a roster that has them.)
        func cohortPerson(_ person: Person) -> CohortPerson {
            let first = person.employeeID.flatMap { state.addressesByEmployee[$0]?.first }
            return CohortPerson(key: person.key, department: person.department, identity: first)
        }
        hosts = hostPeople.map(cohortPerson)
        guests = guestPeople.map(cohortPerson)
        let hostKeys = Set(hosts.map(\.key))
        let audienceKeys = Set(guests.map(\.key)).union(hostKeys)
        let mine = occurrences.filter { $0.eventID == event.id && $0.active }.sorted {
            $0.snapshot.start < $1.snapshot.start
        }
        let uids = Set(mine.map(\.uid))
        // Who each address the journal sent to is today: one tied to an employee number the roster now lists at
        // another address is that person, who moved mailbox, so their invitations, answers, offers and past meetings
        // stay theirs under the new address. Journals and rosters without employee numbers leave every address as it is.
        var current: [String: String] = [:]
        func person(at address: String) -> String {
            if let known = current[address] { return known }
            let key = state.employee(at: address).flatMap { roster.person(employeeID: $0)?.key } ?? address
            current[address] = key
            return key
        }
        let identities = Dictionary((hosts + guests).map { ($0.key, $0.identity) }, uniquingKeysWith: { a, _ in a })
        func identity(of key: String) -> String { identities[key] ?? key }
        // Per occurrence and person, the entry the planner goes by: the one at their address now, else (they moved)
        // the one at an earlier address with the highest SEQUENCE, which the planner re-sends to the new one.
        var threadsByUID: [String: [String: JournalState.CalendarThread]] = [:]
        for thread in state.threads.values where uids.contains(thread.uid) {
            let address = thread.recipient.lowercased()
            let key = person(at: address)
            if let chosen = threadsByUID[thread.uid]?[key] {
                let chosenAddress = chosen.recipient.lowercased()
                if chosenAddress == key
                    || (address != key
                        && (chosen.sequence, address) > (thread.sequence, chosenAddress))
                {
                    continue
                }
            }
            threadsByUID[thread.uid, default: [:]][key] = thread
        }
        let times = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        let offerLength = Double(hosting.offer.minutes) * 60
        var entries: [Entry] = []
        for occurrence in mine {
            let start = occurrence.snapshot.start
            // In the order they were invited, then by identity, so that a change of address reorders no one.
            let threads = (threadsByUID[occurrence.uid] ?? [:]).map {
                (key: $0.key, thread: $0.value, identity: identity(of: $0.key))
            }
            .sorted { ($0.thread.invitedAt, $0.identity, $0.key) < ($1.thread.invitedAt, $1.identity, $1.key) }
            let closeAt = hosting.offersClose.map { times.nominal($0, before: start) } ?? start
            var slot = CohortSlot(label: occurrence.date.description)
            var heldUntil: [String: Date] = [:]
            var passed: [String: Date] = [:]
            var answers: [String: String] = [:]
            var movedFrom: [String: String] = [:]
            for (key, thread, _) in threads {
                let address = thread.recipient.lowercased()
                if address != key && !thread.cancelled { movedFrom[key] = address }
                let threadKey = JournalState.threadKey(uid: thread.uid, recipient: address)
                let partstat = state.answer(uid: thread.uid, attendee: address)?.partstat.lowercased()
                if let partstat { answers[key] = partstat }
                if hostKeys.contains(key) {
                    if !thread.cancelled && partstat != "declined" && slot.host == nil { slot.host = key }
                    continue
                }
                let offered = state.offers.contains(threadKey)
                let until = thread.invitedAt.addingTimeInterval(offerLength)
                if thread.cancelled {
                    slot.out.append(key)
                    if offered { passed[key] = until }
                } else if partstat == "declined" {
                    slot.out.append(key)
                } else if partstat == nil && address == key && state.invitationBounced(uid: thread.uid, key: key) != nil
                {
                    // A dead mailbox: the place is freed as by a decline. (One who has moved mailbox since keeps it:
                    // their entry is re-sent to the new address.)
                    slot.out.append(key)
                    answers[key] = "bounced"
                } else if offered && partstat != "accepted" && partstat != "tentative" && now >= until
                    && until < closeAt
                {
                    slot.out.append(key)
                    passed[key] = until
                } else if !audienceKeys.contains(key) {
                    // A leaver: their entry is cancelled by the planner; their place is free.
                    slot.out.append(key)
                } else {
                    slot.invited.append(key)
                    if offered && partstat != "accepted" && partstat != "tentative" { heldUntil[key] = until }
                }
            }
            // Refused at sending (a 5xx): no entry was made, but the person had their turn and their place is free.
            for (key, _) in (state.bouncedInvitations[occurrence.uid] ?? [:]).sorted(by: { $0.key < $1.key })
            where person(at: key) == key && !hostKeys.contains(key) && answers[key] == nil
                && !threads.contains(where: { $0.key == key })
            {
                slot.out.append(key)
                answers[key] = "bounced"
            }
            let invitationsOut = !threads.isEmpty
            slot.open = start > now && (!invitationsOut || now < closeAt)
            entries.append(
                Entry(
                    occurrence: occurrence, slot: slot,
                    table: CohortTable(
                        label: slot.label, host: nil, guests: [], kept: [], waitlist: [], pairCost: 0,
                        repeatedPairs: 0, secondTurns: 0, notes: []),
                    invitationsOut: invitationsOut,
                    inviteAt: hosting.invite.map { times.nominal($0, before: start) },
                    offersCloseAt: closeAt, heldUntil: heldUntil, passed: passed, answers: answers, movedFrom: movedFrom
                ))
        }
        let allocator = CohortAllocator(
            eventID: event.id, capacity: hosting.capacity, mix: hosting.mixDepartments, hosts: hosts, guests: guests)
        let tables = allocator.allocate(entries.map(\.slot))
        for index in entries.indices { entries[index].table = tables[index] }
        self.entries = entries
    }
}
