import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// `convene run --once` (cron) with `--now`: one pass on one clock. A failure's back-off is measured on the clock
/// `--now` sets, the send window follows it, and the exit status says whether anything is left to do.
@Suite(.ownThread)
struct RunOnceTests {
    /// The invitations for 4 March are due at 09:00 on Thursday 11 February.
    static let due = "2027-02-11 09:00"

    @Test func aRecipientWhoAlwaysGetsA4xxIsTriedOnceAndThePassExits75() async throws {
        let server = try await TestSMTPServer(.init(starttls: false, rcptRules: ["dee@example.test=451"]))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)

        let first = try await fixture.convene("run", ["--once", "--now", Self.due], seconds: 30)
        #expect(first.status == 75, "one pass, then exit 75 while Dee's invitation awaits its retry: \(first)")
        #expect(first.stdout.contains("sent 3, failed 1"), "\(first)")
        #expect(
            first.stderr.contains(
                "1 message awaits a retry after a temporary failure; the first can go at 2027-02-11 09:0"), "\(first)")
        #expect(
            first.stderr.contains("<4>failed; will retry key=summit/20270304/invitation/dee@example.test"), "\(first)")
        var dee = try fixture.journal().filter { $0.to == "dee@example.test" }
        #expect(dee.map(\.type) == [.attempt, .failed], "one attempt in the pass, not one per re-plan")
        // The failure is stamped on the --now clock, so its retry falls due a back-off after 09:00, not at once.
        let zone = TimeZone(identifier: "Europe/London")!
        let nine = try #require(LocalDateTime(parsing: Self.due)).instant(in: zone)
        let failedAt = try #require(dee.last?.at)
        #expect(failedAt >= nine && failedAt < nine.addingTimeInterval(600), "\(failedAt)")
        #expect(try server.messages().count == 3)

        // The same moment again: nothing is due, nothing is sent, and the retry is still owed.
        let again = try await fixture.convene("run", ["--once", "--now", Self.due], seconds: 30)
        #expect(again.status == 75, "\(again)")
        #expect(again.stdout.contains("sent 0, failed 0"), "\(again)")
        #expect(try fixture.journal().filter { $0.to == "dee@example.test" }.count == 2)

        // After the back-off (about a minute) the retry goes, once, and is still refused.
        let later = try await fixture.convene("run", ["--once", "--now", "2027-02-11 09:05"], seconds: 30)
        #expect(later.status == 75, "\(later)")
        #expect(later.stdout.contains("sent 0, failed 1"), "\(later)")
        dee = try fixture.journal().filter { $0.to == "dee@example.test" }
        #expect(dee.map(\.type) == [.attempt, .failed, .attempt, .failed])

        // status agrees: one message awaiting retry, with the server's reply.
        let status = try await fixture.convene("status", ["--now", "2027-02-11 09:05"])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("awaiting retry: 1"), "\(status)")
        #expect(status.stdout.contains("temporary summit/20270304/invitation/dee@example.test: 451"), "\(status)")
    }

    @Test func outsideTheSendWindowThePassSaysWhenItOpensAndSendsNothingAndTheWindowFollowsNow() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()), programme: DeliveryFixture.singleInvitation)
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(
                of: "  templates: templates\n", with: "  templates: templates\n  send_window: 08:00-18:00 Mon-Fri\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)

        // Saturday morning, the invitations overdue since Thursday: the window is what keeps them.
        let weekend = try await fixture.convene("run", ["--once", "--now", "2027-02-13 10:00"], seconds: 30)
        #expect(weekend.status == 0, "\(weekend)")
        #expect(
            weekend.stdout.contains(
                "outside the send window (08:00-18:00 Mon-Fri); it next opens Monday 15 February 2027 08:00"),
            "\(weekend)")
        #expect(weekend.stdout.contains("sent 0, failed 0, skipped 0"), "\(weekend)")
        #expect(try server.messages().isEmpty)
        #expect(try fixture.journal().isEmpty, "not even an attempt")

        // Monday 08:00 by --now (whatever the real clock says): open, and they go.
        let monday = try await fixture.convene("run", ["--once", "--now", "2027-02-15 08:00"], seconds: 30)
        #expect(monday.status == 0, "\(monday)")
        #expect(!monday.stdout.contains("outside the send window"), "\(monday)")
        #expect(monday.stdout.contains("sent 4, failed 0"), "\(monday)")
        #expect(try server.messages().count == 4)
    }
}
