import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// The token cache against token_server.py over TLS: one request per token lifetime, a new token before the old one
/// runs out, and the endpoint's refusal or absence as the failures the transport maps to 77 and 75.
@Suite(.ownThread)
struct TokenCacheTests {
    static func settings(_ server: TestTokenServer, secret: String? = nil, url: String? = nil) throws -> OAuthSettings {
        OAuthSettings(
            tokenURL: url ?? server.url, clientID: server.options.clientID,
            clientSecret: secret ?? server.options.clientSecret, scope: server.options.scope,
            caFile: try TestCertificates.get().caFile, connectTimeout: 5, timeout: 5)
    }

    /// A clock the test moves by hand, so what the cache decides does not depend on how busy the machine is.
    final class SteppedClock: @unchecked Sendable {
        // @unchecked: `now` is only read and written under `lock`.
        private let lock = NSLock()
        private var now = Date()
        func read() -> Date { lock.withLock { now } }
        func advance(_ seconds: TimeInterval) { lock.withLock { now += seconds } }
    }

    @Test func aTokenIsReusedUntilItsMarginThenReplacedAheadOfExpiry() async throws {
        let server = try await TestTokenServer(.init(lifetime: 2))
        let clock = SteppedClock()
        let cache = TokenCache(settings: try Self.settings(server), clock: { clock.read() })
        let first = try cache.token()
        #expect(first.lifetime == 2)
        #expect(try cache.token() == first, "a fresh token is used again")
        // A 2 s token has a 0.5 s margin: at 1.4 s it is still used; at 1.6 s it is replaced, though not expired.
        clock.advance(1.4)
        #expect(try cache.token() == first, "inside its margin it is still used")
        #expect(server.tokens() == [first.accessToken])
        clock.advance(0.2)
        let second = try cache.token()
        #expect(second.accessToken != first.accessToken)
        #expect(clock.read() < first.expiresAt, "replaced before it expired")
        #expect(server.tokens() == [first.accessToken, second.accessToken])
        #expect(cache.requests == 2)
        // The form body arrived intact: the secret's '+', '/', '=' and '~' survived the form encoding.
        #expect(server.requests().allSatisfy { $0["secret_ok"] as? Bool == true && $0["status"] as? Int == 200 })
    }

    @Test func aWrongSecretIsRefusedWithTheEndpointsWordsSanitised() async throws {
        let server = try await TestTokenServer()
        let cache = TokenCache(settings: try Self.settings(server, secret: "not-the-secret"))
        #expect {
            try cache.token()
        } throws: { error in
            guard case .refused(let status, let code, let description) = error as? OAuthTokenFailure else {
                return false
            }
            return status == 401 && code == "invalid_client"
                && description.hasPrefix("AADSTS7000215: Invalid client secret provided. Trace ID:")
                && !description.contains("\r") && !description.contains("\n")
        }
        #expect(server.tokens().isEmpty)
    }

    @Test func anEndpointThatIsDownOrAbsentIsUnavailable() async throws {
        let down = try await TestTokenServer(.init(status: 503))
        let closed = "https://127.0.0.1:\(try TestEnvironment.freePort())/token"
        for settings in [try Self.settings(down), try Self.settings(down, url: closed)] {
            #expect {
                try TokenCache(settings: settings).token()
            } throws: { error in
                guard case .unavailable(let why) = error as? OAuthTokenFailure else { return false }
                return why.contains("503") || why.contains("cannot reach the token endpoint")
            }
        }
    }

    @Test func theEndpointsCertificateIsCheckedAgainstTheCAFile() async throws {
        let server = try await TestTokenServer()
        var settings = try Self.settings(server)
        settings.caFile = nil  // the system store does not know the test CA
        #expect {
            try TokenCache(settings: settings).token()
        } throws: { error in
            guard case .unavailable = error as? OAuthTokenFailure else { return false }
            return true
        }
        #expect(server.tokens().isEmpty)
    }
}
