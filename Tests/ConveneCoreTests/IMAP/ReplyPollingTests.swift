import Foundation
import Testing

@testable import ConveneCore

/// Polling every interval, doubling pauses after failures (30 s … 15 min), back to the interval after a success.
struct ReplyPollingTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theFirstPassIsDueAtOnceThenEveryInterval() {
        var polling = ReplyPolling(interval: 300, now: Self.start)
        #expect(polling.isDue(now: Self.start))
        let next = polling.passSucceeded(now: Self.start)
        #expect(next == Self.start.addingTimeInterval(300))
        #expect(!polling.isDue(now: Self.start.addingTimeInterval(299)))
        #expect(polling.isDue(now: Self.start.addingTimeInterval(300)))
        #expect(polling.statusLine() == nil)
    }

    @Test func failuresDoubleThePauseUpToFifteenMinutes() {
        var polling = ReplyPolling(interval: 300, now: Self.start)
        var now = Self.start
        var pauses: [Int] = []
        for _ in 0..<8 {
            let (until, retryIn) = polling.passFailed("cannot reach the IMAP server", now: now)
            pauses.append(retryIn)
            now = until
        }
        #expect(pauses == [30, 60, 120, 240, 480, 900, 900, 900])
        #expect(polling.failures == 8)
    }

    @Test func aSuccessEndsTheBackoff() {
        var polling = ReplyPolling(interval: 300, now: Self.start)
        polling.passFailed("x", now: Self.start)
        polling.passFailed("x", now: Self.start)
        polling.passSucceeded(now: Self.start)
        #expect(polling.failures == 0 && polling.lastError == nil)
        #expect(polling.passFailed("y", now: Self.start).retryIn == 30)
    }

    @Test func theStatusLineNamesTheFailuresTheTimeAndTheReason() {
        var polling = ReplyPolling(interval: 300, now: Self.start)
        polling.passFailed("the IMAP server refused the login for organizer", now: Self.start)
        polling.passFailed("the IMAP server refused the login for organizer", now: Self.start)
        // 1_800_000_000 is 2027-01-15 08:00:00 UTC; the second pause is 60 s.
        #expect(
            polling.statusLine()
                == "replies: 2 failed passes, next at 08:01:00 UTC: the IMAP server refused the login for organizer")
    }
}
