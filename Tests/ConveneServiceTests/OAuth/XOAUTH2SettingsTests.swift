import ConveneCore
import ConveneService
import ConveneTesting
import Testing

/// `auth: xoauth2` settings: what they need before any traffic, and that nothing secret prints.
@Suite(.ownThread)
struct XOAUTH2SettingsTests {
    static let oauth2 = OAuthSettings(
        tokenURL: "https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token",
        clientID: "00000000-0000-0000-0000-000000000000", clientSecret: "client~secret.value",
        scope: "https://outlook.office365.com/.default")

    @Test func xoauth2NeedsTheMailboxButNoPassword() throws {
        let settings = SMTPSettings(
            url: "smtp://smtp.office365.com:587", username: "convene@example.gov.uk", helo: "convene.test",
            auth: .xoauth2, oauth2: Self.oauth2)
        _ = try SMTPConnection(settings: settings)
        var anonymous = settings
        anonymous.username = nil
        #expect {
            _ = try SMTPConnection(settings: anonymous)
        } throws: { error in
            guard case .invalidSettings(let why) = error as? SMTPError else { return false }
            return why.contains("auth: xoauth2 needs smtp.username")
        }
    }

    @Test func aTransportWithXOAUTH2GetsATokenCacheAndOneWithAPasswordDoesNot() throws {
        let xoauth2 = SMTPSettings(
            url: "smtp://smtp.office365.com:587", username: "convene@example.gov.uk", helo: "convene.test",
            auth: .xoauth2, oauth2: Self.oauth2)
        let shared = TokenCache(settings: Self.oauth2)
        #expect(try SMTPTransport(settings: xoauth2, tokens: shared).tokens === shared)
        #expect(try SMTPTransport(settings: xoauth2).tokens != nil)
        let password = SMTPSettings(
            url: "smtp://smtp.office365.com:587", username: "u", password: "p", helo: "convene.test")
        #expect(try SMTPTransport(settings: password).tokens == nil)
    }

    @Test func neitherTheSecretNorTheTokenEverPrints() {
        let settings = SMTPSettings(
            url: "smtp://smtp.office365.com:587", username: "convene@example.gov.uk", helo: "convene.test",
            auth: .xoauth2, oauth2: Self.oauth2, bearerToken: "eyJ0eXAiOiJKV1Qi.bearer-value")
        for text in ["\(settings)", String(reflecting: settings), "\(Self.oauth2)", String(reflecting: Self.oauth2)] {
            #expect(!text.contains("client~secret.value"))
            #expect(!text.contains("bearer-value"))
        }
        #expect("\(settings)".contains("auth xoauth2 token <withheld>"))
    }

    @Test func refusedAndUnavailableTokensStopSendingAs77And75() {
        let refused = SMTPTransport.failure(
            .refused(status: 401, error: "invalid_client", description: "AADSTS7000215"))
        #expect(refused.kind == .authenticationRefused && refused.message.contains("AADSTS7000215"))
        let down = SMTPTransport.failure(.unavailable("the token endpoint answered HTTP 503"))
        #expect(down.kind == .temporary && down.code == nil)
    }
}
