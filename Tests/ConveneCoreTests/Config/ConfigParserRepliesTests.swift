import Foundation
import Testing

@testable import ConveneCore

/// `replies:`: the IMAP folder replies are read from. Every mistake located at its line and column, no secret in the
/// file, and no folder name that could add an IMAP command.
struct ConfigParserRepliesTests {
    /// ConfigFixture.valid with the issue's block (lines 33–40).
    static let replies =
        ConfigFixture.valid + """
            replies:
              url: imaps://imap.example.gov.uk/INBOX
              username: collective.leadership@example.gov.uk
              password_credential: imap-password
              ca_file: /etc/convene/imap-ca.pem
              every: 5m
              processed: convene/processed
              needs_attention: convene/needs-attention

            """

    static func diagnostics(_ text: String) -> [String] {
        ConfigFixture.parse(text).1.map { "\($0.line):\($0.column) \($0.severity.rawValue): \($0.message)" }
    }

    @Test func theIssuesExampleIsTyped() throws {
        let (config, diagnostics) = ConfigFixture.parse(Self.replies)
        #expect(diagnostics == [])
        let replies = try #require(config?.replies)
        #expect(
            replies
                == RepliesConfig(
                    url: "imaps://imap.example.gov.uk/INBOX", tls: .implicit,
                    username: "collective.leadership@example.gov.uk", passwordCredential: "imap-password",
                    caFile: "/etc/convene/imap-ca.pem", every: 300))
        #expect(replies.server == "imaps://imap.example.gov.uk" && replies.mailbox == "INBOX")
        let json = try #require(config?.jsonObject["replies"] as? [String: Any])
        #expect(json["password_credential"] as? String == "imap-password" && json["every"] as? Int == 300)
        #expect(json["tls"] as? String == "implicit" && json["processed"] as? String == "convene/processed")
        #expect(ConfigFixture.parse(ConfigFixture.valid).0?.jsonObject["replies"] == nil)
    }

    @Test func withoutTheBlockThereIsNoReader() {
        #expect(ConfigFixture.parse(ConfigFixture.valid).0?.replies == nil)
    }

    @Test func defaultsAreFiveMinutesAndTheConveneFolders() throws {
        let text =
            ConfigFixture.valid + """
                replies:
                  url: imap://127.0.0.1:1143/Shared%20Replies
                  tls: starttls
                  username: organizer
                  password_file: imap-password

                """
        let (config, diagnostics) = ConfigFixture.parse(text)
        #expect(diagnostics == [])
        let replies = try #require(config?.replies)
        #expect(replies.every == 300 && replies.processed == "convene/processed")
        #expect(replies.needsAttention == "convene/needs-attention" && replies.tls == .starttls)
        #expect(replies.mailbox == "Shared Replies" && replies.passwordFile == "imap-password")
    }

    @Test(arguments: [
        ("  every: 5m", "  every: 90s", 90), ("  every: 5m", "  every: 1h", 3600), ("  every: 5m", "", 300),
        ("  every: 5m", "  every: 1h30m", 5400),
    ])
    func everyReadsSecondsMinutesAndHours(old: String, new: String, seconds: Int) throws {
        let (config, diagnostics) = ConfigFixture.parse(
            Self.replies.replacingOccurrences(of: old + "\n", with: new + "\n"))
        #expect(diagnostics == [])
        #expect(config?.replies?.every == seconds)
    }

    @Test(arguments: [
        (
            "  password_credential: imap-password", "  password: hunter2",
            "36:3 error: a password in the rules file is refused"
        ),
        (
            "  password_credential: imap-password", "  password_credential: imap-password\n  password_file: pw",
            "37:3 error: give either 'password_credential' or 'password_file', not both"
        ),
        (
            "  password_credential: imap-password\n", "",
            "34:3 error: 'replies' needs 'password_credential' or 'password_file'"
        ),
        (
            "  username: collective.leadership@example.gov.uk\n", "",
            "34:3 error: 'replies' is missing required key 'username'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "https://imap.example.gov.uk/INBOX",
            "34:8 error: 'url' must be imaps://HOST[:PORT]/MAILBOX or imap://HOST[:PORT]/MAILBOX; got 'https://imap.example.gov.uk/INBOX'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imaps://user:pw@imap.example.gov.uk/INBOX",
            "34:8 error: 'url' must be imaps://HOST[:PORT]/MAILBOX or imap://HOST[:PORT]/MAILBOX; got 'imaps://user:pw@imap.example.gov.uk/INBOX'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imaps://imap.example.gov.uk/INBOX;UIDVALIDITY=1",
            "34:8 error: 'url' must name only the mailbox, with no ';', '?' or '#' part; got 'imaps://imap.example.gov.uk/INBOX;UIDVALIDITY=1'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imap://imap.example.gov.uk/INBOX\n  tls: none",
            "35:8 error: 'tls: none' is allowed only to a loopback host, not 'imap.example.gov.uk'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imaps://imap.example.gov.uk/INBOX\n  tls: starttls",
            "35:8 error: an imaps:// url means implicit TLS: remove 'tls' or set 'tls: implicit'"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imap://imap.example.gov.uk/INBOX\n  tls: implicit",
            "35:8 error: 'tls: implicit' needs an imaps:// url"
        ),
        (
            "  every: 5m", "  every: soon",
            "38:10 error: bad 'every': 'soon' is not an interval; write e.g. 5m, 90s or 1h"
        ),
        ("  every: 5m", "  every: 2s", "38:10 error: bad 'every': the interval must be from 10s to 24h; got '2s'"),
        ("  every: 5m", "  every: 2d", "38:10 error: bad 'every': '2d' is not an interval; write e.g. 5m, 90s or 1h"),
        ("  every: 5m", "  every: 5m\n  idle: yes", "39:3 error: unknown key 'idle' in 'replies'"),
        (
            "  needs_attention: convene/needs-attention", "  needs_attention: convene/processed",
            "40:3 error: 'needs_attention' must be another folder than 'processed'"
        ),
        (
            "  processed: convene/processed", "  processed: INBOX",
            "39:3 error: 'processed' must be another folder than the one read ('INBOX')"
        ),
        (
            "  processed: convene/processed", "  processed: \"convene/x\\r\\nA1 DELETE INBOX\"",
            "39:14 error: 'processed' contains a carriage return (CR)"
        ),
        (
            "  processed: convene/processed", "  processed: convene/*",
            "39:14 error: 'processed': the mailbox name \"convene/*\" holds '*', an IMAP list wildcard"
        ),
        (
            "imaps://imap.example.gov.uk/INBOX", "imaps://imap.example.gov.uk/IN%0D%0ABOX",
            "34:8 error: 'url' names a mailbox convene cannot use: the mailbox name \"IN\\r\\nBOX\" holds a control character (U+000D); a line break would end the IMAP command"
        ),
    ])
    func mistakesAreReportedWhereTheyAre(old: String, new: String, expected: String) {
        let text = Self.replies.replacingOccurrences(of: old, with: new)
        #expect(text != Self.replies || old == new)
        #expect(Self.diagnostics(text).joined(separator: "\n") == expected)
    }
}
