import ConveneCore
import ConveneTesting
import Foundation
import Glibc
import Testing

/// The daemon with `auth: xoauth2` when the token endpoint is down: sending pauses as for an unreachable SMTP server
/// (nothing fails, nothing is lost), and resumes by itself once the endpoint answers again.
@Suite(.ownThread)
struct XOAUTH2DaemonTests {
    /// Four invitations due now on the real clock: an event 21 days from today, invited 21 days before at 00:00.
    static func programmeDueNow() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        let day = calendar.dateComponents([.year, .month, .day], from: Date().addingTimeInterval(21 * 86_400))
        let date = String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
        return DeliveryFixture.programme
            .replacingOccurrences(of: "start: 2027-03-04 10:00", with: "start: \(date) 23:00")
            .replacingOccurrences(of: "    repeat: every 2 weeks for 3 times\n", with: "")
            .replacingOccurrences(of: "send: 21 days before at 09:00", with: "send: 21 days before at 00:00")
            .replacingOccurrences(of: "send: 7 days before at 09:00", with: "send: 7 days before at 23:00")
    }

    @Test func anEndpointOutagePausesTheDaemonWhichSendsOnceItIsBack() async throws {
        let port = try TestEnvironment.freePort()
        let shared = try TestEnvironment.temporaryDirectory("tokens-shared")
        defer { try? FileManager.default.removeItem(at: shared) }
        var down: TestTokenServer? = try await TestTokenServer(.init(status: 503), port: port, outdir: shared)
        let smtp = try await XOAUTH2DeliveryTests.smtpServer(down!)
        let fixture = try XOAUTH2DeliveryTests.fixture(smtp, down!, programme: Self.programmeDueNow())
        let stderr = fixture.directory.appendingPathComponent("daemon.err").path
        // The first outage pause shortened from 30 s to 3 s ($CONVENE_OUTAGE_PAUSE), so the test need not wait it out.
        let daemon = try DaemonProcess(
            fixture.arguments("run"), environment: ["CONVENE_OUTAGE_PAUSE": "3"], stderrPath: stderr)
        defer { daemon.kill9() }

        try #require(await daemon.waitForLog("sending paused", seconds: 30), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("retry_in=3s"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("HTTP 503"), "\(daemon.stderr)")
        #expect(daemon.isRunning, "the daemon keeps running through the outage")
        #expect(try smtp.messages().isEmpty)

        // The endpoint comes back on the same URL; the pause (3 s here, 30 s by default) ends and everything goes.
        down = nil
        let healthy = try await TestTokenServer(.init(), port: port, outdir: shared)
        let deadline = Date().addingTimeInterval(60)
        while (try smtp.messages().count) < 4 && Date() < deadline { await pause(seconds: 0.2) }
        #expect(try smtp.messages().count == 4, "\(daemon.stderr)\n\(healthy.log())")
        #expect(XOAUTH2DeliveryTests.authAttempts(smtp).allSatisfy { $0["ok"] as? Bool == true })
        let journal = try fixture.journal()
        #expect(journal.filter { $0.type == .sent }.count == 4)
        #expect(journal.allSatisfy { $0.type != .failed || $0.connection == true }, "no message failed for it")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 30) == 0, "\(daemon.stderr)")
        XOAUTH2DeliveryTests.expectNoSecrets(
            in: daemon.stderr + XOAUTH2DeliveryTests.everything(fixture, []),
            secret: healthy.options.clientSecret, tokens: healthy.tokens())
    }
}
