import ConveneCore
import ConveneTesting
import Foundation
import Glibc
import Testing

/// A crash costs at most one duplicate per connection (with the same Message-ID) and never a message.
@Suite(.ownThread)
struct CrashSafetyTests {
    @Test(arguments: [1, 4])
    func killedAtRandomPointsAndRestartedEveryKeyIsDeliveredWithAtMostOneDuplicatePerKillPerConnection(connections: Int)
        async throws
    {
        let people = 2_000
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url(), connections: connections), roster: DeliveryFixture.roster(of: people),
            programme: DeliveryFixture.singleInvitation)
        let arguments =
            ["run", "--config", fixture.configPath, "--state", fixture.statePath]
            + ["--now", "2027-02-11 09:00", "--until", "2027-02-11 09:00"]
        let log = fixture.directory.appendingPathComponent("runs.err")
        let received = server.outdir.appendingPathComponent("messages.jsonl")

        // Kill after these many messages have arrived (counted across runs), at random points.
        let points = (0..<4).map { _ in Int.random(in: 50..<people - 100) }.sorted()
        var kills = 0
        var counter = LineCounter(file: received)
        for point in points {
            let run = try ConveneBinary.start(arguments, stderrFile: log)
            let deadline = Date().addingTimeInterval(30)
            while counter.count() < point && run.isRunning && Date() < deadline { await pause(seconds: 0.002) }
            if run.isRunning {
                run.signal(SIGKILL)
                kills += 1
            }
            #expect(await run.waitForExit(seconds: 10) != nil)
        }
        let last = try await ConveneBinary.run(arguments)
        #expect(last.status == 0, "\(last)")
        #expect(kills >= 3, "the runs ended before they could be killed at \(points)")

        let mail = try await DeliveredMail.read(server.outdir, headersOnly: true)
        let ids = mail.map(\.messageID)
        let sent = try fixture.journal().filter { $0.type == .sent }
        #expect(Set(sent.map(\.key)).count == people, "not every key is journaled as sent")
        #expect(
            Set(ids) == Set(sent.compactMap(\.msgid)), "a message is missing, or one arrived that was not journaled")
        let duplicates = ids.count - Set(ids).count
        #expect(
            duplicates <= kills * connections,
            "\(duplicates) duplicates after \(kills) kills at \(points) over \(connections) connections")
        #expect(mail.allSatisfy { $0.problems.isEmpty && $0.envelopeRecipients == $0.headerRecipients })
    }

}

/// The lines of a file that another process only appends to, counted as it grows: each `count()` reads only the
/// bytes added since the last (a poll every 2 ms that re-read and re-counted the whole file kept a CPU busy).
struct LineCounter {
    let file: URL
    private var offset: UInt64 = 0
    private var lines = 0

    init(file: URL) { self.file = file }

    /// The newlines in the file so far (0 while it does not exist yet).
    mutating func count() -> Int {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return lines }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() else { return lines }
        offset += UInt64(data.count)
        lines += data.withUnsafeBytes { bytes in
            var newlines = 0
            for byte in bytes where byte == UInt8(ascii: "\n") { newlines += 1 }
            return newlines
        }
        return lines
    }
}
