import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// The relay's own limits as the daemon meets them: a quota or throttling pauses everything for the relay's time (not
/// the doubling of an outage), and a blocked mailbox stops sending until an operator reloads.
@Suite(.ownThread)
struct DaemonPolicyRelayLimitTests {
    typealias T = DaemonPolicyTests
    static let quota = "the relay's sending quota is used up: 554 5.2.0 …SubmissionQuotaExceededException"
    static let blocked = "the relay has blocked this mailbox from sending (repeated errors): 550 5.2.251 blocked"

    @Test func aQuotaPausesAnHourThenSendsAgainAndTheNextOutageStartsFromThirtySeconds() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        T.transcript(
            &policy,
            [
                .tick(0, .sendDue),
                .batch(
                    .relayLimit(.quota, Self.quota), 10, .pause(until: T.at(3_610), retryIn: 3_600, reason: Self.quota)),
                .tick(3_000, .waitOutPause),
                .tick(3_610, .sendDue),
                .batch(.outage("no server"), 3_620, .pause(until: T.at(3_650), retryIn: 30, reason: "no server")),
            ])
    }

    @Test func throttlingPausesTenMinutesWhateverCameBefore() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        T.transcript(
            &policy,
            [
                .batch(.outage("no server"), 0, .pause(until: T.at(30), retryIn: 30, reason: "no server")),
                .tick(30, .sendDue),
                .batch(
                    .relayLimit(.throttled, "slow down"), 40,
                    .pause(until: T.at(640), retryIn: 600, reason: "slow down")),
            ])
        #expect(policy.wakeTime(T.invitation) == T.at(3_600), "the next due message is after the pause")
        #expect(policy.wakeTime(T.idle) == T.at(640))
    }

    @Test func aBlockedMailboxStopsSendingUntilAReloadAndSaysSo() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        T.transcript(
            &policy,
            [
                .batch(.relayLimit(.mailboxBlocked, Self.blocked), 0, .stopUntilReload(Self.blocked)),
                .tick(86_400, .waitOutPause),
            ])
        #expect(policy.wakeTime(T.invitation) == nil, "no timer wakes it: only a reload")
        let line = policy.statusLine(T.invitation, T.tally, zone: T.utc, now: T.at(60))
        #expect(line.contains("sending stopped until a reload (the relay blocked the mailbox)"), "\(line)")
        #expect(line.contains("last error: \(Self.blocked)"), "\(line)")
        T.transcript(&policy, [.reload(.failed([]), .keepPrevious), .tick(86_500, .waitOutPause)])
        T.transcript(&policy, [.reload(.accepted, .replace), .tick(86_600, .sendDue)])
    }

    @Test func theDailyCapPausesUntilTheDayHasRoomNotForAnOutagesBackOff() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        let reason = "the daily cap of 10000 recipients in 24 hours (rate: …/day) is reached"
        T.transcript(
            &policy,
            [
                .batch(.waitUntil(T.at(7_200), reason), 0, .pause(until: T.at(7_200), retryIn: 7_200, reason: reason)),
                .tick(7_199, .waitOutPause),
                .tick(7_200, .sendDue),
            ])
        #expect(policy.wakeTime(T.invitation) == T.at(3_600), "a later due time is kept")
    }
}
