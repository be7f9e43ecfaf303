import Foundation
import Testing

@testable import ConveneCore

/// The token machine as a transcript: the endpoint's answers and the clock in, `use` or `request` out.
struct OAuthTokenMachineTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func answer(_ json: String) -> [UInt8] { Array(json.utf8) }

    static func token(_ value: String, expiresIn: Int) -> [UInt8] {
        answer(
            #"{"token_type":"Bearer","expires_in":\#(expiresIn),"ext_expires_in":\#(expiresIn),"access_token":"\#(value)"}"#
        )
    }

    @Test(arguments: [
        // (lifetime, margin): a quarter of the lifetime, at most 5 minutes.
        (3.0, 0.75), (4.0, 1.0), (60.0, 15.0), (1200.0, 300.0), (3599.0, 300.0), (86400.0, 300.0), (0.0, 0.0),
    ])
    func theMarginIsAQuarterOfTheLifetimeCappedAtFiveMinutes(lifetime: Double, margin: Double) {
        #expect(OAuthToken.refreshMargin(lifetime: lifetime) == margin)
    }

    @Test(arguments: [
        // (lifetime, seconds after the request, used again?)
        (3599, 0.0, true), (3599, 3298.0, true), (3599, 3299.5, false), (3599, 3600.0, false),
        (3, 0.1, true), (3, 2.2, true), (3, 2.25, false), (3, 2.9, false), (3, 10.0, false),
        (120, 89.9, true), (120, 90.0, false),
    ])
    func aHeldTokenIsUsedOnlyWhileMoreThanItsMarginIsLeft(lifetime: Int, elapsed: Double, used: Bool) throws {
        var machine = OAuthTokenMachine()
        #expect(machine.tokenNeeded(at: Self.t0) == .request)
        let first = try machine.answerReceived(
            status: 200, body: Self.token("tok-1", expiresIn: lifetime), requestedAt: Self.t0,
            now: Self.t0.addingTimeInterval(0.05)
        ).get()
        let action = machine.tokenNeeded(at: Self.t0.addingTimeInterval(elapsed))
        #expect(action == (used ? .use(first) : .request))
    }

    @Test func aRefreshReplacesTheTokenAndAFailureDropsIt() throws {
        var machine = OAuthTokenMachine()
        _ = machine.answerReceived(
            status: 200, body: Self.token("tok-1", expiresIn: 4), requestedAt: Self.t0, now: Self.t0)
        let later = Self.t0.addingTimeInterval(3.5)
        #expect(machine.tokenNeeded(at: later) == .request)
        let second = try machine.answerReceived(
            status: 200, body: Self.token("tok-2", expiresIn: 4), requestedAt: later, now: later
        ).get()
        #expect(second.accessToken == "tok-2" && second.expiresAt == later.addingTimeInterval(4))
        #expect(machine.tokenNeeded(at: later.addingTimeInterval(1)) == .use(second))
        #expect(machine.requestFailed("connection refused") == .unavailable("connection refused"))
        #expect(machine.token == nil)
        #expect(machine.tokenNeeded(at: later.addingTimeInterval(1)) == .request)
    }

    @Test func aTokenThatArrivesInsideItsMarginIsAFailureNotALoop() {
        var machine = OAuthTokenMachine()
        // A 4 s token whose request took 3.5 s: only 0.5 s left, under the 1 s margin.
        let result = machine.answerReceived(
            status: 200, body: Self.token("late", expiresIn: 4), requestedAt: Self.t0,
            now: Self.t0.addingTimeInterval(3.5))
        guard case .failure(.unavailable(let why)) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(why.contains("lasts 4 s"))
        #expect(machine.token == nil)
    }

    @Test(arguments: [
        // (status, body, expected: "token LIFETIME" | "refused STATUS ERROR: DESCRIPTION" | "unavailable")
        (200, #"{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAi.abc-_~+/="}"#, "token 3599"),
        (200, #"{"access_token":"abc","token_type":"bearer","expires_in":"3599"}"#, "token 3599"),
        (200, #"{"access_token":"abc","scope":["a",{"b":null}],"expires_in":60}"#, "token 60"),
        (200, #"{"access_token":"abc"}"#, "token 300"),
        (200, #"{"access_token":"abc","token_type":"MAC","expires_in":60}"#, "unavailable"),
        (200, #"{"access_token":"","expires_in":60}"#, "unavailable"),
        (200, #"{"access_token":"a b","expires_in":60}"#, "unavailable"),
        (200, #"{"access_token":"abc","expires_in":0}"#, "unavailable"),
        (200, #"{"access_token":"abc","expires_in":1.5}"#, "unavailable"),
        (200, #"{"expires_in":60}"#, "unavailable"),
        (200, "<html>sign in</html>", "unavailable"),
        (200, #"{"access_token":"abc",}"#, "unavailable"),
        (
            401,
            #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2"}"#,
            "refused 401 invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2"
        ),
        (
            400, #"{"error":"invalid_scope","error_description":"AADSTS70011: bad scope \u0007\u001b[31m"}"#,
            "refused 400 invalid_scope: AADSTS70011: bad scope [31m"
        ),
        (400, "Bad Request", "refused 400 : "),
        (403, "{}", "refused 403 : "),
        (503, #"{"error":"temporarily_unavailable"}"#, "unavailable"),
        (429, "", "unavailable"),
        (408, "", "unavailable"),
        (302, "", "unavailable"),
    ])
    func theEndpointsAnswerIsReadWithTheProjectsJSONReader(status: Int, body: String, expected: String) {
        let result = OAuthTokenResponse.parse(status: status, body: Array(body.utf8), requestedAt: Self.t0)
        let outcome: String
        switch result {
        case .success(let token): outcome = "token \(Int(token.lifetime))"
        case .failure(.refused(let status, let error, let description)):
            outcome = "refused \(status) \(error): \(description)"
        case .failure(.unavailable): outcome = "unavailable"
        }
        #expect(outcome == expected)
    }

    @Test func theEndpointsWordsAreBoundedAndNeverCarryTheSecret() {
        let long = String(repeating: "AADSTS ", count: 200)
        let body = #"{"error":"invalid_client","error_description":"secret S3cr+t was wrong; \#(long)"}"#
        let result = OAuthTokenResponse.parse(
            status: 401, body: Array(body.utf8), requestedAt: Self.t0, withheld: ["S3cr+t"])
        guard case .failure(.refused(_, _, let description)) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(description.hasPrefix("secret <withheld> was wrong; AADSTS AADSTS"))
        #expect(description.count == OAuthTokenResponse.descriptionLimit + 1 && description.hasSuffix("…"))
        #expect(!"\(result)".contains("S3cr+t"))
    }

    @Test func aTokenPrintsWithoutItsValue() throws {
        let token = try OAuthTokenResponse.parse(
            status: 200, body: Self.token("very-secret-token", expiresIn: 60), requestedAt: Self.t0
        ).get()
        #expect(!"\(token)".contains("very-secret-token"))
        #expect(!String(reflecting: token).contains("very-secret-token"))
    }
}
