import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// `convene status` names who did not get a message, from a real SMTP server's refusals: a principal refused for
/// good, a delegate's copy refused for good, and a retry that moves from waiting to delivered.
@Suite(.ownThread)
struct FailureStatusTests {
    static let due = "2027-02-11 09:00"
    static let ada = "ada@example.test"
    static let bob = "bob@example.test"
    static let office = "office.bob@example.test"

    /// `status --json` at `now`, parsed.
    static func status(_ fixture: DeliveryFixture, now: String) async throws -> [String: Any] {
        let status = try await fixture.convene("status", ["--json", "--now", now])
        #expect(status.status == 0, "\(status)")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    }

    static func people(_ object: [String: Any], _ list: String) -> [[String: Any]] {
        object[list] as? [[String: Any]] ?? []
    }

    @Test func aPermanentFailureAndARefusedDelegateAreNamedInStatus() async throws {
        let server = try await TestSMTPServer(
            .init(starttls: false, rcptRules: ["\(Self.ada)=550", "\(Self.office)=550"]))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let run = try await fixture.run(from: Self.due, until: "2027-02-11 12:00")
        #expect(run.status == 0, "\(run)")

        let object = try await Self.status(fixture, now: "2027-02-11 12:00")
        let permanent = Self.people(object, "permanent_failures")
        #expect(permanent.map { $0["address"] as? String } == [Self.ada, Self.office], "\(permanent)")
        let ada = try #require(permanent.first)
        #expect(ada["principal"] is NSNull && ada["kind"] as? String == "invitation")
        #expect(ada["event"] as? String == "summit" && ada["date"] as? String == "2027-03-04")
        #expect(
            ada["code"] as? Int == 550 && (ada["reply"] as? String)?.hasPrefix("550") == true, "\(ada)")
        #expect(ada["attempts"] as? Int == 1 && ada["message_id"] as? String != nil)
        let office = try #require(permanent.last)
        #expect(
            office["principal"] as? String == Self.bob && office["code"] as? Int == 550, "\(office)")
        #expect(office["reply"] as? String == "550 5.1.1 Mailbox unavailable")
        #expect(
            Self.people(object, "awaiting_retry").isEmpty
                && Self.people(object, "delivered_after_retry").isEmpty)
        // The keys status had before are still there.
        #expect(
            (object["counts"] as? [String: Int])?["permanent"] == 1 && object["last_failures"] != nil)

        let text = try await fixture.convene("status", ["--now", "2027-02-11 12:00"])
        #expect(text.stdout.contains("permanent failures (2):"), "\(text.stdout)")
        #expect(
            text.stdout.contains(
                "  \(Self.office) (delegate of \(Self.bob)): invitation summit 2027-03-04, 1 failed attempt, last reply: 550 5.1.1 Mailbox unavailable"
            ),
            "\(text.stdout)")
    }

    @Test func aRetryPendingThenDeliveredMovesFromAwaitingToDeliveredAfterRetry() async throws {
        // Bob's address and his office's are refused with 451 once, then accepted.
        let server = try await TestSMTPServer(
            .init(starttls: false, rcptRules: ["\(Self.bob)=451:once", "\(Self.office)=451:once"]))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let first = try await fixture.run(from: Self.due, until: Self.due)
        #expect(first.status == 0 && first.stdout.contains("failed 1"), "\(first)")

        let waiting = try await Self.status(fixture, now: Self.due)
        let awaiting = Self.people(waiting, "awaiting_retry")
        #expect(awaiting.map { $0["address"] as? String } == [Self.bob, Self.office], "\(awaiting)")
        #expect(awaiting.allSatisfy { $0["code"] as? Int == 451 && $0["attempts"] as? Int == 1 })
        #expect(awaiting.last?["principal"] as? String == Self.bob)
        // The next try is the plan's: the back-off from the failure, about a minute later.
        let nextTry = try #require(awaiting.first?["next_try"] as? String, "\(awaiting)")
        #expect(nextTry.hasPrefix("2027-02-11T09:0"), "\(nextTry)")
        #expect(
            Self.people(waiting, "permanent_failures").isEmpty
                && Self.people(waiting, "delivered_after_retry").isEmpty)

        let second = try await fixture.run(from: Self.due, until: "2027-02-11 12:00")
        #expect(second.status == 0, "\(second)")
        let done = try await Self.status(fixture, now: "2027-02-11 12:00")
        #expect(Self.people(done, "awaiting_retry").isEmpty, "\(done)")
        #expect(
            Self.people(done, "delivered_after_retry").map { $0["address"] as? String } == [
                Self.bob, Self.office,
            ])
        #expect(Self.people(done, "permanent_failures").isEmpty)
    }
}
