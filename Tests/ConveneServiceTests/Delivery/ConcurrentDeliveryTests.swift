import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// `smtp.connections: N` sends over N reused connections at once, each message exactly once.
@Suite(.ownThread)
struct ConcurrentDeliveryTests {
    @Test func fourConnectionsCarryEveryMessageOnceOverFourReusedSessions() async throws {
        let people = 400
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url(), connections: 4), roster: DeliveryFixture.roster(of: people),
            programme: DeliveryFixture.singleInvitation)
        let result = try await ConveneBinary.run(
            [
                "run", "--config", fixture.configPath, "--state", fixture.statePath, "--now", "2027-02-11 09:00",
                "--until", "2027-02-11 09:00",
            ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("sent \(people), failed 0"))

        let log = try String(contentsOf: server.outdir.appendingPathComponent("messages.jsonl"), encoding: .utf8)
        let records = log.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count == people, "each message arrives once")
        let sessions = Set(records.compactMap { $0["session"] as? Int })
        #expect(sessions.count == 4, "four reused connections, not one per message: \(sessions)")
        let journal = try fixture.journal()
        #expect(journal.filter { $0.type == .sent }.count == people)
        #expect(journal.filter { $0.type == .attempt }.count == people)
        // The run ended idle: the padding the journal reserved while writing is trimmed, one record a line remains.
        let raw = try String(contentsOfFile: FileJournal.journalPath(fixture.statePath), encoding: .utf8)
        #expect(raw.hasSuffix("}\n") && !raw.contains("\n\n"))
        #expect(raw.split(separator: "\n").count == journal.count)
    }
}
