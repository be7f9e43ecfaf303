import ConveneCore
import ConveneTesting
import Foundation
import Testing

/// A mail server that cannot be reached is an outage: sending stops at the first attempt instead of failing every due
/// message one by one, and nothing is lost (the rest stay planned, the one tried is not backed off).
@Suite(.ownThread)
struct OutageTests {
    @Test func anUnreachableServerStopsTheRunAtTheFirstAttemptWithExit75() async throws {
        let port = try TestEnvironment.freePort()  // bound and released: nothing listens there
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:\(port)"), roster: DeliveryFixture.roster(of: 30),
            programme: DeliveryFixture.singleInvitation)
        let arguments = [
            "run", "--config", fixture.configPath, "--state", fixture.statePath, "--now", "2027-02-11 09:00", "--once",
        ]
        let result = try await ConveneBinary.run(arguments)
        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("<3>sending stopped: the SMTP server is unavailable"), "\(result.stderr)")
        let failed = try fixture.journal().filter { $0.type == .failed }
        #expect(failed.count == 1, "stopped at the first unanswered attempt, not one per due message")
        #expect(failed.allSatisfy { $0.permanent == false && $0.code == nil && $0.connection == true })

        // Every message is still owed, and due now: a failed connection does not back a message off.
        let plan = try await ConveneBinary.run([
            "plan", "--json", "--config", fixture.configPath, "--state", fixture.statePath, "--now", "2027-02-11 09:00",
        ])
        let actions = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(actions.filter { $0["kind"] as? String == "invitation" }.count == 30)
        #expect(Set(actions.compactMap { $0["due"] as? String }).count == 1, "\(actions.prefix(2))")
    }
}
