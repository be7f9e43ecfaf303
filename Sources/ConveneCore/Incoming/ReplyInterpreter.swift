import Foundation

/// What one incoming message comes to: exactly one of these, journaled with its reason.
public enum ReplyOutcome: String, Sendable, Hashable, CaseIterable {
    /// An attendee's answer (accepted, tentative, declined) for an invitation convene sent.
    case applied
    /// An answer to an older version of the invitation (a lower SEQUENCE than convene last sent them).
    case stale
    /// A calendar reply for no invitation convene sent (no such UID in the journal).
    case unknown
    /// A METHOD:COUNTER: the attendee proposes another time; a person decides.
    case counterProposal = "counter-proposal"
    /// Text only, TNEF, or anything unclear: a person must read it; it changes nothing.
    case needsAttention = "needs-attention"
    /// A delivery status notification for a message convene sent.
    case bounce

    /// Where the message goes afterwards: `processed` for what convene acted on or can ignore, otherwise
    /// `needs_attention`.
    public var needsPerson: Bool { self == .counterProposal || self == .needsAttention || self == .unknown }
}

/// What a reply is matched against: the invitations convene sent, the messages it sent, and the roster's delegates.
public struct ReplyContext: Sendable {
    /// An invitation as the journal has it, for one attendee.
    public struct Invitation: Sendable, Hashable {
        /// `event/yyyymmdd`: the occurrence the UID belongs to.
        public var occurrence: String
        /// The SEQUENCE last sent to this attendee.
        public var sequence: Int
        /// True once the occurrence was cancelled for them.
        public var cancelled: Bool
        /// An invitation of its parts.
        public init(occurrence: String, sequence: Int, cancelled: Bool) {
            self.occurrence = occurrence
            self.sequence = sequence
            self.cancelled = cancelled
        }
    }

    /// A message convene sent, found by its Message-ID.
    public struct Sent: Sendable, Hashable {
        /// Its Message-ID, without angle brackets.
        public var messageID: String
        /// Its delivery key.
        public var key: String
        /// Its kind.
        public var kind: MessageKind
        /// The principal it was addressed to, lower case.
        public var to: String
        /// The delegates copied, lower case.
        public var cc: [String]
        /// Its calendar UID, if it had one.
        public var uid: String?
        /// True when it went to the delegates in `cc` in the principal's place (`delegate_mode: instead`).
        public var instead: Bool
        /// A sent message of its parts.
        public init(
            messageID: String, key: String, kind: MessageKind, to: String, cc: [String], uid: String?,
            instead: Bool = false
        ) {
            self.messageID = messageID
            self.key = key
            self.kind = kind
            self.to = to
            self.cc = cc
            self.uid = uid
            self.instead = instead
        }
    }

    /// Keyed by UID, then by lower-case attendee address.
    public var invitations: [String: [String: Invitation]]
    /// Keyed by Message-ID (no angle brackets).
    public var sent: [String: Sent]
    /// Lower-case delegate address → the lower-case addresses of the principals they act for.
    public var principals: [String: [String]]

    /// A context of its parts.
    public init(
        invitations: [String: [String: Invitation]], sent: [String: Sent], principals: [String: [String]]
    ) {
        self.invitations = invitations
        self.sent = sent
        self.principals = principals
    }

    /// The context the journal and the roster give: every calendar thread and every sent message.
    public init(records: [JournalRecord], state: JournalState, people: [Person]) {
        var invitations: [String: [String: Invitation]] = [:]
        for thread in state.threads.values {
            let occurrence = thread.eventID + "/" + (thread.date?.compact ?? "")
            invitations[thread.uid, default: [:]][thread.recipient.lowercased()] = Invitation(
                occurrence: occurrence, sequence: thread.sequence, cancelled: thread.cancelled)
        }
        var sent: [String: Sent] = [:]
        for record in records where record.type == .sent {
            guard let id = record.msgid, let to = record.to else { continue }
            sent[id] = Sent(
                messageID: id, key: record.key, kind: record.kind, to: to.lowercased(),
                cc: (record.cc ?? []).map { $0.lowercased() },
                uid: record.uid, instead: record.instead == true)
        }
        var principals: [String: [String]] = [:]
        for person in people {
            if let delegate = person.delegate { principals[delegate.lowercased(), default: []].append(person.key) }
        }
        self.init(invitations: invitations, sent: sent, principals: principals)
    }
}

/// One message, understood.
public struct InterpretedReply: Sendable, Equatable {
    /// The outcome.
    public var outcome: ReplyOutcome
    /// Why, in words for the log, `replies` and `attendance`.
    public var reason: String
    /// The message's own Message-ID (no angle brackets), when it has one.
    public var messageID: String?
    /// The From address, lower case.
    public var from: String?
    /// The attendee the answer is for (the principal, also when a delegate answered), lower case.
    public var attendee: String?
    /// ACCEPTED, TENTATIVE or DECLINED for an applied or stale answer.
    public var partstat: String?
    /// The calendar UID answered or bounced.
    public var uid: String?
    /// `event/yyyymmdd` of the occurrence.
    public var occurrence: String?
    /// RECURRENCE-ID as written, for a reply to one occurrence.
    public var recurrenceID: String?
    /// The reply's SEQUENCE.
    public var sequence: Int?
    /// The note the attendee wrote (COMMENT, X-RESPONSE-COMMENT, or Outlook's body text), cleaned and bounded.
    public var note: String?
    /// For a bounce: the message convene sent that failed, and the DSN's status and diagnostic.
    public var bounced: ReplyContext.Sent?
    /// For a bounce: `5.1.1`.
    public var status: String?
    /// For a bounce: the SMTP code the remote server gave (from Diagnostic-Code), when it says.
    public var code: Int?
    /// For a bounce: the Diagnostic-Code text.
    public var diagnostic: String?

    /// An interpretation with only an outcome and a reason; the rest is filled in as it is found.
    public init(outcome: ReplyOutcome, reason: String) {
        self.outcome = outcome
        self.reason = reason
    }
}

/// Turns one message into exactly one outcome (RFC 5546 §3.2.3, RFC 6047, RFC 3464). Pure.
///
/// Subjects are never read for meaning ("Accepted:", "Zugesagt:", "Accepté :" say nothing the calendar part does not
/// say better); the calendar part's METHOD wins over the Content-Type's `method=` (Google labels a COUNTER as REPLY).
public enum ReplyInterpreter {
    /// Longest note kept, in characters.
    public static let maxNote = 500

    /// The outcome for `bytes` against `context`.
    public static func interpret(_ bytes: [UInt8], context: ReplyContext) -> InterpretedReply {
        let message = MIMEReader.parse(bytes)
        let messageID = MIMEReader.messageID(message.header("Message-ID"))
        let from = message.header("From").map(MIMEReader.decodeWords).flatMap(MIMEReader.address(in:))
        var result = decide(message, from: from, context: context)
        result.messageID = messageID
        result.from = from
        return result
    }

    private static func decide(_ message: MIMEPart, from: String?, context: ReplyContext) -> InterpretedReply {
        let parts = message.allParts
        if message.contentType == "multipart/report" {
            return DeliveryStatusReader.interpret(message, context: context)
        }
        let calendars = parts.filter {
            $0.contentType == "text/calendar" || $0.contentType == "application/ics"
                || ($0.filename?.lowercased().hasSuffix(".ics") ?? false)
        }
        guard let calendarPart = calendars.first else {
            if parts.contains(where: {
                $0.contentType == "application/ms-tnef" || $0.contentType == "application/vnd.ms-tnef"
                    || $0.filename?.lowercased() == "winmail.dat"
            }) {
                return InterpretedReply(
                    outcome: .needsAttention,
                    reason: "a TNEF winmail.dat (Outlook's rich text format) with no iCalendar part: open it in Outlook"
                )
            }
            return InterpretedReply(
                outcome: .needsAttention,
                reason: "no calendar part: a person must read it (a written answer is not "
                    + "taken for a reply)")
        }
        let calendar = CalendarReply(text: calendarPart.text)
        let headerMethod = calendarPart.parameters["method"].flatMap(CalendarReply.printable)?.uppercased()
        guard let method = calendar.method ?? headerMethod else {
            return InterpretedReply(outcome: .needsAttention, reason: "a calendar part without METHOD")
        }
        let events = calendar.events.filter { $0.uid != nil }
        guard let event = events.first, let uid = event.uid else {
            return InterpretedReply(outcome: .needsAttention, reason: "a calendar \(method) with no event UID")
        }
        var result = InterpretedReply(outcome: .needsAttention, reason: "")
        result.uid = uid
        result.recurrenceID = event.recurrenceID
        result.sequence = event.sequence
        guard let invited = context.invitations[uid] else {
            result.outcome = .unknown
            result.reason = "no invitation with UID \(uid) in the journal"
            return result
        }
        result.occurrence = invited.values.first?.occurrence
        if method == "COUNTER" {
            result.outcome = .counterProposal
            result.reason = "a counter-proposal (METHOD:COUNTER): the attendee proposes another time"
            result.attendee = event.attendees.first?.address
            result.note = note(event, calendar: calendar, message: message)
            return result
        }
        guard method == "REPLY" else {
            result.reason = "a calendar \(method), not a REPLY"
            return result
        }
        // The attendee answering: an invited address among the ATTENDEE lines, or the delegate's principal.
        var chosen: (attendee: CalendarReply.Attendee, principal: String)?
        for attendee in event.attendees {
            if invited[attendee.address] != nil {
                chosen = (attendee, attendee.address)
                break
            }
            if let principal = context.principals[attendee.address]?.first(where: { invited[$0] != nil }) {
                chosen = (attendee, principal)
                break
            }
        }
        guard let (attendee, principal) = chosen, let invitation = invited[principal] else {
            result.reason =
                "the reply's attendee (\(event.attendees.map(\.address).joined(separator: ", "))) was not invited to \(uid)"
            return result
        }
        result.attendee = principal
        result.occurrence = invitation.occurrence
        // Who may answer for the principal: the principal, the SENT-BY named, or the roster's delegate.
        let delegates = Set(context.principals.filter { $0.value.contains(principal) }.keys)
        let allowed = Set([principal, attendee.address]).union(delegates).union(attendee.sentBy.map { [$0] } ?? [])
        if let from, !allowed.contains(from) {
            result.reason = "sent from \(from), who is neither \(principal) nor their delegate"
            return result
        }
        guard let partstat = attendee.partstat, ["ACCEPTED", "TENTATIVE", "DECLINED"].contains(partstat) else {
            result.reason = "PARTSTAT \(attendee.partstat ?? "missing") is not an answer convene acts on"
            return result
        }
        result.partstat = partstat
        result.note = note(event, calendar: calendar, message: message)
        if invitation.cancelled {
            result.outcome = .stale
            result.reason = "the occurrence was cancelled for \(principal) after this invitation"
            return result
        }
        if let sequence = event.sequence, sequence < invitation.sequence {
            result.outcome = .stale
            result.reason = "answers SEQUENCE \(sequence); convene last sent \(invitation.sequence)"
            return result
        }
        result.outcome = .applied
        var reason = partstat.lowercased()
        if attendee.address != principal {
            reason += " (answered by their delegate \(attendee.address))"
        } else if let sentBy = attendee.sentBy {
            reason += " (sent by \(sentBy))"
        } else if let from, from != principal {
            reason += " (sent by \(from))"
        }
        result.reason = reason
        return result
    }

    /// The note: COMMENT, else X-RESPONSE-COMMENT, else (from Outlook, whose PRODID names Microsoft) the text the
    /// attendee typed into the reply's body. Control characters become spaces; at most `maxNote` characters.
    static func note(_ event: CalendarReply.Event, calendar: CalendarReply, message: MIMEPart) -> String? {
        var text = event.comment ?? event.responseComment
        if text == nil, calendar.productID?.localizedCaseInsensitiveContains("microsoft") == true {
            let parts = message.allParts
            if let plain = parts.first(where: { $0.contentType == "text/plain" && $0.filename == nil }) {
                text = plain.text
            } else if let html = parts.first(where: { $0.contentType == "text/html" && $0.filename == nil }) {
                text = plainText(html: html.text)
            }
        }
        guard let text else { return nil }
        let cleaned = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }
        let collapsed = String(cleaned).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return collapsed.isEmpty ? nil : String(collapsed.prefix(maxNote))
    }

    /// The visible text of an HTML body: tags, `<style>` and `<head>` content removed, common entities decoded.
    static func plainText(html: String) -> String {
        var out = ""
        var rest = Substring(html.prefix(200_000))
        // A closer looked for once and not found is not looked for again: many unclosed `<style` tags stay linear.
        var missing: Set<String> = []
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            let tail = rest[open...]
            let lower = tail.prefix(7).lowercased()
            let closer = lower.hasPrefix("<style") ? "</style>" : lower.hasPrefix("<head") ? "</head>" : nil
            if let closer, !missing.contains(closer) {
                if let end = tail.range(of: closer, options: .caseInsensitive) {
                    rest = tail[end.upperBound...]
                    continue
                }
                missing.insert(closer)
            }
            guard let close = tail.firstIndex(of: ">") else { break }
            out += " "
            rest = tail[tail.index(after: close)...]
        }
        if !rest.contains("<") { out += rest }
        return decodeEntities(out)
    }

    /// The HTML entities Outlook writes (named ones it uses, and numeric ones); others stay as written.
    static func decodeEntities(_ text: String) -> String {
        let named: [String: String] = [
            "nbsp": " ", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&", "ndash": "\u{2013}",
            "mdash": "\u{2014}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
            "hellip": "\u{2026}", "pound": "£", "euro": "€",
        ]
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let tail = rest[rest.index(after: amp)...]
            guard let semicolon = tail.prefix(10).firstIndex(of: ";") else {
                out += "&"
                rest = tail
                continue
            }
            let name = String(tail[..<semicolon])
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                replacement = named[name.lowercased()]
            }
            if let replacement {
                out += replacement
                rest = tail[tail.index(after: semicolon)...]
            } else {
                out += "&"
                rest = tail
            }
        }
        return out + rest
    }
}
