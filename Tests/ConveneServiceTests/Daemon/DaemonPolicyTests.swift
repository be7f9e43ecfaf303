import ConveneCore
import ConveneTesting
import Foundation
import Testing

@testable import ConveneService

/// The daemon's decisions as transcripts: events in (a tick, a batch's end, a reload, a signal) with the instant
/// they happen at, the action out. Nothing runs or sleeps; the whole suite takes microseconds.
@Suite(.ownThread)
struct DaemonPolicyTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// Monday 4 January 2027 09:00 UTC.
    static let nine = Date(timeIntervalSince1970: 1_799_053_200)

    /// `seconds` after 09:00.
    static func at(_ seconds: TimeInterval) -> Date { nine.addingTimeInterval(seconds) }

    static let idle = PlanSummary()
    static let invitation = PlanSummary(
        next: .init(notification: "invitation", eventID: "agenda", due: at(3_600), count: 212))

    /// One line of a transcript: an event, at an instant in seconds after 09:00 where it takes one, and the action
    /// the policy must answer with.
    enum Line {
        case tick(TimeInterval, DaemonPolicy.Tick)
        case batch(DaemonPolicy.BatchEnd, TimeInterval, DaemonPolicy.BatchAction)
        case reload(DaemonPolicy.ReloadResult, DaemonPolicy.ReloadAction)
        case signal(SignalPipe.Event, DaemonPolicy.SignalAction)
        case ping(TimeInterval, Bool)
    }

    /// Feeds each line's event to `policy` in order and expects its action.
    static func transcript(
        _ policy: inout DaemonPolicy, _ lines: [Line], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        for (number, line) in lines.enumerated() {
            switch line {
            case .tick(let time, let expected):
                let action = policy.tick(now: at(time))
                #expect(action == expected, "line \(number)", sourceLocation: sourceLocation)
            case .batch(let end, let time, let expected):
                let action = policy.batchEnded(end, now: at(time))
                #expect(action == expected, "line \(number)", sourceLocation: sourceLocation)
            case .reload(let result, let expected):
                let action = policy.reloaded(result)
                #expect(action == expected, "line \(number)", sourceLocation: sourceLocation)
            case .signal(let event, let expected):
                let action = policy.signalled(event)
                #expect(action == expected, "line \(number)", sourceLocation: sourceLocation)
            case .ping(let time, let expected):
                let pinged = policy.watchdogPing(now: at(time))
                #expect(pinged == expected, "line \(number)", sourceLocation: sourceLocation)
            }
        }
    }

    static let tally = DaemonPolicy.Tally(sentToday: 0, failed: 0)

    // MARK: Outages

    /// `$CONVENE_OUTAGE_PAUSE` may only shorten the first outage pause (for tests); the doubling starts from it.
    @Test(
        arguments: [
            (nil, 30), ("3", 3), ("1", 1), ("30", 30), ("0", 30), ("31", 30), ("600", 30), ("-1", 30), ("3s", 30),
            ("", 30),
        ] as [(String?, Int)])
    func theFirstOutagePauseFromTheEnvironmentIsOnlyEverShorter(_ value: String?, _ expected: Int) {
        let first = DaemonPolicy.firstPause(environment: value)
        #expect(first == TimeInterval(expected))
        var policy = DaemonPolicy(watchdogInterval: nil, firstPause: first)
        _ = policy.tick(now: Self.nine)
        guard case .pause(_, let retryIn, _) = policy.batchEnded(.outage("refused"), now: Self.nine) else {
            Issue.record("no pause")
            return
        }
        #expect(retryIn == expected)
        guard case .pause(_, let second, _) = policy.batchEnded(.outage("refused"), now: Self.nine) else {
            Issue.record("no second pause")
            return
        }
        #expect(second == 2 * expected)
    }

    /// Outage number n (no message sent between them) pauses 30 s × 2^(n-1), capped at 15 minutes from the sixth on.
    @Test(arguments: [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 900), (7, 900), (12, 900)])
    func outagesInARowDoubleThePauseUpToItsCap(outages: Int, pause: Int) {
        var policy = DaemonPolicy(watchdogInterval: nil)
        var time: TimeInterval = 0
        for _ in 1..<outages {
            _ = policy.tick(now: Self.at(time))
            guard case .pause(let until, _, _) = policy.batchEnded(.outage("refused"), now: Self.at(time)) else {
                Issue.record("no pause")
                return
            }
            time = until.timeIntervalSince(Self.nine)
        }
        let end = time + Double(pause)
        Self.transcript(
            &policy,
            [
                .tick(time, .sendDue),
                .batch(.outage("refused"), time, .pause(until: Self.at(end), retryIn: pause, reason: "refused")),
                .tick(end - 0.001, .waitOutPause),
                .tick(end, .sendDue),
            ])
    }

    @Test func aPauseWaitsUntilItEndsThenSendsAndAMessageSentEndsTheBackOff() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        Self.transcript(
            &policy,
            [
                .tick(0, .sendDue),
                .batch(.outage("refused"), 0, .pause(until: Self.at(30), retryIn: 30, reason: "refused")),
                .tick(10, .waitOutPause),
                .tick(29.999, .waitOutPause),
                .tick(30, .sendDue),
                // Back, but nothing went out (a batch of skips proves nothing): the next outage still doubles.
                .batch(.finished(sentAny: false), 31, .carryOn),
                .tick(32, .sendDue),
                .batch(.outage("refused"), 32, .pause(until: Self.at(92), retryIn: 60, reason: "refused")),
                .tick(92, .sendDue),
                // A message handed over: the server is back, and the next outage starts again at 30 s.
                .batch(.finished(sentAny: true), 93, .carryOn),
                .batch(.outage("refused"), 100, .pause(until: Self.at(130), retryIn: 30, reason: "refused")),
            ])
    }

    // MARK: Refusals

    @Test func aRefusedPlanHoldsAllSendingAndIsLoggedOnceUntilAReloadIsAccepted() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        let reason = "the roster dropped 40% of invited people"
        Self.transcript(
            &policy,
            [
                .tick(0, .sendDue),
                .batch(.refused(reason), 0, .holdAllSending(reason)),
                .tick(60, .sendDue),
                .batch(.refused(reason), 60, .stillHolding),
            ])
        #expect(policy.wakeTime(PlanSummary(refusal: reason)) == nil)
        // The plan behind the status line is made again without actions; the hold shows whatever the plan says.
        #expect(
            policy.statusLine(Self.invitation, Self.tally, zone: Self.utc, now: Self.nine)
                == "holding: \(reason); sent today 0; failed 0")
        Self.transcript(
            &policy,
            [
                .signal(.reload, .none),
                .tick(90, .reload),
                .reload(.accepted, .replace),
                .tick(90, .sendDue),
                .batch(.refused(reason), 90, .holdAllSending(reason)),
            ])
    }

    @Test func aReloadWithBrokenFilesKeepsTheRunningConfigurationAndSaysWhy() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        var warning = Diagnostic(file: "roster.csv", line: 2, column: 1, message: "no forum")
        warning.severity = .warning
        let diagnostics = [
            warning, Diagnostic(file: "convene.yaml", line: 7, column: 3, message: "unknown key `rate`"),
            Diagnostic(file: "convene.yaml", line: 9, column: 1, message: "bad time"),
        ]
        Self.transcript(&policy, [.reload(.failed(diagnostics), .keepPrevious)])
        #expect(
            policy.statusLine(Self.idle, Self.tally, zone: Self.utc, now: Self.nine)
                == "next: nothing planned; sent today 0; failed 0; reload failed with 2 errors "
                + "(first: convene.yaml:7:3: unknown key `rate`); running on the previous configuration")
        Self.transcript(&policy, [.reload(.failed([diagnostics[2]]), .keepPrevious)])
        let one = "reload failed with 1 error (first: convene.yaml:9:1: bad time)"
        #expect(policy.reloadProblem?.hasPrefix(one) == true)
        Self.transcript(&policy, [.reload(.refused("the roster shrank from 10 to 5 people"), .keepPrevious)])
        #expect(
            policy.statusLine(Self.idle, Self.tally, zone: Self.utc, now: Self.nine)
                == "next: nothing planned; sent today 0; failed 0; reload refused: the roster shrank from 10 to 5 "
                + "people; running on the previous configuration")
        Self.transcript(&policy, [.reload(.accepted, .replace)])
        #expect(
            policy.statusLine(Self.idle, Self.tally, zone: Self.utc, now: Self.nine)
                == "next: nothing planned; sent today 0; failed 0")
    }

    @Test(
        arguments: [
            (100, 90, 0.1, nil),
            (100, 89, 0.1, "the roster shrank from 100 to 89 people, more than max_roster_shrink 10%"),
            (0, 0, 0.1, nil),
            (10, 0, 0.5, "the roster shrank from 10 to 0 people, more than max_roster_shrink 50%"),
            (10, 20, 0.0, nil),
        ] as [(Int, Int, Double, String?)])
    func aRosterThatShrinksMoreThanTheLimitIsRefused(old: Int, new: Int, limit: Double, problem: String?) {
        #expect(DaemonPolicy.shrinkProblem(old: old, new: new, limit: limit) == problem)
    }

    // MARK: Signals

    @Test func aStopIsAnnouncedOnceAndComesBeforeAPendingReload() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        #expect(!policy.hasPendingRequest)
        Self.transcript(
            &policy,
            [
                .signal(.reload, .none),
                .tick(0, .reload),
                .tick(0, .sendDue),
                .signal(.reload, .none),
                .signal(.stop, .announceStop),
                .signal(.stop, .none),
                .tick(0, .stop),
            ])
        #expect(policy.hasPendingRequest)
    }

    // MARK: Waking

    /// (due action, pause start, watchdog interval, wall-clock timer) → (sending wake, poll deadline), in seconds
    /// after 09:00; the watchdog was last pinged at 09:00 and a pause lasts 30 s.
    @Test(
        arguments: [
            (3_600, nil, nil, true, 3_600, nil),  // idle between actions: only the timer wakes it
            (nil, nil, nil, true, nil, nil),  // nothing planned, no watchdog: only a signal
            (3_600, nil, 20, true, 3_600, 20),  // the watchdog comes first
            (10, nil, 20, false, 10, 10),  // no wall-clock timer: poll until the action
            (-5, 0, nil, true, 30, nil),  // a retry overdue during a pause waits for the pause's end
            (60, 0, nil, true, 60, nil),  // an action after the pause keeps its own time
            (nil, 0, 20, false, 30, 20),  // nothing planned but a pause: wake when it ends; the watchdog first
        ] as [(TimeInterval?, TimeInterval?, TimeInterval?, Bool, TimeInterval?, TimeInterval?)])
    func theNextWakeIsTheEarliestOfWhatIsDue(
        due: TimeInterval?, pauseStart: TimeInterval?, watchdog: TimeInterval?, timer: Bool, wake: TimeInterval?,
        deadline: TimeInterval?
    ) {
        var policy = DaemonPolicy(watchdogInterval: watchdog)
        Self.transcript(&policy, [.ping(0, watchdog != nil)])
        if let pauseStart {
            Self.transcript(
                &policy,
                [
                    .batch(
                        .outage("refused"), pauseStart,
                        .pause(until: Self.at(pauseStart + 30), retryIn: 30, reason: "refused"))
                ])
        }
        let plan = PlanSummary(
            next: due.map { .init(notification: "reminder", eventID: "e", due: Self.at($0), count: 1) })
        let sendingWake = policy.wakeTime(plan)
        #expect(sendingWake == wake.map(Self.at))
        #expect(policy.pollDeadline(wake: sendingWake, wallClockTimer: timer) == deadline.map(Self.at))
    }

    @Test func theWatchdogIsPingedAtNinetyPercentOfItsInterval() {
        var policy = DaemonPolicy(watchdogInterval: 10)
        Self.transcript(&policy, [.ping(0, true), .ping(8.9, false), .ping(9, true), .ping(10, false)])
        #expect(policy.pollDeadline(wake: nil, wallClockTimer: true) == Self.at(19))
        var none = DaemonPolicy(watchdogInterval: nil)
        Self.transcript(&none, [.ping(0, false), .ping(3_600, false)])
    }

    // MARK: Status lines

    @Test func statusLineWhenIdle() {
        let policy = DaemonPolicy(watchdogInterval: nil)
        #expect(
            policy.statusLine(Self.idle, Self.tally, zone: Self.utc, now: Self.nine)
                == "next: nothing planned; sent today 0; failed 0")
        let tally = DaemonPolicy.Tally(sentToday: 34, failed: 1, lastError: "452 mailbox full")
        #expect(
            policy.statusLine(Self.invitation, tally, zone: Self.utc, now: Self.nine)
                == "next: invitation agenda 2027-01-04 10:00 (212); sent today 34; failed 1; "
                + "last error: 452 mailbox full")
        #expect(DaemonPolicy.startingLine(people: 3_000) == "planning for 3000 people")
    }

    @Test func statusLineWhileSendingIsReportedEveryFiveSecondsAndOnlyWhenItChanged() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        policy.announced(DaemonPolicy.startingLine(people: 3_000), now: Self.nine)
        #expect(!policy.progressDue(now: Self.at(4.9)))
        #expect(policy.progressDue(now: Self.at(5)))
        let line = DaemonPolicy.progressLine(.init(sentToday: 12, failed: 2))
        #expect(line == "sending due messages; sent today 12; failed 2")
        let first = policy.report(line, now: Self.at(5))
        let again = policy.report(line, now: Self.at(10))
        #expect(first == line && again == nil)
        #expect(!policy.progressDue(now: Self.at(14.9)))
    }

    @Test func statusLineWhilePausedShowsTheEndOfThePauseAndTheReasonUntilAMessageIsSent() {
        var policy = DaemonPolicy(watchdogInterval: nil)
        let reason = "the SMTP server cannot be reached: Connection refused"
        let tally = DaemonPolicy.Tally(sentToday: 5, failed: 1, lastError: "older error")
        Self.transcript(
            &policy, [.batch(.outage(reason), 1_770, .pause(until: Self.at(1_800), retryIn: 30, reason: reason))])
        #expect(
            policy.statusLine(Self.invitation, tally, zone: Self.utc, now: Self.at(1_771))
                == "next: invitation agenda 2027-01-04 10:00 (212); paused until 09:30; sent today 5; failed 1; "
                + "last error: \(reason)")
        Self.transcript(&policy, [.tick(1_800, .sendDue)])
        #expect(
            policy.statusLine(Self.idle, tally, zone: Self.utc, now: Self.at(1_800))
                == "next: nothing planned; sent today 5; failed 1; last error: \(reason)")
        Self.transcript(&policy, [.batch(.finished(sentAny: true), 1_801, .carryOn)])
        #expect(
            policy.statusLine(Self.idle, tally, zone: Self.utc, now: Self.at(1_801))
                == "next: nothing planned; sent today 5; failed 1; last error: older error")
    }

    @Test func statusLineWhenAChangeIsHeldForApproval() {
        let policy = DaemonPolicy(watchdogInterval: nil)
        var plan = Self.invitation
        plan.held = "held: 112 cancellations, 25 updates — run `convene approve` to send them"
        #expect(
            policy.statusLine(plan, Self.tally, zone: Self.utc, now: Self.nine)
                == "next: invitation agenda 2027-01-04 10:00 (212); held: 112 cancellations, 25 updates — run "
                + "`convene approve` to send them; sent today 0; failed 0")
    }

    @Test func statusLineIsOneLineWhateverTheReplySays() {
        let policy = DaemonPolicy(watchdogInterval: nil)
        let tally = DaemonPolicy.Tally(sentToday: 0, failed: 1, lastError: "421 bye\r\nnow")
        #expect(
            policy.statusLine(Self.idle, tally, zone: Self.utc, now: Self.nine)
                == "next: nothing planned; sent today 0; failed 1; last error: 421 bye  now")
        #expect(DaemonPolicy.stoppedLine(.refused("a\nb")) == "stopped: a b")
    }
}
