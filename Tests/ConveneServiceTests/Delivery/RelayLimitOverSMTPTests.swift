import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// A relay's quota and block replies, from a scripted server through the built binary: nothing is lost, nobody is
/// marked permanently failed, `run --once` says why and exits for a retry, `status` names the limit, and the
/// messages go once the relay takes them again.
@Suite(.ownThread)
struct RelayLimitOverSMTPTests {
    static let due = "2027-02-11 09:00"
    static let quota =
        "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a "
        + "permanent exception with message [BeginDiagnosticData]Message submission quota exceeded."

    @Test func exchangesDailyQuotaPausesWithoutFailingAnyoneAndTheMessagesGoWhenItLifts() async throws {
        let refusing = try await TestSMTPServer(.init(starttls: false, dataReply: Self.quota))
        let fixture = try DeliveryFixture(
            smtp: .init(url: refusing.url()), programme: DeliveryFixture.singleInvitation)
        let run = try await fixture.convene("run", ["--once", "--now", Self.due])
        #expect(run.status == 75, "\(run)")
        #expect(run.stderr.contains("the relay's sending quota is used up"), "\(run)")
        #expect(try refusing.messages().isEmpty)
        let journal = try fixture.journal()
        #expect(journal.filter { $0.type == .failed }.count == 1, "one attempt closed, the others never started")
        #expect(journal.allSatisfy { $0.permanent != true && $0.type != .sent })
        #expect(journal.filter { $0.type == .failed }.allSatisfy { $0.connection == true })

        let status = try await fixture.convene("status", ["--json", "--now", "2027-02-11 09:05"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let limit = try #require(object["relay_limit"] as? [String: Any], "\(status.stdout)")
        #expect(limit["kind"] as? String == "quota" && limit["code"] as? Int == 554)
        #expect(limit["pause_seconds"] as? Int == 3600)
        #expect((object["permanent_failures"] as? [Any])?.isEmpty == true)
        let text = try await fixture.convene("status", ["--now", "2027-02-11 09:05"])
        #expect(text.stdout.contains("PAUSED: the relay's sending quota is used up"), "\(text.stdout)")
        #expect(text.stdout.contains("nothing is lost; sending tries again from 2027-02-11 10:00"), "\(text.stdout)")

        // The quota lifts (another relay, the same state): everyone gets their invitation, once.
        let accepting = try await TestSMTPServer(.init(starttls: false))
        try fixture.write(smtp: .init(url: accepting.url()))
        let again = try await fixture.convene("run", ["--once", "--now", "2027-02-11 10:00"])
        #expect(again.status == 0, "\(again)")
        #expect(try accepting.messages().count == 4)
        let after = try await fixture.convene("status", ["--json", "--now", "2027-02-11 10:05"])
        let cleared = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(cleared["relay_limit"] is NSNull, "a message sent since: the limit is over")
    }

    @Test func aBlockedMailboxExits69AndNamesTheBlock() async throws {
        let blocked = "550 5.2.251 Sending is blocked for this mailbox due to continuous error throttling"
        let server = try await TestSMTPServer(.init(starttls: false, dataReply: blocked))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let run = try await fixture.convene("run", ["--once", "--now", Self.due])
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("the relay has blocked this mailbox from sending"), "\(run)")
        #expect(try fixture.journal().allSatisfy { $0.permanent != true })
        let text = try await fixture.convene("status", ["--now", "2027-02-11 09:05"])
        #expect(text.stdout.contains("sending stopped until `systemctl reload convene`"), "\(text.stdout)")
    }

    /// `rate: 30/minute, 3/day`: Ada (1) and Bob with his office (2) fill the day; Cy and Dee wait for the next one,
    /// across runs, and `run --once` says when.
    @Test func aDailyCapHoldsTheRestUntilTheDayHasRoomAcrossRuns() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        try rules.replacingOccurrences(
            of: "  templates: templates\n", with: "  templates: templates\n  rate: 30/minute, 3/day\n"
        )
        .write(toFile: fixture.configPath, atomically: true, encoding: .utf8)

        let first = try await fixture.convene("run", ["--once", "--now", Self.due])
        #expect(first.status == 75, "\(first)")
        #expect(first.stderr.contains("the daily cap of 3 recipients in 24 hours"), "\(first)")
        #expect(first.stderr.contains("the next message can go at 2027-02-12 09:00"), "\(first)")
        #expect(
            try server.messages().map(\.rcptTos) == [
                ["ada@example.test"], ["bob@example.test", "office.bob@example.test"],
            ])

        // Later the same day: still no room, nothing goes (the journal is what counts, not the process).
        let later = try await fixture.convene("run", ["--once", "--now", "2027-02-11 15:00"])
        #expect(later.status == 75 && later.stderr.contains("2027-02-12 09:00"), "\(later)")
        #expect(try server.messages().count == 2)

        let nextDay = try await fixture.convene("run", ["--once", "--now", "2027-02-12 09:01"])
        #expect(nextDay.status == 0, "\(nextDay)")
        #expect(try server.messages().count == 4)
        #expect(try fixture.journal().allSatisfy { $0.type != .failed }, "waiting for the cap is not a failure")
    }
}
