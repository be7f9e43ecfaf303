import Foundation

/// A cap on envelope recipients in any 24 hours (`rate: 30/minute, 10000/day`), kept across restarts.
///
/// Relays count what they accepted in a rolling day (Exchange Online: 10,000 recipients; Google Workspace: 2,000
/// messages a user), and a sender that crosses the line gets refusals that a generic classifier mistakes for bad
/// recipients. So convene counts what the journal says was handed over in the last 24 hours, and holds a message
/// until enough of those have aged out. Pure: the caller passes the records and `now`.
public struct DailyQuota: Sendable, Equatable {
    /// Recipients the relay accepted at one instant.
    public struct Handover: Sendable, Equatable {
        /// When (the time of the journal record, or of a reservation).
        public var at: Date
        /// How many envelope recipients.
        public var recipients: Int

        /// A handover of its parts.
        public init(at: Date, recipients: Int) {
            self.at = at
            self.recipients = recipients
        }
    }

    /// The most recipients in any 24 hours.
    public let limit: Int
    /// Recipients handed over, oldest first, never earlier than 24 hours before the last `take`.
    private var handedOver: [(at: Date, recipients: Int)] = []
    /// The sum of `handedOver`'s recipients.
    private var used = 0

    /// The length of the window: a rolling day.
    public static let window: TimeInterval = 86_400

    /// A quota of `limit` recipients, already holding what `records` say was handed over in the day before `now`.
    public init(limit: Int, records: [JournalRecord], now: Date) {
        self.limit = max(1, limit)
        let since = now.addingTimeInterval(-Self.window)
        for record in records where record.at > since {
            let count = Self.recipientsHandedOver(by: record)
            if count > 0 { handedOver.append((record.at, count)) }
        }
        handedOver.sort { $0.at < $1.at }
        used = handedOver.reduce(0) { $0 + $1.recipients }
    }

    /// A quota of `limit` recipients holding `handovers` (`JournalState.handovers`) of the day before `now`.
    public init(limit: Int, handovers: [Handover], now: Date) {
        self.limit = max(1, limit)
        let since = now.addingTimeInterval(-Self.window)
        handedOver = handovers.filter { $0.at > since }.map { ($0.at, $0.recipients) }.sorted { $0.at < $1.at }
        used = handedOver.reduce(0) { $0 + $1.recipients }
    }

    /// How many envelope recipients the relay accepted in the send `record` closed: all of a `sent` record's
    /// (principal and delegates, less copies refused), only the accepted copies of a `failed` one. A delegate copy
    /// (`delegate+` notification) or a message sent in the principal's place went to its delegates alone.
    public static func recipientsHandedOver(by record: JournalRecord) -> Int {
        let copies = record.copies ?? []
        switch record.type {
        case .sent:
            let envelope = (record.wentToDelegatesAlone ? 0 : 1) + (record.cc?.count ?? 0)
            return max(0, envelope - copies.filter { $0.outcome != .delivered }.count)
        case .failed:
            return copies.filter { $0.outcome == .delivered }.count
        default:
            return 0
        }
    }

    /// Recipients handed over in the 24 hours before `now`.
    public func used(at now: Date) -> Int {
        let since = now.addingTimeInterval(-Self.window)
        return handedOver.reduce(0) { $0 + ($1.at > since ? $1.recipients : 0) }
    }

    /// The earliest instant at or after `now` when a message to `recipients` recipients keeps the last 24 hours
    /// within the limit, and reserves it. A message with more recipients than the whole limit goes when the day
    /// before it is empty (refusing it for ever would lose it).
    public mutating func take(recipients: Int, now: Date) -> Date {
        forget(before: now.addingTimeInterval(-Self.window))
        let slot = earliest(recipients: recipients, now: now)
        handedOver.append((slot, recipients))
        used += recipients
        return slot
    }

    /// As `take`, without reserving: when a message to `recipients` recipients could go.
    public func earliest(recipients: Int, now: Date) -> Date {
        let since = now.addingTimeInterval(-Self.window)
        var slot = now
        var free = limit - used(at: now)
        // Walk the oldest sends forward until enough have aged out; each ages out a window after it was handed over.
        for entry in handedOver where entry.at > since {
            guard free < recipients else { break }
            free += entry.recipients
            slot = max(slot, entry.at.addingTimeInterval(Self.window))
        }
        return slot
    }

    /// Drops what has aged out of the window ending at the reservation being made.
    private mutating func forget(before instant: Date) {
        let aged = handedOver.prefix { $0.at <= instant }
        guard !aged.isEmpty else { return }
        used -= aged.reduce(0) { $0 + $1.recipients }
        handedOver.removeFirst(aged.count)
    }

    /// Two quotas are equal when they hold the same limit and the same sends.
    public static func == (lhs: DailyQuota, rhs: DailyQuota) -> Bool {
        lhs.limit == rhs.limit && lhs.used == rhs.used && lhs.handedOver.map(\.at) == rhs.handedOver.map(\.at)
            && lhs.handedOver.map(\.recipients) == rhs.handedOver.map(\.recipients)
    }
}
