import Foundation

/// One thing reconcile decided: a message to send (or a deliberate skip), with everything needed to render it.
public struct Action: Sendable, Hashable {
    public var kind: MessageKind
    /// Non-nil for a skip: the reason it will not be sent; journaled as `skipped`.
    public var skipReason: String?
    public var due: Date
    /// After this instant the message is no longer worth sending (the next reminder, or the occurrence start).
    public var grace: Date
    public var eventID: String
    public var occurrence: LocalDate
    public var uid: String
    /// The rule id, or `update` / `cancellation`.
    public var notification: String
    public var template: String
    public var recipient: Mailbox
    public var cc: [Mailbox]
    public var sequence: Int
    public var key: String
    public var messageID: String
    public var snapshot: EventSnapshot
    /// For updates: what the calendar said before.
    public var previous: EventSnapshot?
    /// The roster row (nil for a leaver no longer in the roster).
    public var person: Person?
    /// The forum through which the recipient is invited.
    public var forum: String?
    /// An invitation sent at once because the recipient joined after its due time.
    public var lateJoiner: Bool

    /// The label `plan` shows: the message kind, or `skip`.
    public var label: String {
        if skipReason != nil { return "skip" }
        return lateJoiner ? "invitation (late joiner)" : kind.rawValue
    }

    /// Every envelope recipient: the principal and the delegates.
    public var envelopeRecipients: [String] { [recipient.address] + cc.map(\.address) }
}

/// Deterministic delivery keys and Message-IDs: the same action always gets the same ones, so a resend
/// after a crash is recognisable as the same message.
public enum DeliveryKey {
    /// `event/yyyymmdd/notification/recipient`.
    public static func make(event: String, date: LocalDate, notification: String, recipient: String) -> String {
        "\(event)/\(date.compact)/\(notification)/\(recipient.lowercased())"
    }

    /// `event.yyyymmdd.notification.sequence.HASH@domain`; the recipient appears only hashed.
    public static func messageID(event: String, date: LocalDate, notification: String, recipient: String, sequence: Int, domain: String) -> String {
        "\(event).\(date.compact).\(notification).\(sequence).\(fnv1a(recipient.lowercased()))@\(domain)"
    }

    /// 64-bit FNV-1a as 16 hex digits: stable across runs and platforms (unlike `Hasher`).
    public static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
