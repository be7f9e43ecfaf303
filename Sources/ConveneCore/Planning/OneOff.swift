import Foundation

/// A one-off message queued by `convene send`: a template sent once to an occurrence's invitees or a forum's members,
/// at a time, with files. Journaled as one `queued` record; planning turns it into ordinary `message` actions (one per
/// recipient, keyed `event/yyyymmdd/send+ID/recipient`), so the daemon, `plan`, `status` and `history` treat it as
/// any other notification, and each recipient gets it at most once.
public struct OneOff: Sendable, Hashable {
    /// Whom it goes to.
    public enum Target: Sendable, Hashable {
        /// The invitees of one occurrence of an event (by its identity date).
        case event(String)
        /// The members of a forum.
        case forum(String)
    }

    /// 16 hex digits of the SHA-256 of what was asked for (`id(template:target:date:at:attachments:)`).
    public var id: String
    /// The template it is rendered with.
    public var template: String
    /// The event or forum.
    public var target: Target
    /// For an event, the occurrence's identity date; for a forum, the last day it may go (`forumGrace` after `due`).
    public var date: LocalDate
    /// When it is due (the send window then applies).
    public var due: Date
    /// The files sent with it.
    public var attachments: [AttachedFile]
    /// When it was queued.
    public var queuedAt: Date

    /// How long a one-off to a forum may wait for the send window (a weekend, a holiday) or an outage before it is
    /// skipped: 4 days. (One to an event may wait until the occurrence starts.)
    public static let forumGrace: TimeInterval = 4 * 86_400

    /// A one-off; `id` is derived from the rest (see `id(template:target:date:at:attachments:)`).
    public init(
        template: String, target: Target, date: LocalDate, at: String?, due: Date, attachments: [AttachedFile],
        queuedAt: Date
    ) {
        self.id = Self.id(template: template, target: target, date: date, at: at, attachments: attachments)
        self.template = template
        self.target = target
        self.date = date
        self.due = due
        self.attachments = attachments
        self.queuedAt = queuedAt
    }

    /// The key of a one-off: the same command (template, target, occurrence, `--at` as typed, and the files' names and
    /// contents) gives the same key, so running it twice queues and sends nothing twice; any change gives another.
    public static func id(template: String, target: Target, date: LocalDate, at: String?, attachments: [AttachedFile])
        -> String
    {
        var text = "convene-send\u{0}" + template + "\u{0}"
        switch target {
        case .event(let id): text += "event:" + id + "\u{0}" + date.compact
        case .forum(let id): text += "forum:" + id
        }
        text += "\u{0}" + (at ?? "") + "\u{0}"
        for attachment in attachments { text += attachment.filename + "\u{0}" + attachment.sha256 + "\u{0}" }
        return String(SHA256.hex(text).prefix(16))
    }

    /// `send+ID`: the notification of its actions (rule ids cannot contain `+`).
    public var notification: String { "send+" + id }

    /// The event id its keys carry: the event's, or `forum+ID` for a forum (event ids cannot contain `+`).
    public var eventID: String {
        switch target {
        case .event(let id): return id
        case .forum(let id): return "forum+" + id
        }
    }

    /// `event/yyyymmdd/send+ID`: its record's key, and its deliveries' keys up to the recipient.
    public var key: String { eventID + "/" + date.compact + "/" + notification }

    /// Its `queued` record.
    public var record: JournalRecord {
        JournalRecord(
            type: .queued, at: queuedAt, key: key, kind: .message, template: template, due: due,
            attachments: attachments)
    }

    /// The one-off a `queued` record holds; nil for any other record, or one whose key is not a one-off's.
    public init?(record: JournalRecord) {
        guard record.type == .queued, let template = record.template, let due = record.due else { return nil }
        let parts = record.key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let date = LocalDate(compact: parts[1]), parts[2].hasPrefix("send+") else {
            return nil
        }
        self.id = String(parts[2].dropFirst(5))
        self.template = template
        self.target = parts[0].hasPrefix("forum+") ? .forum(String(parts[0].dropFirst(6))) : .event(String(parts[0]))
        self.date = date
        self.due = due
        self.attachments = record.attachments ?? []
        self.queuedAt = record.at
    }
}
