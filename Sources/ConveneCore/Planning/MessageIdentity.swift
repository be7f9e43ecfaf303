/// The one identity of a delivery: its journal key (`event/yyyymmdd/notification/recipient`), its Message-ID
/// (`event.yyyymmdd.notification.sequence.HASH@domain`) and the recipient hash inside it. The planner (`Action`), the
/// composer (through `Action.messageIdentity`) and `plan --json` all build them here, so the Message-ID `plan` lists
/// is the one `preview` renders and `run` sends.
///
/// The same delivery always gets the same Message-ID, so a resend after a crash is recognisable as the same message.
/// The recipient appears in the Message-ID only hashed (`FNV1a` of the lower-cased address).
public struct MessageIdentity: Sendable, Hashable {
    /// The event id.
    public var eventID: String
    /// The occurrence's identity date as `yyyymmdd` (see `Occurrence.identity`).
    public var compactDate: String
    /// The rule id, or `reinvite` / `address-change` / `update` / `cancellation` / `delegate+HASH` /
    /// `principal+copy`.
    public var notification: String
    /// The SEQUENCE of the calendar message (0 for invitations and reminders).
    public var sequence: Int
    /// The recipient's lower-cased address.
    public var recipientKey: String
    /// The domain after `@` in the Message-ID (`service.domain`).
    public var domain: String

    /// The identity of one delivery; `recipientKey` must already be lower-cased.
    public init(
        eventID: String, compactDate: String, notification: String, sequence: Int, recipientKey: String,
        domain: String
    ) {
        self.eventID = eventID
        self.compactDate = compactDate
        self.notification = notification
        self.sequence = sequence
        self.recipientKey = recipientKey
        self.domain = domain
    }

    /// `event/yyyymmdd/notification/recipient`: the journal's delivery key.
    public var key: String {
        Self.keyPrefix(eventID: eventID, compactDate: compactDate, notification: notification) + recipientKey
    }

    /// FNV-1a of the recipient key: the recipient's only trace in the Message-ID.
    public var recipientHash: UInt64 { FNV1a.value(recipientKey) }

    /// `event.yyyymmdd.notification.sequence.HASH@domain`.
    public var messageID: String {
        Self.messageIDPrefix(eventID: eventID, compactDate: compactDate, notification: notification, sequence: sequence)
            + FNV1a.hex(recipientHash) + Self.messageIDSuffix(domain: domain)
    }

    /// `event/yyyymmdd/notification/`: the key up to the recipient, shared by every recipient of one notification.
    public static func keyPrefix(eventID: String, compactDate: String, notification: String) -> String {
        eventID + "/" + compactDate + "/" + notification + "/"
    }

    /// `event.yyyymmdd.notification.sequence.`: the Message-ID up to the recipient hash.
    public static func messageIDPrefix(eventID: String, compactDate: String, notification: String, sequence: Int)
        -> String
    {
        eventID + "." + compactDate + "." + notification + "." + String(sequence) + "."
    }

    /// `@domain`: the Message-ID after the recipient hash.
    public static func messageIDSuffix(domain: String) -> String { "@" + domain }

    /// Appends the recipient hash of `recipientKey` (16 hex digits) without building a string: `plan --json` writes
    /// a Message-ID per action from the shared prefix, this and the shared suffix.
    public static func appendRecipientHash(of recipientKey: String, to bytes: inout [UInt8]) {
        FNV1a.appendHex(FNV1a.value(recipientKey), to: &bytes)
    }

    /// The notification of the invitation re-sent to an employee's new address (same UID, next SEQUENCE): the
    /// roster's `employee_id` stayed, the address changed.
    public static let addressChangeNotification = "address-change"

    /// The notification of a delegate copy for `delegate`: `delegate+HASH` (rule ids cannot contain `+`). The
    /// delegate's address is in it, hashed, so a second new delegate gets a Message-ID of their own.
    public static func delegateCopyNotification(for delegate: String) -> String {
        "delegate+" + FNV1a.hash(delegate.lowercased())
    }

    /// The notification of a principal's copy of their current calendar message (see `Action.isPrincipalCopy`):
    /// rule ids cannot contain `+`. The key carries the principal; the Message-ID its SEQUENCE, so a later version
    /// gets a copy of its own.
    public static let principalCopyNotification = "principal+copy"
}
