import ConveneCore
import ConveneService
import Foundation
import Testing

/// `rate: 30/minute` (Exchange Online's limit): a burst up to the count, then one message every two seconds.
struct RateLimiterTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aBurstUpToTheLimitGoesAtOnceThenMessagesAreSpacedEvenly() {
        var limiter = RateLimiter(rate: Rate(count: 30, perSeconds: 60))
        let burst = (0..<30).map { _ in limiter.take(now: Self.start) }
        #expect(burst.allSatisfy { $0 == Self.start })
        // Asked at the same instant, the next ones are slotted 2 s apart.
        let next = (0..<3).map { _ in limiter.take(now: Self.start).timeIntervalSince(Self.start) }
        #expect(next.map { ($0 * 1000).rounded() / 1000 } == [2, 4, 6])
    }

    @Test func oneSenderThatWaitsForEachSlotGoesEveryTwoSeconds() {
        var limiter = RateLimiter(rate: Rate(count: 30, perSeconds: 60))
        for _ in 0..<30 { _ = limiter.take(now: Self.start) }
        var now = Self.start
        var gaps: [Double] = []
        for _ in 0..<5 {
            let slot = limiter.take(now: now)
            gaps.append((slot.timeIntervalSince(now) * 1000).rounded() / 1000)
            now = slot  // the sender sleeps until its slot, sends, and asks again
        }
        #expect(gaps == [2, 2, 2, 2, 2])
        #expect(now.timeIntervalSince(Self.start) == 10)
    }

    @Test func tokensRefillWithTimeButNeverBeyondTheBurst() {
        var limiter = RateLimiter(rate: Rate(count: 30, perSeconds: 60))
        for _ in 0..<30 { _ = limiter.take(now: Self.start) }
        // An hour later the bucket is full again, but holds only 30.
        let later = Self.start.addingTimeInterval(3600)
        let slots = (0..<31).map { _ in limiter.take(now: later) }
        #expect(slots.prefix(30).allSatisfy { $0 == later })
        #expect(slots[30].timeIntervalSince(later) > 1.99)
    }

    @Test func noRateMeansNoWaiting() {
        var limiter = RateLimiter(rate: nil)
        #expect((0..<1000).allSatisfy { _ in limiter.take(now: Self.start) == Self.start })
    }
}
