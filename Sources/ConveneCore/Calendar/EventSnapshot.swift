import Foundation

/// What a calendar entry said when it was sent: kept in the journal so updates can say what changed and
/// cancellations can be built after an event is deleted from the file.
public struct EventSnapshot: Sendable, Hashable, Codable {
    public var title: String
    public var start: Date
    public var end: Date
    public var location: String?
    public var joinURL: String?
    public var description: String?

    public init(title: String, start: Date, end: Date, location: String?, joinURL: String?, description: String?) {
        self.title = title
        self.start = start
        self.end = end
        self.location = location
        self.joinURL = joinURL
        self.description = description
    }

    /// True when the change is one an invitee's calendar must see: anything the calendar shows (title, time,
    /// location, joining link, description).
    public func differsSignificantly(from other: EventSnapshot) -> Bool {
        title != other.title || start != other.start || end != other.end || location != other.location
            || joinURL != other.joinURL || description != other.description
    }
}
