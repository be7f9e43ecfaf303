import Foundation

/// Decides when convene asks the token endpoint for a new access token: a pure machine (no I/O, `now` passed in),
/// driven by the token cache of the service.
///
/// Before each message the sender asks `tokenNeeded(at:)`: while the held token has more than its refresh margin
/// left (`OAuthToken.isUsable`) it is used again; otherwise the cache requests a new one and feeds the answer to
/// `answerReceived`. The margin is taken before a message starts, so a token is never replaced half-way through one.
public struct OAuthTokenMachine: Sendable {
    /// What the caller should do next.
    public enum Action: Sendable, Hashable {
        /// Present this token.
        case use(OAuthToken)
        /// Ask the endpoint for a new token (none is held, or the held one is too close to expiry).
        case request
    }

    private enum State: Sendable {
        case empty
        case holding(OAuthToken)
    }

    private var state = State.empty

    /// A machine with no token yet.
    public init() {}

    /// The token held, usable or not (for tests and `send-test`'s report).
    public var token: OAuthToken? {
        if case .holding(let token) = state { return token }
        return nil
    }

    /// Use the held token, or request a new one.
    public mutating func tokenNeeded(at now: Date) -> Action {
        if case .holding(let token) = state, token.isUsable(at: now) { return .use(token) }
        return .request
    }

    /// The endpoint answered HTTP `status` with `body` to a request sent at `requestedAt`; `now` is when the answer
    /// arrived. A new token is held and returned; a failure drops the old one. A token already inside its margin on
    /// arrival (the request took most of its lifetime) is a failure too, or the caller would request for ever.
    public mutating func answerReceived(
        status: Int, body: [UInt8], requestedAt: Date, now: Date, withheld: [String] = []
    ) -> Result<OAuthToken, OAuthTokenFailure> {
        let result = OAuthTokenResponse.parse(status: status, body: body, requestedAt: requestedAt, withheld: withheld)
        switch result {
        case .success(let token) where token.isUsable(at: now):
            state = .holding(token)
            return result
        case .success(let token):
            state = .empty
            return .failure(
                .unavailable(
                    "the token endpoint's token lasts \(Int(token.lifetime)) s, and "
                        + "\(Int(now.timeIntervalSince(requestedAt))) s of it went on the request"))
        case .failure:
            state = .empty
            return result
        }
    }

    /// The request got no HTTP answer at all (no connection, TLS refused, a timeout).
    public mutating func requestFailed(_ reason: String) -> OAuthTokenFailure {
        state = .empty
        return .unavailable(reason)
    }
}
