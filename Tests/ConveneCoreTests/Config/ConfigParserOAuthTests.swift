import Foundation
import Testing

@testable import ConveneCore

/// `smtp.auth` and `smtp.oauth2`: every mistake located at its line and column, warnings for keys a way of logging in
/// ignores, and no secret ever in the file.
struct ConfigParserOAuthTests {
    /// ConfigFixture.valid logging in with XOAUTH2 (lines 7–15 are the smtp section's keys).
    static let xoauth2 = ConfigFixture.valid.replacingOccurrences(
        of: "  tls: none\n",
        with: """
              tls: none
              auth: xoauth2
              username: convene@example.gov.uk
              oauth2:
                token_url: https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token
                client_id: 00000000-0000-0000-0000-000000000000
                client_secret_credential: oauth-client-secret
                scope: https://outlook.office365.com/.default

            """)

    static func diagnostics(_ text: String) -> [String] {
        ConfigFixture.parse(text).1.map { "\($0.line):\($0.column) \($0.severity.rawValue): \($0.message)" }
    }

    @Test func theIssuesExampleIsTypedWithoutDiagnostics() throws {
        let (config, diagnostics) = ConfigFixture.parse(Self.xoauth2)
        #expect(diagnostics == [])
        let smtp = try #require(config?.smtp)
        #expect(smtp.auth == .xoauth2 && smtp.username == "convene@example.gov.uk")
        #expect(
            smtp.oauth2
                == OAuth2Config(
                    tokenURL: "https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token",
                    clientID: "00000000-0000-0000-0000-000000000000", clientSecretCredential: "oauth-client-secret",
                    scope: "https://outlook.office365.com/.default"))
        let json = try #require(config?.jsonObject["smtp"] as? [String: Any])
        #expect(json["auth"] as? String == "xoauth2")
        #expect((json["oauth2"] as? [String: Any])?["client_secret_credential"] as? String == "oauth-client-secret")
    }

    @Test func passwordIsTheDefaultAndTheOldFileReadsAsBefore() throws {
        let (config, diagnostics) = ConfigFixture.parse(ConfigFixture.valid)
        #expect(diagnostics == [])
        #expect(config?.smtp.auth == .password && config?.smtp.oauth2 == nil)
    }

    @Test(arguments: [
        ("  auth: xoauth2", "  auth: basic", "9:9 error: 'auth' must be one of: password, xoauth2, none; got 'basic'"),
        (
            "  username: convene@example.gov.uk\n", "",
            "9:9 error: 'auth: xoauth2' needs 'username': the mailbox convene sends as"
        ),
        (
            "  oauth2:\n    token_url: https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token\n    client_id: 00000000-0000-0000-0000-000000000000\n    client_secret_credential: oauth-client-secret\n    scope: https://outlook.office365.com/.default\n",
            "", "9:9 error: 'auth: xoauth2' needs an 'oauth2' block"
        ),
        (
            "    token_url: https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token\n", "",
            "12:5 error: 'oauth2' is missing required key 'token_url'"
        ),
        (
            "    client_id: 00000000-0000-0000-0000-000000000000\n", "",
            "12:5 error: 'oauth2' is missing required key 'client_id'"
        ),
        (
            "    scope: https://outlook.office365.com/.default\n", "",
            "12:5 error: 'oauth2' is missing required key 'scope'"
        ),
        (
            "    client_secret_credential: oauth-client-secret\n", "",
            "12:5 error: 'oauth2' needs 'client_secret_credential' or 'client_secret_file'"
        ),
        (
            "    client_secret_credential: oauth-client-secret", "    client_secret: hunter2",
            "14:5 error: a client secret in the rules file is refused"
        ),
        (
            "    client_secret_credential: oauth-client-secret",
            "    client_secret_credential: oauth-client-secret\n    client_secret_file: /etc/convene/secret",
            "15:5 error: give either 'client_secret_credential' or 'client_secret_file', not both"
        ),
        (
            "    client_secret_credential: oauth-client-secret", "    client_secret_credential: ../etc/secret",
            "14:31 error: 'client_secret_credential' '../etc/secret' must be letters, digits, '-', '_' or '.'"
        ),
        (
            "https://login.microsoftonline.com/TENANT-ID", "http://login.microsoftonline.com/TENANT-ID",
            "12:16 error: 'token_url' must be https:// (the client secret is sent in it); got 'http://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token'"
        ),
        (
            "https://login.microsoftonline.com/TENANT-ID", "http://127.evil.example/TENANT-ID",
            "12:16 error: 'token_url' must be https:// (the client secret is sent in it); got 'http://127.evil.example/TENANT-ID/oauth2/v2.0/token'"
        ),
        (
            "https://login.microsoftonline.com/TENANT-ID", "ftp://login.microsoftonline.com/TENANT-ID",
            "12:16 error: 'token_url' must be an https:// address; got 'ftp://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token'"
        ),
        (
            "https://login.microsoftonline.com/TENANT-ID", "https://user:pw@login.microsoftonline.com/TENANT-ID",
            "12:16 error: 'token_url' must be an https:// address; got 'https://user:pw@login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token'"
        ),
        (
            "    client_id: 00000000-0000-0000-0000-000000000000", "    client_id: my app",
            "13:16 error: 'client_id' must be one word with no spaces; got 'my app'"
        ),
        (
            "    scope: https://outlook.office365.com/.default", "    scope: ''",
            "15:12 error: 'scope' must be one word with no spaces; got ''"
        ),
        (
            "    scope: https://outlook.office365.com/.default",
            "    scope: https://outlook.office365.com/.default\n    tenant: x",
            "16:5 error: unknown key 'tenant' in 'oauth2'"
        ),
        (
            "    scope: https://outlook.office365.com/.default",
            "    scope: https://outlook.office365.com/.default\n    timeout: 0s",
            "16:14 error: 'timeout' must be seconds, e.g. 30s; got '0s'"
        ),
        (
            "  oauth2:\n    token_url: https://login.microsoftonline.com/TENANT-ID/oauth2/v2.0/token\n    client_id: 00000000-0000-0000-0000-000000000000\n    client_secret_credential: oauth-client-secret\n    scope: https://outlook.office365.com/.default\n",
            "  oauth2: yes\n", "11:11 error: 'oauth2' must be a mapping of 'key: value' lines"
        ),
        // Plain http is allowed to loopback, like `tls: none`; a password source beside a token is only a warning.
        ("https://login.microsoftonline.com/TENANT-ID", "http://127.0.0.1:8080/TENANT-ID", ""),
        (
            "  auth: xoauth2", "  auth: xoauth2\n  password_file: smtp-password",
            "10:3 warning: 'password_file' is not used with 'auth: xoauth2'"
        ),
        (
            "  auth: xoauth2", "  auth: none",
            "10:3 warning: 'username' is not used with 'auth: none': convene does not log in\n11:3 warning: 'oauth2' is used only with 'auth: xoauth2'"
        ),
        (
            "  auth: xoauth2\n", "",
            "10:3 warning: 'oauth2' is used only with 'auth: xoauth2'\n9:3 error: 'username' is set but no password source is"
        ),
        (
            "  auth: xoauth2", "  auth: password\n  password_credential: smtp-password",
            "12:3 warning: 'oauth2' is used only with 'auth: xoauth2'"
        ),
    ])
    func eachMistakeIsReportedAtItsLineAndColumn(old: String, new: String, expected: String) {
        #expect(Self.xoauth2.contains(old))
        let found = Self.diagnostics(Self.xoauth2.replacingOccurrences(of: old, with: new))
        #expect(found.sorted() == (expected.isEmpty ? [] : expected.components(separatedBy: "\n")).sorted())
    }
}
