import Foundation

/// Turns an action into the message that is sent: template values, the rendered parts, the calendar object.
/// Built once per configuration and reused for every message (formatters and templates are shared).
public struct MessageComposer: @unchecked Sendable {
    // @unchecked: DateFormatter is not Sendable, but these are configured once here and only read afterwards
    // (formatting is thread-safe on a formatter that is no longer mutated).
    /// The rules file (sender, organizer, zone, domain).
    public let config: Config
    /// The parsed message templates, by name.
    public let templates: [String: MessageTemplate]
    /// Where the bytes of a plain message's files come from.
    public let attachments: any AttachmentSource
    private let dateFormatter: DateFormatter
    private let timeFormatter: DateFormatter
    /// What consecutive messages to one occurrence share, so it is formatted once, not once per recipient.
    private let shared = SharedRendering()
    /// `((organizer))`: who to contact, the same for every message. Its HTML, with a mailto link, is in `htmlValues`.
    private let organizer: String
    /// What the HTML part shows for placeholders richer than escaped text (see `MessageTemplate.render`).
    private let htmlValues: [String: String]

    /// A composer for these rules and templates, finding attachment bytes in `attachments`.
    public init(
        config: Config, templates: [String: MessageTemplate], attachments: any AttachmentSource = AttachmentBytes()
    ) {
        self.config = config
        self.templates = templates
        self.attachments = attachments
        let zone = config.service.timeZone
        dateFormatter = DateFormatter()
        dateFormatter.locale = Locale(identifier: "en_GB")
        dateFormatter.timeZone = zone
        dateFormatter.dateFormat = "EEEE d MMMM yyyy"
        timeFormatter = DateFormatter()
        timeFormatter.locale = Locale(identifier: "en_GB")
        timeFormatter.timeZone = zone
        timeFormatter.dateFormat = "HH:mm"
        let contact = Self.contact(config.service.organizer)
        organizer = contact.plain
        htmlValues = ["organizer": contact.html]
    }

    /// A mailbox as a reader can use it: `Name <address>` (the address alone without a name), and in HTML the same
    /// with the address as a mailto link. Templates say "please contact ((organizer))": a name alone gives no way
    /// to do so.
    static func contact(_ mailbox: Mailbox) -> (plain: String, html: String) {
        let address = mailbox.address
        let link = TemplateHTML.anchor(href: "mailto:" + address, html: TemplateFormatting.html(address))
        if mailbox.name.isEmpty { return (address, link) }
        return (mailbox.name + " <" + address + ">", TemplateFormatting.html(mailbox.name) + " &lt;" + link + "&gt;")
    }

    /// Every placeholder's value for this action, keyed by normalised placeholder name.
    public func values(for action: Action) -> [String: String] {
        let s = action.snapshot
        let person = action.person
        let grade = person.flatMap { p in config.grades.first { $0.id == p.grade }?.name } ?? ""
        let zone = config.service.timeZone
        let dueDay = LocalDateTime(instant: action.due, in: zone).date
        let days = max(0, action.occurrence.dayNumber - dueDay.dayNumber)
        let name = person?.name ?? action.recipient.name
        let when = shared.when(start: s.start, end: s.end) {
            (
                dateFormatter.string(from: s.start), timeFormatter.string(from: s.start),
                timeFormatter.string(from: s.end)
            )
        }
        let values: [String: String] = [
            "firstname": person?.firstName ?? String(name.split(separator: " ").first ?? ""),
            "name": name,
            "email": action.recipient.address,
            "grade": grade,
            "department": person?.department ?? "",
            "interim": person?.interim == true ? "yes" : "no",
            "forum": action.forum.flatMap { config.forum($0)?.name } ?? "",
            "eventtitle": s.title,
            "eventdate": when.date,
            "eventtime": when.time,
            "eventend": when.end,
            "location": s.location ?? "",
            "joinurl": s.joinURL ?? "",
            "description": s.description?.trimmingBlanks(newlines: true) ?? "",
            "daystogo": "\(days)",
            "organizer": organizer,
            "whatchanged": whatChanged(action),
            "reason": action.reason ?? "",
        ]
        return values
    }

    /// "moved from Thursday 7 January 2027 12:00 to Friday 8 January 2027 14:00; location changed from A to B";
    /// for a cancellation, why it was cancelled.
    public func whatChanged(_ action: Action) -> String {
        if action.kind == .cancellation { return action.reason ?? "cancelled" }
        guard let old = action.previous else { return "" }
        let new = action.snapshot
        var changes: [String] = []
        if old.start != new.start {
            let from = "\(dateFormatter.string(from: old.start)) \(timeFormatter.string(from: old.start))"
            let to = "\(dateFormatter.string(from: new.start)) \(timeFormatter.string(from: new.start))"
            changes.append("moved from \(from) to \(to)")
        }
        if old.end.timeIntervalSince(old.start) != new.end.timeIntervalSince(new.start) {
            changes.append(
                "now ends at \(timeFormatter.string(from: new.end)) instead of \(timeFormatter.string(from: old.end))")
        }
        if old.title != new.title { changes.append("renamed from “\(old.title)” to “\(new.title)”") }
        if old.location != new.location {
            changes.append("location changed from \(old.location ?? "none") to \(new.location ?? "none")")
        }
        if old.joinURL != new.joinURL { changes.append("joining link changed to \(new.joinURL ?? "none")") }
        if old.description != new.description { changes.append("the description has changed") }
        return changes.joined(separator: "; ")
    }

    /// The calendar object for a calendar kind (nil for reminders, which are plain mail).
    public func invite(for action: Action, stamp: Date) -> CalendarInvite? {
        guard action.kind.isCalendar else { return nil }
        let s = action.snapshot
        return CalendarInvite(
            method: action.kind == .cancellation ? .cancel : .request, uid: action.uid, sequence: action.sequence,
            stamp: stamp, start: s.start, end: s.end, timeZone: config.service.timeZone, summary: s.title,
            location: s.location, description: s.description, joinURL: s.joinURL, organizer: config.service.organizer,
            attendees: [action.recipient])
    }

    /// The whole message for an action, generated at `now` (Date header and DTSTAMP).
    public func message(for action: Action, now: Date) -> MailMessage {
        message(for: action, identity: action.messageIdentity, now: now)
    }

    /// The message for `action` under `identity` (its Message-ID), so one identity serves the message and the envelope.
    private func message(for action: Action, identity: MessageIdentity, now: Date) -> MailMessage {
        let template = templates[action.template] ?? templates["invitation"]
        let rendered =
            template?.render(values(for: action), htmlValues: htmlValues, preface: Self.preface(for: action))
            ?? RenderedTemplate(subject: action.snapshot.title, plain: "", html: "")
        let calendar = invite(for: action, stamp: now).map { invite in
            CalendarPart(invite, frame: shared.frame(for: invite))
        }
        return MailMessage(
            from: config.service.from, to: action.toHeader, cc: action.ccHeader,
            replyTo: config.service.organizer.address == config.service.from.address ? nil : config.service.organizer,
            subject: rendered.subject, date: now, messageID: identity.messageID, plain: rendered.plain,
            html: rendered.html,
            calendar: calendar,
            attachments: action.attachments.compactMap { attachment in
                attachments.bytes(of: attachment).map { MailAttachment(filename: attachment.filename, bytes: $0) }
            })
    }

    /// The files of `action` whose bytes cannot be had (a copy gone from the state folder, or damaged): such a
    /// message is not sent without them, but journaled as skipped with this said.
    public func missingAttachments(_ action: Action) -> [AttachedFile] {
        action.attachments.filter { attachments.bytes(of: $0) == nil }
    }

    /// The line that tells a delegate receiving a message in the principal's place whose it is (their To: is the
    /// delegate, the calendar's ATTENDEE the principal); nil for any other message.
    static func preface(for action: Action) -> String? {
        guard action.sentInPlace else { return nil }
        let principal = action.recipient
        let who = principal.name.isEmpty ? principal.address : "\(principal.name) (\(principal.address))"
        return "Sent to you as delegate for \(who)."
    }

    /// What goes to SMTP: envelope sender, every recipient (principal and delegates) and the bytes.
    public func outgoing(for action: Action, now: Date) -> OutgoingMail {
        let identity = action.messageIdentity
        return OutgoingMail(
            envelopeFrom: config.service.from.address, recipients: action.envelopeRecipients,
            bytes: MIMEWriter.render(message(for: action, identity: identity, now: now)), messageID: identity.messageID)
    }
}

/// What the recipients of one occurrence's notification share, kept from one message to the next: the calendar frame
/// (everything but the ATTENDEE) and the event's formatted date and times. One entry each suffices: a lane renders
/// an occurrence's recipients one after another. Locked, as copies of a composer share it.
final class SharedRendering: @unchecked Sendable {
    // @unchecked: every field is only touched while holding `lock`.
    private let lock = NSLock()
    private var frameKey: CalendarInvite?
    private var frame: ICalendarWriter.Frame?
    private var whenKey: (start: Date, end: Date)?
    private var whenValue = (date: "", time: "", end: "")

    /// The frame of `invite`, built unless the previous invite differed from it only in its attendees.
    func frame(for invite: CalendarInvite) -> ICalendarWriter.Frame {
        var key = invite
        key.attendees = []
        return lock.withLock {
            if let frame, frameKey == key { return frame }
            let built = ICalendarWriter.frame(for: key)
            (frameKey, frame) = (key, built)
            return built
        }
    }

    /// The event's date, start time and end time as templates show them, formatted unless the previous event had the
    /// same start and end.
    func when(start: Date, end: Date, format: () -> (String, String, String)) -> (
        date: String, time: String, end: String
    ) {
        lock.withLock {
            if let whenKey, whenKey == (start, end) { return whenValue }
            let (date, time, endTime) = format()
            (whenKey, whenValue) = ((start, end), (date, time, endTime))
            return whenValue
        }
    }
}
