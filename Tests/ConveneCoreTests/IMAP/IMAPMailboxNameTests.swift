import Testing

@testable import ConveneCore

/// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3), quoting, URL paths, and the names refused because
/// they could end the command they are in.
struct IMAPMailboxNameTests {
    @Test(arguments: [
        ("INBOX", "INBOX"), ("convene/processed", "convene/processed"), ("A&B", "A&-B"),
        ("Réponses", "R&AOk-ponses"), ("日本語", "&ZeVnLIqe-"), ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("a😀b", "a&2D3eAA-b"),
    ])
    func modifiedUTF7(name: String, encoded: String) {
        #expect(IMAPMailboxName.modifiedUTF7(name) == encoded)
    }

    @Test func quotingEscapesQuotesAndBackslashes() {
        #expect(IMAPMailboxName.quoted("convene/processed") == "\"convene/processed\"")
        #expect(IMAPMailboxName.quoted("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"")
    }

    @Test func urlPathsPercentEncodeAllButSafeCharacters() {
        #expect(IMAPMailboxName.urlPath("Shared Replies") == "Shared%20Replies")
        #expect(IMAPMailboxName.urlPath("Réponses;UID=1") == "R&AOk-ponses%3BUID%3D1")
        #expect(IMAPMailboxName.urlPath("台北") == "&U%2CBTFw-")
    }

    @Test(arguments: [
        "x\r\nA1 DELETE INBOX", "x\nA1 LOGOUT", "x\rA1 LOGOUT", "a\u{0}b", "tab\there", "del\u{7F}", "c1\u{85}",
        "", "*", "convene/%", "/leading", "trailing/", "double//slash", String(repeating: "x", count: 513),
    ])
    func namesThatCouldInjectOrCannotWorkAreRefused(name: String) {
        #expect(IMAPMailboxName.problem(name) != nil)
    }

    @Test(arguments: ["INBOX", "convene/processed", "Réponses & co", "a \"quoted\" name", "Archive.2027"])
    func ordinaryNamesAreAccepted(name: String) {
        #expect(IMAPMailboxName.problem(name) == nil)
    }
}
