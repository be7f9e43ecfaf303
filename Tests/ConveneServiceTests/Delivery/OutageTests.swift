import ConveneCore
import Foundation
import Testing

/// A mail server that never answers is an outage: sending stops after a few attempts instead of failing every
/// due message one by one, and nothing is lost (the rest stay planned).
struct OutageTests {
    @Test func anUnreachableServerStopsTheRunAfterAFewAttemptsWithExit75() throws {
        let port = try TestEnvironment.freePort()  // bound and released: nothing listens there
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:\(port)"), roster: DeliveryFixture.roster(of: 30),
            programme: DeliveryFixture.singleInvitation)
        let arguments = ["run", "--config", fixture.configPath, "--state", fixture.statePath, "--now", "2027-02-11 09:00", "--once"]
        let result = try ConveneBinary.run(arguments)
        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("<3>the SMTP server cannot be reached; sending stops"), "\(result.stderr)")
        let failed = try fixture.journal().filter { $0.type == .failed }
        #expect(failed.count == 5, "stopped after five unanswered attempts, not one per due message")
        #expect(failed.allSatisfy { $0.permanent == false && $0.code == nil })

        // Every message is still owed: the five failed ones after their back-off, the rest at once.
        let plan = try ConveneBinary.run(["plan", "--json", "--config", fixture.configPath, "--state", fixture.statePath, "--now", "2027-02-11 09:00"])
        let actions = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(actions.filter { $0["kind"] as? String == "invitation" }.count == 30)
    }
}
