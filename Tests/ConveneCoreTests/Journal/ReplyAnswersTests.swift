import ConveneCore
import Foundation
import Testing

/// How `reply` records fold into `JournalState`, and what a planner skips for them.
@Suite struct ReplyAnswersTests {
    static let uid = "summit-20270310@example.gov.uk"
    static let start = Date(timeIntervalSince1970: 1_804_500_000)

    static func sent(_ kind: MessageKind, seq: Int, start: Date, location: String = "Online", at: TimeInterval)
        -> JournalRecord
    {
        JournalRecord(
            type: .sent, at: Date(timeIntervalSince1970: at),
            key: "summit/20270310/\(kind.rawValue)/ann@example.gov.uk",
            kind: kind, uid: uid, seq: seq, msgid: "m\(seq)@example.gov.uk", to: "ann@example.gov.uk", name: "Ann",
            event: EventSnapshot(
                title: "Summit", start: start, end: start.addingTimeInterval(3600), location: location, joinURL: nil,
                description: nil))
    }

    static func reply(_ partstat: String, outcome: String = "applied", at: TimeInterval) -> JournalRecord {
        JournalRecord(
            type: .reply, at: Date(timeIntervalSince1970: at), key: "summit/20270310/reply/ann@example.gov.uk",
            kind: .invitation, uid: uid, seq: 0, msgid: "r\(at)@client", to: "ann@example.gov.uk",
            reason: partstat.lowercased(), mailbox: "1790000001.\(at).test", outcome: outcome, partstat: partstat,
            note: "see you")
    }

    @Test func theLatestAppliedAnswerCountsAndStaleOnesDoNot() {
        let state = JournalState(records: [
            Self.sent(.invitation, seq: 0, start: Self.start, at: 1),
            Self.reply("ACCEPTED", at: 2),
            Self.reply("DECLINED", outcome: "stale", at: 3),
        ])
        #expect(state.answer(uid: Self.uid, attendee: "ANN@example.gov.uk")?.partstat == "ACCEPTED")
        #expect(state.answer(uid: Self.uid, attendee: "ann@example.gov.uk")?.note == "see you")
        #expect(state.handledMail.contains("1790000001.3.0.test"))
        #expect(state.handledMail.contains("r3.0@client"))
        #expect(state.mailOutcomes["1790000001.3.0.test"] == "stale")
    }

    @Test func anUpdateThatMovesTheTimeAsksAgainAndOneThatDoesNotKeepsTheAnswer() {
        var state = JournalState(records: [
            Self.sent(.invitation, seq: 0, start: Self.start, at: 1), Self.reply("DECLINED", at: 2),
        ])
        state.apply(Self.sent(.update, seq: 1, start: Self.start, location: "Room 4", at: 3))
        #expect(state.answer(uid: Self.uid, attendee: "ann@example.gov.uk")?.partstat == "DECLINED")
        state.apply(Self.sent(.update, seq: 2, start: Self.start.addingTimeInterval(3600), at: 4))
        #expect(state.answer(uid: Self.uid, attendee: "ann@example.gov.uk") == nil)
    }

    /// The entry re-sent to an employee's new address (`address-change`) keeps the answer given at the old one,
    /// unless it moved the time: then they are asked again.
    @Test(arguments: [(0.0, "ACCEPTED"), (3600.0, nil)] as [(TimeInterval, String?)])
    func anEntryReSentToANewAddressKeepsTheAnswerUnlessTheTimeMoved(_ shift: TimeInterval, _ expected: String?) {
        var first = Self.sent(.invitation, seq: 0, start: Self.start, at: 1)
        first.employee = "E1"
        var moved = Self.sent(.invitation, seq: 1, start: Self.start.addingTimeInterval(shift), at: 3)
        (moved.key, moved.to, moved.employee) = (
            "summit/20270310/address-change/ann.new@example.gov.uk", "ann.new@example.gov.uk", "E1"
        )
        let state = JournalState(records: [first, Self.reply("ACCEPTED", at: 2), moved])
        #expect(state.answer(uid: Self.uid, attendee: "ann.new@example.gov.uk")?.partstat == expected)
        #expect(state.answer(uid: Self.uid, attendee: "ann@example.gov.uk")?.partstat == "ACCEPTED")
    }

    @Test func aReplyRecordSurvivesTheJournalCodec() throws {
        let record = Self.reply("TENTATIVE", at: 5)
        let line = JournalCodec.encode(record)
        #expect(line.contains("\"type\":\"reply\""))
        #expect(line.contains("\"partstat\":\"TENTATIVE\""))
        let decoded = try JournalCodec.decode(Array(line.utf8)).get()
        #expect(decoded == record)
        let foundation = try JSONDecoder.journal.decode(JournalRecord.self, from: Data(line.utf8))
        #expect(foundation == record)
    }

    @Test(
        arguments: [
            (ReplyAudience.everyone, nil, nil), (.everyone, "ACCEPTED", nil), (.everyone, "TENTATIVE", nil),
            (.everyone, "DECLINED", "declined"), (.noReply, nil, nil), (.noReply, "TENTATIVE", "answered: tentative"),
            (.noReply, "DECLINED", "declined"), (.accepted, "ACCEPTED", nil),
            (.accepted, nil, "not accepted: no reply"),
            (.accepted, "TENTATIVE", "not accepted: tentative"),
        ] as [(ReplyAudience, String?, String?)])
    func remindersFollowTheAnswer(_ audience: ReplyAudience, _ partstat: String?, _ skip: String?) {
        #expect(ReplySkip.reason(to: audience, partstat: partstat) == skip)
    }
}

extension JSONDecoder {
    /// Foundation's reading of a journal line, as the codec's differential tests use it.
    fileprivate static var journal: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
