import Foundation

/// An OAuth 2.0 access token and the time it stops being valid. Its text is never printed: `description` shows the
/// lifetime only.
public struct OAuthToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Margins are at most this long: 5 minutes, what Microsoft's own client libraries keep in hand before a one-hour
    /// token expires; ten times the default `smtp.connect_timeout` (30 s), the longest a connection can take between
    /// asking for the token and presenting it in AUTH.
    public static let maximumRefreshMargin: TimeInterval = 300
    /// A token lives at most until `expiresAt - margin` in convene's hands, the margin being this fraction of its
    /// lifetime when that is shorter than `maximumRefreshMargin`: a one-hour token is used for 55 minutes, a 4-second
    /// test token for 3 seconds (a fixed 5-minute margin would make any token under 5 minutes unusable).
    public static let refreshFraction: Double = 0.25

    /// The bearer token itself, as the endpoint issued it.
    public var accessToken: String
    /// When the token request was sent: the endpoint's clock started `expires_in` no earlier than that, so counting
    /// from the send errs on the early side by the request's round trip.
    public var issuedAt: Date
    /// `expires_in`: seconds the token is valid from issue.
    public var lifetime: TimeInterval

    /// A token issued at `issuedAt`, valid for `lifetime` seconds.
    public init(accessToken: String, issuedAt: Date, lifetime: TimeInterval) {
        self.accessToken = accessToken
        self.issuedAt = issuedAt
        self.lifetime = lifetime
    }

    /// When the endpoint stops accepting it.
    public var expiresAt: Date { issuedAt.addingTimeInterval(lifetime) }

    /// How long before `expiresAt` the token is replaced: min(5 minutes, a quarter of its lifetime).
    public var refreshMargin: TimeInterval { Self.refreshMargin(lifetime: lifetime) }

    /// min(`maximumRefreshMargin`, `refreshFraction` × lifetime).
    public static func refreshMargin(lifetime: TimeInterval) -> TimeInterval {
        min(maximumRefreshMargin, max(0, lifetime) * refreshFraction)
    }

    /// True while more than the refresh margin is left: a message started now (on a new connection, AUTH first)
    /// presents it well before it expires, and never needs a new one half-way.
    public func isUsable(at now: Date) -> Bool {
        expiresAt.timeIntervalSince(now) > refreshMargin
    }

    /// A description with the token's value withheld.
    public var description: String { "OAuth token (\(Int(lifetime)) s lifetime, value withheld)" }
    /// The same as `description`: the value is withheld in debug output too.
    public var debugDescription: String { description }
}
