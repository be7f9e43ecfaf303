import Foundation

/// A hosted series (`capacity:` on an event): small tables, each with a host and up to `capacity` guests chosen from
/// the audience by `CohortAllocator`, with a waitlist that offers freed places.
public struct Hosting: Sendable, Hashable {
    /// Places per occurrence: guests, not counting the host.
    public var capacity: Int
    /// Forum ids or email addresses the host of each occurrence is drawn from; empty: no host.
    public var hosts: [String]
    /// `mix: department`: no two guests from one department at a table, and none from the host's.
    public var mixDepartments: Bool
    /// How long a freed place is offered to the next person (`offer: 48h`) before it passes on.
    public var offer: Duration
    /// When each occurrence's guests are chosen and invited (`invite: 21 days before`); nil: the invitation rule.
    public var invite: SendOffset?
    /// When offers of freed places stop (`offers_close: 2 days before`); nil: until the occurrence starts.
    public var offersClose: SendOffset?
    /// Where `capacity:` is written, for diagnostics about the series.
    public var location: SourceLocation

    /// Defaults match absent keys: no hosts, no mixing, 48 hours per offer, the invitation rule's time, offers
    /// until the start.
    public init(
        capacity: Int, hosts: [String] = [], mixDepartments: Bool = false, offer: Duration = Duration(minutes: 48 * 60),
        invite: SendOffset? = nil, offersClose: SendOffset? = nil, location: SourceLocation = .init(line: 0, column: 0)
    ) {
        self.capacity = capacity
        self.hosts = hosts
        self.mixDepartments = mixDepartments
        self.offer = offer
        self.invite = invite
        self.offersClose = offersClose
        self.location = location
    }

    /// The template of an offer of a freed place.
    public static let offerTemplate = "offer"
    /// The notification id of an offer in the journal key (`event/yyyymmdd/offer/recipient`).
    public static let offerNotification = "offer"
    /// The notification id of the cancellation of an offer that passed on (`event/yyyymmdd/offer-passed/recipient`).
    public static let offerPassedNotification = "offer-passed"
}
