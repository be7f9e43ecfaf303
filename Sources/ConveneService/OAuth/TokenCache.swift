import ConveneCore
import Foundation

/// The access token shared by every SMTP connection of a process: at most one request to the endpoint at a time,
/// and a token reused by all connections until it nears expiry (`OAuthTokenMachine`).
///
/// `token()` blocks while a request is made (up to `oauth2.timeout`): call it from a lane's own thread, never from
/// the cooperative pool. A connection that asks while another fetches waits for that fetch instead of starting its
/// own: Entra ID throttles a client that asks too often, and the token would be the same.
public final class TokenCache: @unchecked Sendable {
    // @unchecked: every field below is private and reached only under `lock` (an NSLock, which ThreadSanitizer
    // understands; see DispatcherShared), and the libcurl handle inside `client` is used only while holding it.
    private let lock = NSLock()
    private var machine = OAuthTokenMachine()
    private var client: TokenClient?
    private var requestCount = 0
    private let clock: @Sendable () -> Date

    /// The endpoint and client credentials the tokens are requested with.
    public let settings: OAuthSettings

    /// A cache for `settings`' tokens; `clock` is injectable for tests.
    public init(settings: OAuthSettings, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.clock = clock
    }

    /// How many token requests were sent (for `send-test` and tests).
    public var requests: Int { lock.withLock { requestCount } }

    /// A token with more than its refresh margin left: the held one, or a new one from the endpoint.
    public func token() throws(OAuthTokenFailure) -> OAuthToken {
        let result: Result<OAuthToken, OAuthTokenFailure> = lock.withLock { fetchIfNeeded() }
        return try result.get()
    }

    /// Under the lock: the machine's decision, and the request when it asks for one.
    private func fetchIfNeeded() -> Result<OAuthToken, OAuthTokenFailure> {
        let requestedAt = clock()
        if case .use(let token) = machine.tokenNeeded(at: requestedAt) { return .success(token) }
        if client == nil {
            do throws(OAuthTokenFailure) {
                client = try TokenClient(settings: settings)
            } catch {
                return .failure(error)
            }
        }
        requestCount += 1
        switch client!.post(settings.request.body) {
        case .failure(.unavailable(let why)):
            return .failure(machine.requestFailed(why))
        case .failure(let failure):
            _ = machine.requestFailed("")
            return .failure(failure)
        case .success(let answer):
            return machine.answerReceived(
                status: answer.status, body: answer.body, requestedAt: requestedAt, now: clock(),
                withheld: [settings.clientSecret])
        }
    }
}
