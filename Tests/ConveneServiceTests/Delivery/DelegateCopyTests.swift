import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// A message to a principal with a delegate in Cc is retried per recipient: the delegate who has it is never sent it
/// again, and a delegate's copy refused for good is a failure in the journal, not only in the log.
@Suite(.ownThread)
struct DelegateCopyTests {
    /// Bob's invitation is due with the others' at 09:00 on 11 February; his private office is copied on it.
    static let due = "2027-02-11 09:00"
    static let bob = "bob@example.test"
    static let office = "office.bob@example.test"

    @Test func whenThePrincipalGets451TheRetryGoesToThePrincipalAloneWithTheSameMessageID() async throws {
        // Bob's address is refused with 451 three times; his office's is accepted at once.
        let server = try await TestSMTPServer(.init(starttls: false, rcptRules: ["\(Self.bob)=451:3"]))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let run = try await fixture.run(from: Self.due, until: "2027-02-11 12:00")
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("sent 4, failed 3"), "\(run)")

        let mail = try await DeliveredMail.read(server.outdir)
        let toBob = mail.filter { $0.headerRecipients == [Self.bob, Self.office] }
        // Two deliveries of the one message: the office's copy with the first attempt, Bob's once the 451 stopped.
        #expect(toBob.map(\.envelopeRecipients) == [[Self.office], [Self.bob]], "\(toBob)")
        #expect(
            mail.filter { $0.envelopeRecipients.contains(Self.office) }.count == 1, "the delegate got it more than once"
        )
        #expect(Set(toBob.map(\.messageID)).count == 1, "the retry carried another Message-ID")
        #expect(mail.allSatisfy { $0.problems.isEmpty })

        let journal = try fixture.journal().filter { $0.to == Self.bob && $0.type != .attempt }
        #expect(journal.map(\.type) == [.failed, .failed, .failed, .sent])
        #expect(Set(journal.compactMap(\.msgid)) == Set(toBob.map(\.messageID)))
        // The first failure says the office has its copy; the retries went to Bob alone, so say nothing of it.
        #expect(journal[0].code == 451 && journal[0].permanent == false)
        #expect(
            journal[0].copies == [
                JournalRecord.Copy(
                    to: Self.office, outcome: .delivered, code: 250, reply: "250 2.0.0 Message accepted for delivery")
            ])
        #expect(journal[1].copies == nil && journal[2].copies == nil && journal[3].copies == nil)
        #expect(journal[3].cc == [Self.office], "the sent record keeps the delegate for later cancellations")
    }

    @Test func aDelegateCopyRefusedPermanentlyIsAFailureInTheJournalAndIsNotRetried() async throws {
        let server = try await TestSMTPServer(.init(starttls: false, rcptRules: ["\(Self.office)=550"]))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let run = try await fixture.run(from: Self.due, until: "2027-02-11 12:00")
        #expect(run.status == 0 && run.stdout.contains("sent 4, failed 0"), "\(run)")
        #expect(
            run.stderr.contains(
                "<3>delegate copy refused permanently key=summit/20270304/invitation/\(Self.bob) cc=\(Self.office) smtp=\"550 5.1.1 Mailbox unavailable\""
            ), "\(run.stderr)")

        let mail = try await DeliveredMail.read(server.outdir)
        #expect(mail.filter { $0.headerRecipients.contains(Self.office) }.map(\.envelopeRecipients) == [[Self.bob]])
        let sent = try #require(try fixture.journal().first { $0.to == Self.bob && $0.type == .sent })
        #expect(
            sent.copies == [
                JournalRecord.Copy(
                    to: Self.office, outcome: .permanent, code: 550, reply: "550 5.1.1 Mailbox unavailable")
            ])
        // Each other record says nothing of copies: nobody else has a delegate, and Bob's office is not retried.
        #expect(try fixture.journal().filter { $0.copies != nil }.count == 1)
    }

    @Test func aDelegateAddedAfterTheInvitationsWentOutGetsThemAloneOnceAndPlanShowsIt() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        #expect(try await fixture.run(from: Self.due, until: Self.due).stdout.contains("sent 4, failed 0"))
        // Ada's assistant is added to the roster the next day.
        let roster = fixture.directory.appendingPathComponent("roster.csv")
        let text = try String(contentsOf: roster, encoding: .utf8)
        try text.replacingOccurrences(
            of: "ada@example.test,Ada Lovelace,DIR,", with: "ada@example.test,Ada Lovelace,DIR,pa.ada@example.test"
        )
        .write(to: roster, atomically: true, encoding: .utf8)

        let plan = try await fixture.convene("plan", ["--now", "2027-02-12 10:00"])
        #expect(plan.status == 0 && plan.stdout.contains("delegate copy"), "\(plan)")
        let run = try await fixture.run(from: "2027-02-12 10:00", until: "2027-02-13 10:00")
        #expect(run.status == 0 && run.stdout.contains("sent 1, failed 0"), "\(run)")

        let mail = try await DeliveredMail.read(server.outdir)
        let toAda = mail.filter { $0.headerRecipients.first == "ada@example.test" }
        #expect(toAda.map(\.envelopeRecipients) == [["ada@example.test"], ["pa.ada@example.test"]], "\(toAda)")
        #expect(toAda.last?.headerRecipients == ["ada@example.test", "pa.ada@example.test"])
        #expect(Set(toAda.map(\.messageID)).count == 2, "each message has its own Message-ID")
        // The same calendar entry: one UID, the same SEQUENCE, a REQUEST both times.
        let calendars = toAda.map(\.calendar)
        #expect(calendars.count == 2 && calendars[0] == calendars[1] && calendars[0]["UID"] != nil, "\(calendars)")
        #expect(calendars.first?["METHOD"] == "REQUEST" && calendars.first?["SEQUENCE"] == "0")
        #expect(mail.allSatisfy { $0.problems.isEmpty })
        // Nothing more: a second run sends nobody anything.
        let again = try await fixture.run(from: "2027-02-13 10:00", until: "2027-02-14 10:00")
        #expect(again.stdout.contains("sent 0, failed 0"), "\(again)")
    }
}
