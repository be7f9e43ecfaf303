import Foundation

/// Who did not get a message, by name, folded from the journal: what `convene status` lists for an operator.
///
/// One entry per message and envelope address: the principal's own delivery and each delegate's copy (the `copies`
/// of `sent` and `failed` records) are separate people. Connection failures (`connection: true`) are left out, as in
/// `JournalState`: they say nothing about any one message. Compaction drops a temporary failure once its message was
/// sent, so `deliveredAfterRetry` only covers what the journal still keeps.
public struct FailureReport: Sendable {
    /// One person's delivery of one message that failed at least once.
    public struct Entry: Sendable, Hashable {
        /// The envelope address that failed.
        public var address: String
        /// For a delegate's copy, the principal whose message it copies; nil for the principal's own delivery.
        public var principal: String?
        /// Which message failed: invitation, reminder, update or cancellation.
        public var kind: MessageKind
        /// The event and occurrence date, from the delivery key (`event/yyyymmdd/…`).
        public var eventID: String
        /// The occurrence's scheduled date from the key; nil when the key's second part is not `yyyymmdd`.
        public var date: LocalDate?
        /// The delivery key `event/yyyymmdd/notification/recipient`, as the journal records it.
        public var key: String
        /// The message's Message-ID (the same on every retry), or the delivery key when the record has none.
        public var messageID: String
        /// Failed attempts so far for this address.
        public var attempts: Int
        /// The reply code and text of the last failure.
        public var code: Int?
        /// The server's reply text, or libcurl's error when no reply decided it; nil when the record kept none.
        public var reply: String?
        /// When the last failure (or, in `deliveredAfterRetry`, the delivery) was journaled.
        public var last: Date
        /// Why an address that was only refused for now is among the permanent failures: nothing will retry it.
        public var note: String?
    }

    /// Refused for good, or left behind by a message that will not be retried; oldest first.
    public private(set) var permanentFailures: [Entry] = []
    /// Failed for now, and still to be retried; oldest first.
    public private(set) var awaitingRetry: [Entry] = []
    /// Failed at least once, then delivered; oldest first.
    public private(set) var deliveredAfterRetry: [Entry] = []

    private enum Standing { case awaiting, permanent, delivered }

    /// Folds the records in file order, leaving out connection failures; a later `sent` or `skipped` settles entries.
    public init(records: [JournalRecord]) {
        var entries: [String: (entry: Entry, standing: Standing)] = [:]
        var order: [String] = []
        // The entries of each message, so that its `sent` or `skipped` settles every address it left waiting.
        var byMessage: [String: [String]] = [:]

        func fail(
            _ record: JournalRecord, address: String, principal: String?, code: Int?, reply: String?,
            permanent: Bool
        ) {
            let id = record.msgid ?? record.key
            let slot = id + "\u{0}" + address.lowercased()
            var entry = entries[slot]?.entry ?? Self.entry(record, address: address, principal: principal)
            if entries[slot] == nil {
                order.append(slot)
                byMessage[id, default: []].append(slot)
            }
            entry.attempts += 1
            entry.code = code
            entry.reply = reply
            entry.last = record.at
            entry.note = nil
            entries[slot] = (entry, permanent ? .permanent : .awaiting)
        }

        /// The message is finished: every address of it still waiting is either delivered now or never will be.
        func settle(_ id: String, at time: Date, delivered: Bool, note: String) {
            for slot in byMessage[id] ?? [] where entries[slot]?.standing == .awaiting {
                entries[slot]!.standing = delivered ? .delivered : .permanent
                if delivered { entries[slot]!.entry.last = time } else { entries[slot]!.entry.note = note }
            }
        }

        for record in records {
            let id = record.msgid ?? record.key
            let principal = record.to ?? Self.recipient(ofKey: record.key)
            switch record.type {
            case .failed:
                if record.connection == true { continue }
                let permanent = record.permanent ?? false
                // A delegate copy (`Action.isDelegateCopy`) or a message sent in the principal's place went to the
                // delegate alone: the failure is theirs.
                let delegate = record.wentToDelegatesAlone ? record.cc?.first : nil
                fail(
                    record, address: delegate ?? principal, principal: delegate == nil ? nil : principal,
                    code: record.code, reply: record.reply, permanent: permanent)
                for copy in record.copies ?? [] where copy.outcome != .delivered {
                    fail(
                        record, address: copy.to, principal: principal, code: copy.code, reply: copy.reply,
                        permanent: copy.outcome == .permanent)
                }
                // A delegate's copy delivered in this attempt is done, whatever happens to the principal's.
                for copy in record.copies ?? [] where copy.outcome == .delivered {
                    let slot = id + "\u{0}" + copy.to.lowercased()
                    if entries[slot]?.standing == .awaiting {
                        entries[slot]!.standing = .delivered
                        entries[slot]!.entry.last = record.at
                    }
                }
                if permanent {
                    settle(
                        id, at: record.at, delivered: false,
                        note: "not retried: the principal's address was refused for good")
                }
            case .sent:
                // Copies on a `sent` record are those not delivered; the message is finished, so none is retried.
                for copy in record.copies ?? [] where copy.outcome != .delivered {
                    fail(
                        record, address: copy.to, principal: principal, code: copy.code, reply: copy.reply,
                        permanent: true)
                    if copy.outcome != .permanent {
                        let slot = id + "\u{0}" + copy.to.lowercased()
                        entries[slot]!.entry.note = "not retried: the principal's copy was delivered"
                    }
                }
                settle(id, at: record.at, delivered: true, note: "")
            case .skipped:
                settle(
                    id, at: record.at, delivered: false, note: "not retried: \(record.reason ?? "skipped")")
            case .attempt, .approved, .reply, .queued:
                break
            }
        }
        for slot in order {
            guard let item = entries[slot] else { continue }
            switch item.standing {
            case .permanent: permanentFailures.append(item.entry)
            case .awaiting: awaitingRetry.append(item.entry)
            case .delivered: deliveredAfterRetry.append(item.entry)
            }
        }
        // Stable sorts: entries failing in the same record keep the principal first.
        permanentFailures = Self.sorted(permanentFailures)
        awaitingRetry = Self.sorted(awaitingRetry)
        deliveredAfterRetry = Self.sorted(deliveredAfterRetry)
    }

    private static func sorted(_ entries: [Entry]) -> [Entry] {
        entries.enumerated().sorted { ($0.element.last, $0.offset) < ($1.element.last, $1.offset) }.map(
            \.element)
    }

    private static func entry(_ record: JournalRecord, address: String, principal: String?) -> Entry {
        // The key is `event/yyyymmdd/notification/recipient`.
        let event = record.key.prefix { $0 != "/" }
        let date = record.key[event.endIndex...].dropFirst().prefix { $0 != "/" }
        return Entry(
            address: address, principal: principal, kind: record.kind, eventID: String(event),
            date: LocalDate(compact: date), key: record.key, messageID: record.msgid ?? record.key,
            attempts: 0,
            last: record.at)
    }

    /// The recipient part of a delivery key, for records written without `to`.
    private static func recipient(ofKey key: String) -> String {
        String(
            key.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).last
                ?? Substring(key))
    }
}
