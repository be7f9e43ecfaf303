/// Counts for `convene status`, from the journal's records.
public struct JournalSummary: Sendable {
    /// `kind.sent`, `kind.failed`, `kind.skipped` (failures counted once per message), and `permanent`.
    public var counts: [String: Int] = [:]
    /// Attempts with no outcome (a crash mid-send), oldest first: resent with the same Message-ID.
    public var inFlight: [JournalRecord]
    /// The most recent failures, newest last (at most 10).
    public var lastFailures: [JournalRecord]
    /// The relay's own limit (a quota, throttling, a blocked mailbox) that stopped sending last, if nothing has been
    /// sent since: the refusal that closed an attempt (`connection: true`) and what it says.
    public var relayLimit: (limit: RelayLimit, record: JournalRecord)?

    /// Counts `records` as kept; `state` supplies the permanent failures and in-flight attempts.
    public init(records: [JournalRecord], state: JournalState) {
        var failedMessages: Set<String> = []
        var failures: [JournalRecord] = []
        for record in records {
            switch record.type {
            case .sent:
                counts["\(record.kind.rawValue).sent", default: 0] += 1
                relayLimit = nil
            case .skipped: counts["\(record.kind.rawValue).skipped", default: 0] += 1
            case .failed:
                failures.append(record)
                // A connection's failure (a 421 greeting, no server) is listed, but is not this message failing.
                if record.connection == true {
                    if let code = record.code, let limit = RelayLimit.recognise(code: code, text: record.reply ?? "") {
                        relayLimit = (limit, record)
                    }
                    continue
                }
                if failedMessages.insert(record.msgid ?? record.key).inserted {
                    counts["\(record.kind.rawValue).failed", default: 0] += 1
                }
            case .attempt, .approved, .reply, .queued: break
            }
        }
        counts["permanent"] = state.failures.values.filter(\.permanent).count
        inFlight = state.inFlight.values.sorted { $0.at < $1.at }
        lastFailures = Array(failures.suffix(10))
    }
}
