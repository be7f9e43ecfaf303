import ConveneCore
import Foundation

extension DaemonPolicy {
    /// What the daemon has sent so far, for the status line (`Dispatcher.Counters`, read at `now`).
    public struct Tally: Sendable, Equatable {
        /// Messages sent on the local day of `now`.
        public var sentToday: Int
        /// Messages that failed, temporarily or for good, since the daemon started.
        public var failed: Int
        /// The last failure's reply or transport error.
        public var lastError: String?

        /// A tally of its parts.
        public init(sentToday: Int, failed: Int, lastError: String? = nil) {
            self.sentToday = sentToday
            self.failed = failed
            self.lastError = lastError
        }
    }

    /// Seconds between progress lines during a long batch: STATUS= a few times a minute at most.
    static let progressInterval: TimeInterval = 5

    /// The status sent with READY=1, before the first plan (planning a national roster takes seconds).
    public static func startingLine(people: Int) -> String {
        "planning for \(people) people"
    }

    /// The status sent with STOPPING=1 when the journal cannot be written, so `systemctl status` shows why.
    public static func stoppedLine(_ error: RunStop) -> String {
        "stopped: \(Log.clean(error.description))"
    }

    /// The status a long batch reports as it sends.
    public static func progressLine(_ tally: Tally) -> String {
        "sending due messages; sent today \(tally.sentToday); failed \(tally.failed)"
    }

    /// True when the last status is old enough for a long batch to report its progress.
    public func progressDue(now: Date) -> Bool {
        now.timeIntervalSince(lastStatus?.at ?? .distantPast) >= Self.progressInterval
    }

    /// Records `text` as the status at `now`; returns it when it must be sent (STATUS= only when it changed).
    public mutating func report(_ text: String, now: Date) -> String? {
        defer { lastStatus = (text, now) }
        return text == lastStatus?.text ? nil : text
    }

    /// Records a status that was sent regardless of the last one (with READY=1).
    public mutating func announced(_ text: String, now: Date) {
        lastStatus = (text, now)
    }

    /// `next: week-before your-agenda 2027-01-07 09:00 (212); sent today 34; failed 0`, plus what is wrong, if
    /// anything: a hold (a refused plan, a held calendar change), a pause, a refused reload, the last error. Always
    /// one line: sd_notify fields are newline-separated.
    public func statusLine(_ plan: PlanSummary, _ tally: Tally, zone: TimeZone, now: Date) -> String {
        var parts: [String] = []
        if let reason = plan.refusal ?? refusal {
            parts.append("holding: \(reason)")
        } else if let next = plan.next {
            let due = LocalDateTime(instant: next.due, in: zone)
            parts.append("next: \(next.notification) \(next.eventID) \(due) (\(next.count))")
        } else {
            parts.append("next: nothing planned")
        }
        if let held = plan.held { parts.append(held) }
        var pauseReason: String?
        switch outage {
        case .none:
            break
        case .paused(_, let until, let reason):
            if until > now { parts.append("paused until \(LocalDateTime(instant: until, in: zone).time)") }
            pauseReason = reason
        case .resumed(_, let reason):
            pauseReason = reason
        case .blocked(let reason):
            parts.append("sending stopped until a reload (the relay blocked the mailbox)")
            pauseReason = reason
        }
        parts.append("sent today \(tally.sentToday)")
        parts.append("failed \(tally.failed)")
        if let reloadProblem { parts.append(reloadProblem) }
        if let error = pauseReason ?? tally.lastError { parts.append("last error: \(error)") }
        return Log.clean(parts.joined(separator: "; "))
    }
}
