import Foundation

/// What a calendar entry said when it was sent: kept in the journal so updates can say what changed and
/// cancellations can be built after an event is deleted from the file.
public struct EventSnapshot: Sendable, Hashable, Codable {
    /// The event's title as the calendar shows it.
    public var title: String
    /// When it starts.
    public var start: Date
    /// When it ends.
    public var end: Date
    /// Where it takes place, if anywhere.
    public var location: String?
    /// The online meeting's joining link, if any.
    public var joinURL: String?
    /// The description the calendar shows, if any.
    public var description: String?

    /// A snapshot of these fields.
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
