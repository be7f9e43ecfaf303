import ConveneCore
import Foundation

extension Dispatcher {
    /// What the daemon reports in STATUS= and `run` prints at the end.
    public struct Counters: Sendable {
        /// Messages the server accepted.
        public var sent = 0
        /// Messages it refused or that could not be handed over (a permanent or temporary failure each).
        public var failed = 0
        /// Actions journaled as skipped.
        public var skipped = 0
        /// The last failure's reply or transport error.
        public var lastError: String?
        /// Local day and count of messages sent on it, for "sent today".
        var today: (LocalDate, Int)?

        mutating func countSent(at time: Date, zone: TimeZone) {
            sent += 1
            let day = LocalDateTime(instant: time, in: zone).date
            today = (day, today?.0 == day ? today!.1 + 1 : 1)
        }

        /// Takes in what the ledger made of one send (`DeliveryLedger.Count`), finished at `time`.
        mutating func count(_ count: DeliveryLedger.Count, at time: Date, zone: TimeZone) {
            switch count {
            case .sent:
                countSent(at: time, zone: zone)
            case .failed(let reply):
                failed += 1
                lastError = reply
            case .refused(let message):
                // Nothing was handed over: not a failure of the message, but the error STATUS= shows.
                lastError = message
            }
        }

        /// Messages sent on the local day of `now`.
        public func sentToday(now: Date, zone: TimeZone) -> Int {
            guard let today, today.0 == LocalDateTime(instant: now, in: zone).date else { return 0 }
            return today.1
        }
    }
}
