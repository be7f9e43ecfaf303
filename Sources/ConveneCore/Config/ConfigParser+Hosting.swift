import Foundation

/// The keys of a hosted series: `capacity`, `hosts`, `mix`, `offer`, `invite`, `offers_close`.
extension ConfigParser {
    /// The event's hosting, or nil when it has none of the keys. Every key but `capacity` needs `capacity`.
    static func readHosting(_ map: MappingReader, id: String, forumIDs: Set<String>, _ reader: SchemaReader)
        -> Hosting?
    {
        let keys = ["capacity", "hosts", "mix", "offer", "invite", "offers_close"]
        guard keys.contains(where: { map.has($0) }) else { return nil }
        let capacityNode = map.value("capacity")
        var capacity: Int?
        if let capacityNode, let text = reader.scalar(capacityNode, "'capacity'") {
            if let n = Int(text), (1...1000).contains(n) {
                capacity = n
            } else {
                reader.error(
                    "'capacity' must be a whole number of places from 1 to 1000; got '\(text)'",
                    at: capacityNode.location, hint: "the guests per occurrence, not counting the host, e.g. 12")
            }
        }
        let hosts = map.value("hosts").map { reader.scalarList($0, "'hosts'") } ?? []
        for (host, at) in hosts where !host.contains("@") && !forumIDs.contains(host) {
            reader.error(
                "'hosts' names unknown forum '\(host)'", at: at,
                hint: "a forum id or an email address; forums are: " + forumIDs.sorted().joined(separator: ", "))
        }
        var mix = false
        if let mixNode = map.value("mix"), let text = reader.scalar(mixNode, "'mix'") {
            if text == "department" {
                mix = true
            } else if text != "none" {
                reader.error("'mix' must be 'department' or 'none'; got '\(text)'", at: mixNode.location)
            }
        }
        let offer = map.value("offer").flatMap { reader.phrase($0, "'offer'", Duration.parse) }
        let invite = map.value("invite").flatMap { reader.phrase($0, "'invite'", SendOffset.parse) }
        let closeNode = map.value("offers_close")
        let close = closeNode.flatMap { reader.phrase($0, "'offers_close'", SendOffset.parse) }
        guard let capacityNode else {
            let first = keys.first { map.has($0) } ?? "capacity"
            reader.error(
                "event '\(id)' has '\(first)' but no 'capacity': a hosted series needs its places per occurrence",
                at: map.keyLocation(first) ?? map.node.location, hint: "add e.g. 'capacity: 12'")
            return nil
        }
        if let invite, let close, let closeNode, minutes(close) >= minutes(invite) {
            reader.error(
                "'offers_close' (\(close)) is not after 'invite' (\(invite)): no freed place could ever be offered",
                at: closeNode.location, hint: "offers close closer to the event than invitations go, e.g. 2 days before"
            )
        }
        guard let capacity else { return nil }
        return Hosting(
            capacity: capacity, hosts: hosts.map(\.0), mixDepartments: mix, offer: offer ?? Duration(minutes: 48 * 60),
            invite: invite, offersClose: close, location: capacityNode.location)
    }

    /// The nominal lead of `offset` in minutes, for comparing two offsets (the `at` time is ignored).
    static func minutes(_ offset: SendOffset) -> Int {
        switch offset.unit {
        case .hours: offset.amount * 60
        case .days: offset.amount * 1440
        case .weeks: offset.amount * 7 * 1440
        }
    }
}
