import Foundation

/// Immutable facts about one occurrence, shared by reference between all of its actions.
public final class OccurrenceRef: Sendable {
    /// The event id.
    public let eventID: String
    /// The local date it takes place on.
    public let date: LocalDate
    /// The date its keys and Message-IDs carry (see `Occurrence.identity`).
    public let identity: LocalDate
    /// The occurrence's calendar UID.
    public let uid: String
    /// The domain of its Message-IDs (`service.domain`).
    public let domain: String
    /// What the calendar entry says, as configured.
    public let snapshot: EventSnapshot
    /// `yyyymmdd`, used in every key and Message-ID of this occurrence: formatted once.
    public let compactDate: String

    /// The facts of `occurrence`, for Message-IDs in `domain`.
    public init(_ occurrence: Occurrence, domain: String) {
        self.eventID = occurrence.eventID
        self.date = occurrence.date
        self.identity = occurrence.identity
        self.uid = occurrence.uid
        self.domain = domain
        self.snapshot = occurrence.snapshot
        self.compactDate = occurrence.identity.compact
    }
}

/// What only a few actions carry (a leaver's mailbox from the journal, an update's old snapshot, a skip's
/// reason), kept behind one reference so the common action stays small. (Visible to inlined code so that the
/// accessors `plan --json` reads per action are inlined and read an action in place; see `DueOrderedActions`.)
@usableFromInline
final class ActionExtras: Sendable {
    @usableFromInline let recipient: Mailbox?
    @usableFromInline let cc: [Mailbox]?
    let snapshot: EventSnapshot?
    let previous: EventSnapshot?
    @usableFromInline let skipReason: String?
    let reason: String?
    @usableFromInline let delegateMode: DelegateMode?
    let attachments: [AttachedFile]?

    init(
        recipient: Mailbox?, cc: [Mailbox]?, snapshot: EventSnapshot?, previous: EventSnapshot?, skipReason: String?,
        reason: String?, delegateMode: DelegateMode?, attachments: [AttachedFile]? = nil
    ) {
        self.attachments = attachments
        self.recipient = recipient
        self.cc = cc
        self.snapshot = snapshot
        self.previous = previous
        self.skipReason = skipReason
        self.reason = reason
        self.delegateMode = delegateMode
    }

    /// A copy with some fields replaced; nil when nothing is left to carry.
    static func with(
        _ old: ActionExtras?, recipient: Mailbox?? = nil, cc: [Mailbox]?? = nil, snapshot: EventSnapshot?? = nil,
        previous: EventSnapshot?? = nil, skipReason: String?? = nil, reason: String?? = nil,
        delegateMode: DelegateMode?? = nil, attachments: [AttachedFile]?? = nil
    ) -> ActionExtras? {
        let attachments = attachments ?? old?.attachments
        let recipient = recipient ?? old?.recipient
        let cc = cc ?? old?.cc
        let snapshot = snapshot ?? old?.snapshot
        let previous = previous ?? old?.previous
        let skipReason = skipReason ?? old?.skipReason
        let reason = reason ?? old?.reason
        let delegateMode = delegateMode ?? old?.delegateMode
        // Checked before allocating: nearly every action has no extras, and a plan makes millions of actions.
        if recipient == nil && cc == nil && snapshot == nil && previous == nil && skipReason == nil && reason == nil
            && delegateMode == nil && attachments == nil
        {
            return nil
        }
        return ActionExtras(
            recipient: recipient, cc: cc, snapshot: snapshot, previous: previous, skipReason: skipReason,
            reason: reason,
            delegateMode: delegateMode, attachments: attachments)
    }
}

/// One thing reconcile decided: a message to send (or a deliberate skip), with everything needed to render it.
/// Kept small (references to the shared occurrence and person; key and Message-ID derived on demand) because a
/// year's plan for a national roster holds millions of these.
public struct Action: Sendable, Equatable {
    /// What kind of message it sends.
    public var kind: MessageKind
    /// An invitation sent at once because the recipient joined after its due time. (Declared next to `kind` so the
    /// two share the padding before `due`: stored properties are laid out in order.)
    public var lateJoiner: Bool
    /// Non-nil for a skip: the reason it will not be sent; journaled as `skipped`.
    public var skipReason: String? {
        @inlinable get { extras?.skipReason }
        set { extras = ActionExtras.with(extras, skipReason: .some(newValue)) }
    }
    /// When it is due.
    public var due: Date
    /// After this instant the message is no longer worth sending (the next reminder, or the occurrence start).
    public var grace: Date
    /// The occurrence it belongs to, shared by all of its actions.
    public let occurrenceRef: OccurrenceRef
    /// The rule id, or `update` / `cancellation`.
    public var notification: String
    /// The template it is rendered with.
    public var template: String
    /// The roster row (nil for a leaver no longer in the roster).
    public var person: Person?
    /// The calendar SEQUENCE (0 for invitations and reminders).
    public var sequence: Int
    /// The forum through which the recipient is invited.
    public var forum: String?
    @usableFromInline private(set) var extras: ActionExtras?

    /// An action for `person` (or, for someone no longer in the roster, `recipient`/`cc` from the journal).
    public init(
        kind: MessageKind, due: Date, grace: Date, occurrence: OccurrenceRef, notification: String, template: String,
        person: Person?, recipient: Mailbox? = nil, cc: [Mailbox]? = nil, sequence: Int, forum: String?
    ) {
        self.kind = kind
        self.due = due
        self.grace = grace
        self.occurrenceRef = occurrence
        self.notification = notification
        self.template = template
        self.person = person
        self.sequence = sequence
        self.forum = forum
        self.lateJoiner = false
        self.extras = ActionExtras.with(nil, recipient: .some(recipient), cc: .some(cc))
    }

    /// The event id.
    public var eventID: String { occurrenceRef.eventID }
    /// The local date the occurrence takes place on.
    public var occurrence: LocalDate { occurrenceRef.date }
    /// The occurrence's identity date, carried by its key and Message-ID.
    public var identity: LocalDate { occurrenceRef.identity }
    /// The occurrence's calendar UID.
    public var uid: String { occurrenceRef.uid }

    /// What the calendar entry says: the occurrence as configured, or (cancellations) as last sent.
    public var snapshot: EventSnapshot {
        get { extras?.snapshot ?? occurrenceRef.snapshot }
        set { extras = ActionExtras.with(extras, snapshot: .some(newValue)) }
    }

    /// For cancellations: why, in words for the recipient ("this event has been cancelled: …"); for an address
    /// change, the old address ("address changed from old@…").
    public var reason: String? {
        get { extras?.reason }
        set { extras = ActionExtras.with(extras, reason: .some(newValue)) }
    }

    /// The files sent with a plain message (a `kind: message` rule's, a one-off's); empty for every other kind.
    public var attachments: [AttachedFile] {
        get { extras?.attachments ?? [] }
        set { extras = ActionExtras.with(extras, attachments: .some(newValue.isEmpty ? nil : newValue)) }
    }

    /// For updates: what the calendar said before.
    public var previous: EventSnapshot? {
        get { extras?.previous }
        set { extras = ActionExtras.with(extras, previous: .some(newValue)) }
    }

    /// To whom it is sent: the person, or (a leaver) the mailbox from the journal.
    public var recipient: Mailbox {
        extras?.recipient ?? Mailbox(name: person?.name ?? "", address: person?.email ?? "")
    }

    /// The address of `recipient`, without building the mailbox (the plan's JSON needs only this).
    @inlinable public var recipientAddress: String { extras?.recipient?.address ?? person?.email ?? "" }

    /// How the delegates take part: the roster's `delegate_mode`, or for a leaver no longer in the roster, as the
    /// journal says the entry was last sent (`instead` when it went to the delegates alone).
    @inlinable public var delegateMode: DelegateMode {
        person?.delegateMode ?? extras?.delegateMode ?? .copy
    }

    /// The mode an action without a roster row follows (a leaver's cancellation: `instead` when the entry last went
    /// to the delegates in the principal's place); a roster row's `delegate_mode` wins over it.
    public var leaverDelegateMode: DelegateMode? {
        get { extras?.delegateMode }
        set { extras = ActionExtras.with(extras, delegateMode: .some(newValue)) }
    }

    /// The delegates this message reaches: every message's in the modes `copy` and `instead`, only calendar
    /// messages' in the mode `invitations`. (For a delegate copy, the new delegate alone.)
    public var cc: [Mailbox] {
        guard delegateMode.includesDelegate(on: kind) else { return [] }
        return extras?.cc ?? (person?.delegate.map { [Mailbox(name: "", address: $0)] } ?? [])
    }

    /// The addresses of `cc`.
    @inlinable public var ccAddresses: [String] {
        guard delegateMode.includesDelegate(on: kind) else { return [] }
        if let cc = extras?.cc { return Self.addresses(cc) }
        guard let delegate = person?.delegate else { return [] }
        return [delegate]
    }

    /// True when the delegates receive this message in the principal's place (`delegate_mode: instead`, and there is
    /// a delegate): they are its To: and its envelope, while the calendar's ATTENDEE, the key and the journal stay
    /// the principal's.
    public var sentInPlace: Bool { delegateMode == .instead && !ccAddresses.isEmpty }

    /// False when the principal's own mailbox is not in the envelope: a delegate copy, or a message sent in their
    /// place.
    public var reachesPrincipal: Bool { !isDelegateCopy && !sentInPlace }

    /// The To: header: the principal, or the delegates receiving the message in their place.
    public var toHeader: [Mailbox] { sentInPlace ? cc : [recipient] }

    /// The Cc: header: the delegates copied, none when they are the To:.
    public var ccHeader: [Mailbox] { sentInPlace ? [] : cc }

    /// Kept out of line so that `ccAddresses` stays small enough to be inlined where `plan --json` reads it.
    @usableFromInline static func addresses(_ mailboxes: [Mailbox]) -> [String] { mailboxes.map(\.address) }

    /// The recipient's lower-cased address.
    @inlinable public var recipientKey: String { person?.key ?? extras?.recipient?.address.lowercased() ?? "" }

    /// Who and what this delivery is: its key, Message-ID and recipient hash, built in one place.
    public var messageIdentity: MessageIdentity {
        MessageIdentity(
            eventID: eventID, compactDate: occurrenceRef.compactDate, notification: notification, sequence: sequence,
            recipientKey: recipientKey, domain: occurrenceRef.domain)
    }

    /// `event/yyyymmdd/notification/recipient` (see `MessageIdentity.key`).
    public var key: String { messageIdentity.key }

    /// `event.yyyymmdd.notification.sequence.HASH@domain`; the recipient appears only hashed (see
    /// `MessageIdentity.messageID`).
    public var messageID: String { messageIdentity.messageID }

    /// The label `plan` shows: the message kind, or `skip`.
    public var label: String {
        if skipReason != nil { return "skip" }
        if isDelegateCopy { return "delegate copy" }
        if isPrincipalCopy { return "principal copy" }
        return lateJoiner ? "invitation (late joiner)" : kind.rawValue
    }

    /// Every envelope recipient: the principal and the delegates; for a delegate copy or a message sent in the
    /// principal's place, the delegates alone.
    public var envelopeRecipients: [String] {
        reachesPrincipal ? [recipient.address] + ccAddresses : ccAddresses
    }

    /// The notification of a delegate copy for `delegate` (see `MessageIdentity.delegateCopyNotification(for:)`).
    public static func delegateCopyNotification(for delegate: String) -> String {
        MessageIdentity.delegateCopyNotification(for: delegate)
    }

    /// True for the invitation re-sent to an employee's new address (see `MessageIdentity.addressChangeNotification`).
    public var isAddressChange: Bool { notification == MessageIdentity.addressChangeNotification }

    /// True for the copy of a principal's current calendar message sent to a delegate added after it went out: the
    /// same UID, SEQUENCE and event, with the principal in `To` and the delegate in `Cc`, and only the delegate in
    /// the envelope.
    public var isDelegateCopy: Bool { notification.hasPrefix("delegate+") }

    /// True for the principal's copy of their current calendar message, sent once they stop receiving through a
    /// delegate (`delegate_mode` no longer `instead`, or no delegate): until then only the delegate held it.
    public var isPrincipalCopy: Bool { notification == MessageIdentity.principalCopyNotification }

    /// Two actions are equal when they would send the same message at the same time (storage is not compared).
    public static func == (lhs: Action, rhs: Action) -> Bool {
        lhs.kind == rhs.kind && lhs.skipReason == rhs.skipReason && lhs.due == rhs.due && lhs.grace == rhs.grace
            && lhs.uid == rhs.uid && lhs.eventID == rhs.eventID && lhs.occurrence == rhs.occurrence
            && lhs.notification == rhs.notification && lhs.template == rhs.template && lhs.recipient == rhs.recipient
            && lhs.cc == rhs.cc && lhs.sequence == rhs.sequence && lhs.snapshot == rhs.snapshot
            && lhs.previous == rhs.previous && lhs.person == rhs.person && lhs.forum == rhs.forum
            && lhs.lateJoiner == rhs.lateJoiner && lhs.reason == rhs.reason && lhs.identity == rhs.identity
            && lhs.extras?.delegateMode == rhs.extras?.delegateMode
            && lhs.attachments == rhs.attachments
    }

    /// Due order: instant, then key, then sequence — compared without building the key string.
    public static func dueOrder(_ x: Action, _ y: Action) -> Bool {
        if x.due != y.due { return x.due < y.due }
        if x.eventID != y.eventID { return x.eventID < y.eventID }
        if x.occurrence != y.occurrence { return x.occurrence < y.occurrence }
        if x.notification != y.notification { return x.notification < y.notification }
        if x.recipientKey != y.recipientKey { return x.recipientKey < y.recipientKey }
        return x.sequence < y.sequence
    }
}
