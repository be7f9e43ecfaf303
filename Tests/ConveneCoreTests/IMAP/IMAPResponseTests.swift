import Testing

@testable import ConveneCore

/// The untagged answers libcurl hands over, as transcripts.
struct IMAPResponseTests {
    static func bytes(_ lines: [String]) -> [UInt8] { Array(lines.map { $0 + "\r\n" }.joined().utf8) }

    @Test func searchUIDsAreAscendingAndUnique() {
        let answer = Self.bytes(["* SEARCH 7 3 12 3", "* 4 EXISTS", "* search 1"])
        #expect(IMAPResponse.searchUIDs(answer) == .success([1, 3, 7, 12]))
    }

    @Test func anEmptySearchIsNoMessages() {
        #expect(IMAPResponse.searchUIDs(Self.bytes(["* SEARCH"])) == .success([]))
        #expect(IMAPResponse.searchUIDs([]) == .success([]))
    }

    @Test(arguments: ["* SEARCH 1 two 3", "* SEARCH 0", "* SEARCH 99999999999", "* SEARCH -1"])
    func aSearchAnswerThatIsNotUIDsIsAnError(line: String) {
        guard case .failure(let error) = IMAPResponse.searchUIDs(Self.bytes([line])) else {
            Issue.record("\(line) was accepted")
            return
        }
        #expect(error.description.contains("not a UID"))
    }

    @Test func uidValidityFromStatusOrSelect() {
        #expect(IMAPResponse.uidValidity(Self.bytes(["* STATUS INBOX (UIDVALIDITY 1796520763)"])) == 1_796_520_763)
        #expect(IMAPResponse.uidValidity(Self.bytes(["* STATUS \"a b\" (MESSAGES 2 UIDVALIDITY 9)"])) == 9)
        #expect(IMAPResponse.uidValidity(Self.bytes(["* OK [UIDVALIDITY 3857529045] UIDs valid"])) == 3_857_529_045)
        #expect(IMAPResponse.uidValidity(Self.bytes(["* STATUS INBOX (MESSAGES 2)"])) == nil)
        #expect(IMAPResponse.uidValidity(Self.bytes(["* STATUS INBOX (UIDVALIDITY 0)"])) == nil)
    }

    @Test func capabilitiesAreUpperCased() {
        let answer = Self.bytes(["* CAPABILITY IMAP4rev1 UIDPLUS move AUTH=PLAIN", "* OK done"])
        #expect(IMAPResponse.capabilities(answer) == ["IMAP4REV1", "UIDPLUS", "MOVE", "AUTH=PLAIN"])
    }

    @Test func aListedMailboxExistsUnlessNonExistent() {
        #expect(IMAPResponse.listsMailbox(Self.bytes(["* LIST (\\HasNoChildren) \"/\" convene/processed"])))
        #expect(!IMAPResponse.listsMailbox(Self.bytes(["* LIST (\\NonExistent) \"/\" convene/processed"])))
        #expect(!IMAPResponse.listsMailbox([]))
    }

    @Test func theHierarchyDelimiterOfListEmpty() {
        #expect(IMAPResponse.hierarchyDelimiter(Self.bytes(["* LIST (\\Noselect) \"/\" \"\""])) == "/")
        #expect(IMAPResponse.hierarchyDelimiter(Self.bytes(["* LIST (\\Noselect) \".\" \"\""])) == ".")
        #expect(IMAPResponse.hierarchyDelimiter(Self.bytes(["* LIST (\\Noselect) \"\\\\\" \"\""])) == "\\")
        #expect(IMAPResponse.hierarchyDelimiter(Self.bytes(["* LIST (\\Noselect) NIL \"\""])) == nil)
        #expect(IMAPResponse.hierarchyDelimiter([]) == nil)
    }

    @Test(arguments: [("1700000000/42", 1_700_000_000, 42), ("1/1", 1, 1)])
    func messageRefsRoundTrip(id: String, validity: UInt32, uid: UInt32) throws {
        let ref = try #require(IMAPMessageRef(id: id))
        #expect(ref == IMAPMessageRef(uidValidity: validity, uid: uid) && ref.description == id)
    }

    @Test(arguments: ["42", "0/1", "1/0", "a/1", "1/2/3", "/1", "1/", "+1/2", "1728.new", "4294967296/1"])
    func otherIdsAreNotMessageRefs(id: String) {
        #expect(IMAPMessageRef(id: id) == nil)
    }
}
