import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// `RepliesReader.pass`: journal first, then move; a crash between the two never applies a reply twice.
@Suite struct RepliesReaderTests {
    static let uid = "summit-20270310@example.gov.uk"
    static let now = Date(timeIntervalSince1970: 1_803_000_000)

    static func invitation() -> JournalRecord {
        let start = Date(timeIntervalSince1970: 1_804_500_000)
        return JournalRecord(
            type: .sent, at: now.addingTimeInterval(-86_400), key: "summit/20270310/invitation/ann@example.gov.uk",
            kind: .invitation, uid: uid, seq: 0, msgid: "inv@example.gov.uk", to: "ann@example.gov.uk", name: "Ann",
            event: EventSnapshot(
                title: "Summit", start: start, end: start.addingTimeInterval(3600), location: nil, joinURL: nil,
                description: nil))
    }

    static let accept = Array(
        """
        From: ann@example.gov.uk\r
        Message-ID: <ann-accepts@client>\r
        Content-Type: text/calendar; method=REPLY\r
        \r
        BEGIN:VCALENDAR\r
        METHOD:REPLY\r
        BEGIN:VEVENT\r
        UID:\(uid)\r
        SEQUENCE:0\r
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.gov.uk\r
        END:VEVENT\r
        END:VCALENDAR\r

        """.utf8)

    /// A folder in memory whose moves can be made to fail, as a crash between journal and move would leave it.
    final class Folder: MailboxSource, @unchecked Sendable {
        var messages: [IncomingMessage]
        var moved: [(String, String)] = []
        var failMoves = false
        init(_ messages: [IncomingMessage]) { self.messages = messages }
        func pending() throws(MailboxError) -> [IncomingMessage] { messages }
        func move(_ message: IncomingMessage, to folder: String) throws(MailboxError) {
            if failMoves { throw MailboxError(kind: .temporary, message: "connection lost") }
            messages.removeAll { $0.id == message.id }
            moved.append((message.id, folder))
        }
    }

    @Test func aReplyJournaledButNotMovedIsMovedNotAppliedOnTheNextPass() throws {
        let directory = try TestEnvironment.temporaryDirectory("replies-reader")
        let journal = try FileJournal(directory: directory.path)
        try journal.append(Self.invitation())
        let folder = Folder([IncomingMessage(id: "1700000000/7", bytes: Self.accept)])
        folder.failMoves = true
        let reader = RepliesReader(processed: "Convene/Done", needsAttention: "Convene/Read me")
        let first = reader.pass(
            source: folder, journal: journal, records: [Self.invitation()], people: [], now: Self.now)
        guard case .mailbox(let error) = first.failure else {
            Issue.record("the failed move must stop the pass")
            return
        }
        #expect(error.kind == .temporary)
        // The answer is on disk before the move was tried.
        let records = try FileJournal.read(directory: directory.path).records
        #expect(records.filter { $0.type == .reply }.count == 1)
        #expect(
            JournalState(records: records).answer(uid: Self.uid, attendee: "ann@example.gov.uk")?.partstat == "ACCEPTED"
        )

        folder.failMoves = false
        let second = reader.pass(source: folder, journal: journal, records: records, people: [], now: Self.now)
        #expect(second.failure.map { _ in true } == nil)
        #expect(second.handled.count == 1)
        #expect(second.handled.first?.reply == nil)
        #expect(second.handled.first?.records.isEmpty == true)
        #expect(folder.moved.map(\.1) == ["Convene/Done"])
        #expect(try FileJournal.read(directory: directory.path).records.filter { $0.type == .reply }.count == 1)
    }

    @Test func aBounceOfADelegateReceivingInThePrincipalsPlaceIsJournaledAsTheDelegatesFailure() throws {
        var invitation = Self.invitation()
        invitation.cc = ["pa.ann@example.gov.uk"]
        invitation.instead = true
        let bounce = Array(
            [
                "From: MAILER-DAEMON@smtp.example.gov.uk", "Message-ID: <dsn@smtp>", "MIME-Version: 1.0",
                #"Content-Type: multipart/report; report-type=delivery-status; boundary="b""#, "", "--b",
                "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; smtp", "",
                "Final-Recipient: rfc822; pa.ann@example.gov.uk", "Action: failed", "Status: 5.1.1", "", "--b",
                "Content-Type: text/rfc822-headers", "", "Message-ID: <inv@example.gov.uk>", "", "--b--", "",
            ].joined(separator: "\r\n").utf8)
        let directory = try TestEnvironment.temporaryDirectory("replies-reader-instead")
        let journal = try FileJournal(directory: directory.path)
        try journal.append(invitation)
        let reader = RepliesReader(processed: "Convene/Done", needsAttention: "Convene/Read me")
        let pass = reader.pass(
            source: Folder([IncomingMessage(id: "1700000000/8", bytes: bounce)]), journal: journal,
            records: [invitation], people: [], now: Self.now)
        #expect(pass.failure.map { _ in true } == nil)
        let failed = try #require(pass.handled.first?.records.first { $0.type == .failed })
        #expect(failed.to == "ann@example.gov.uk" && failed.cc == ["pa.ann@example.gov.uk"] && failed.instead == true)
        // `status` names the delegate, whose address it was, with the principal they receive for.
        let report = FailureReport(records: [invitation, failed])
        #expect(report.permanentFailures.map(\.address) == ["pa.ann@example.gov.uk"])
        #expect(report.permanentFailures.map(\.principal) == ["ann@example.gov.uk"])
    }

    @Test func maildirFoldersAreMaildirPlusPlusNames() throws {
        #expect(MaildirMailbox.folderName("convene/processed") == ".convene.processed")
        #expect(MaildirMailbox.folderName("Convene/Needs attention") == ".Convene.Needs attention")
        let directory = try TestEnvironment.temporaryDirectory("maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data(Self.accept).write(to: directory.appendingPathComponent("cur/1700000001.x.host:2,S"))
        try Data(Self.accept).write(to: directory.appendingPathComponent("new/1700000000.y.host"))
        let mailbox = MaildirMailbox(directory: directory.path)
        let pending = try mailbox.pending()
        #expect(pending.map(\.id) == ["1700000000.y.host", "1700000001.x.host"])
        try mailbox.move(pending[1], to: "convene/processed")
        #expect(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(".convene.processed/cur/1700000001.x.host:2,S").path))
        #expect(try mailbox.pending().map(\.id) == ["1700000000.y.host"])
    }
}
