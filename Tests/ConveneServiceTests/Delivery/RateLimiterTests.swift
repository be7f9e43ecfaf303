import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// `rate: N/minute` (Exchange Online allows 30 a minute per mailbox): never more than N messages start in any
/// minute, the first one included; up to N go at once, and nobody waits longer than the rule requires.
@Suite(.ownThread)
struct RateLimiterTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Requests at the given offsets (seconds from `start`, in order), and the slots each must get.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var rate: Rate
        var asks: [Double]
        var slots: [Double]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "3/minute, seven at once: three now, three a minute later, then one",
            rate: Rate(count: 3, perSeconds: 60),
            asks: [0, 0, 0, 0, 0, 0, 0], slots: [0, 0, 0, 60, 60, 60, 120]),
        Case(
            name: "3/minute, spread out: each waits only for the send a whole minute before it",
            rate: Rate(count: 3, perSeconds: 60), asks: [0, 10, 20, 30, 70, 75], slots: [0, 10, 20, 60, 70, 80]),
        Case(
            name: "3/minute, slower than the rate: nobody waits", rate: Rate(count: 3, perSeconds: 60),
            asks: [0, 30, 60, 90, 120], slots: [0, 30, 60, 90, 120]),
        Case(
            name: "1/second: one a second", rate: Rate(count: 1, perSeconds: 1), asks: [0, 0, 0, 0.5],
            slots: [0, 1, 2, 3]),
        Case(
            name: "2/hour: a third waits an hour", rate: Rate(count: 2, perSeconds: 3600), asks: [0, 100, 200],
            slots: [0, 100, 3600]),
        Case(
            name: "a clock read a moment earlier by another lane never gets an earlier slot",
            rate: Rate(count: 2, perSeconds: 60), asks: [5, 4, 4], slots: [5, 5, 65]),
    ]

    @Test(arguments: cases)
    func slotsAreTheEarliestTheRateAllows(_ test: Case) {
        var limiter = RateLimiter(rate: test.rate)
        let slots = test.asks.map { limiter.take(now: Self.start.addingTimeInterval($0)).timeIntervalSince(Self.start) }
        #expect(slots == test.slots)
    }

    /// The most slots in any interval `length` long (half-open: a slot exactly `length` after another is in the next).
    static func busiest(_ slots: [Double], length: Double) -> Int {
        slots.map { from in slots.filter { $0 >= from && $0 < from + length }.count }.max() ?? 0
    }

    /// When a hundred messages become ready, seconds from the start.
    static let patterns: [String: [Double]] = [
        "all at once": Array(repeating: 0, count: 100),
        "one every half second": (0..<100).map { Double($0) * 0.5 },
        "bursts of ten every 20 s": (0..<100).map { Double($0 / 10) * 20 },
    ]

    @Test(arguments: patterns.keys.sorted())
    func thirtyAMinuteNeverLetsMoreThanThirtyStartInAnyMinuteTheFirstIncluded(_ pattern: String) throws {
        let asks = try #require(Self.patterns[pattern])
        var limiter = RateLimiter(rate: Rate(count: 30, perSeconds: 60))
        var slots: [Double] = []
        for ask in asks {
            // A sender asks when its message is ready, and never before its previous slot (it waits for it).
            slots.append(
                limiter.take(now: Self.start.addingTimeInterval(max(ask, slots.last ?? 0))).timeIntervalSince(
                    Self.start))
        }
        #expect(Self.busiest(slots, length: 60) == 30, "\(pattern): \(slots)")
        #expect(slots.filter { $0 < 60 }.count == 30, "the first minute is a minute like any other")
    }

    @Test func aNewRateKeepsWhatWasSentRecently() {
        var limiter = RateLimiter(rate: Rate(count: 3, perSeconds: 60))
        let burst = (0..<3).map { _ in limiter.take(now: Self.start) }
        #expect(burst.allSatisfy { $0 == Self.start })
        // A reload to 4/minute a second later: one more fits in this minute, not a fresh burst of four.
        limiter.change(to: Rate(count: 4, perSeconds: 60))
        let later = Self.start.addingTimeInterval(1)
        #expect(limiter.take(now: later) == later)
        #expect(limiter.take(now: later) == Self.start.addingTimeInterval(60))
        // And a lower rate applies to what was already sent.
        limiter.change(to: Rate(count: 1, perSeconds: 60))
        #expect(limiter.take(now: later) == Self.start.addingTimeInterval(120))
    }

    @Test func noRateMeansNoWaiting() {
        var limiter = RateLimiter(rate: nil)
        #expect((0..<1000).allSatisfy { _ in limiter.take(now: Self.start) == Self.start })
    }
}

/// The rate through the built binary, in real time, over two connections to a real server: the lanes share it.
@Suite(.ownThread)
struct RateLimitOverSMTPTests {
    @Test func threeASecondOverTwoConnectionsNeverStartsFourWithinASecond() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url(), connections: 2), roster: DeliveryFixture.roster(of: 9),
            programme: DeliveryFixture.singleInvitation)
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  templates: templates\n", with: "  templates: templates\n  rate: 3/second\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)

        // --once on the real clock's pace from the simulated start: the nine invitations due at 09:00.
        let result = try await fixture.convene("run", ["--once", "--now", "2027-02-11 09:00"], seconds: 60)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("sent 9, failed 0"), "\(result)")

        // When each message reached the server: smtp_server.py writes each one's file as its DATA ends.
        let arrivals = try server.messages().map { message -> Double in
            let path = server.outdir.appendingPathComponent(message.file).path
            let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            return try #require(modified).timeIntervalSince1970
        }.sorted()
        #expect(arrivals.count == 9)
        // Three a second: any four span a second when sent. They are timed as they reach the server, whose Python
        // process a loaded machine can hold back for a few hundred milliseconds and then run several arrivals
        // close together, so the window is 0.6 s: a limiter each lane kept for itself (six a second over two
        // connections) still puts four within a third of a second.
        let busiest = RateLimiterTests.busiest(arrivals, length: 0.6)
        #expect(busiest <= 3, "\(busiest) messages within 0.6 s: \(arrivals.map { $0 - arrivals[0] })")
        #expect(arrivals[8] - arrivals[0] >= 1.9, "nine at 3/second take two seconds at least")
    }
}
