import Foundation

/// The kind of message an action sends.
public enum MessageKind: String, Sendable, Hashable, Codable, CaseIterable {
    case invitation, reminder, update, cancellation
    /// A plain message (a `kind: message` rule, or a one-off from `convene send`): no calendar part, maybe files.
    case message

    /// True for the kinds that carry a calendar object (REQUEST or CANCEL).
    @inlinable public var isCalendar: Bool { self != .reminder && self != .message }

    /// The kind of message a notification rule of `kind` sends.
    public init(_ kind: NotificationKind) {
        switch kind {
        case .invitation: self = .invitation
        case .reminder: self = .reminder
        case .message: self = .message
        }
    }
}

/// One line of `journal.jsonl`. Every record carries `"v":1`; fields not used by a type are absent.
/// `JournalCodec` reads and writes it by hand; `Codable` stays so tests can check that codec against Foundation's.
public struct JournalRecord: Sendable, Hashable, Codable {
    /// What happened.
    public enum RecordType: String, Sendable, Hashable, Codable {
        /// Written and fsynced before a send: if no outcome follows, the send may or may not have happened.
        case attempt
        case sent
        case failed
        /// Deliberately not sent (e.g. a reminder whose grace ended), so it is never planned again.
        case skipped
        /// An admin's `convene approve`: the calendar change the files with hash `files` make may go out.
        case approved
        /// An incoming message handled by `convene replies` (a calendar reply, a bounce, or something a person must
        /// read): written and synced before the message is moved out of the folder, so it is never applied twice.
        case reply
        /// A one-off message `convene send` queued (`OneOff`): the daemon plans it like any other notification.
        case queued
    }

    /// The record format's version, always `JournalCodec.version` (1) when written; other versions are refused on load.
    public var v: Int
    /// Attempt, sent, failed, skipped or approved; what the other fields mean depends on it.
    public var type: RecordType
    /// When it happened, written in UTC to whole seconds.
    public var at: Date
    /// The delivery key: `event/yyyymmdd/notification/recipient`.
    public var key: String
    /// What the message was: invitation, reminder, update or cancellation.
    public var kind: MessageKind
    /// The occurrence's calendar UID (`<event>-<yyyymmdd>@<domain>`), kept for good once first sent.
    public var uid: String?
    /// The calendar SEQUENCE sent: 0 for the invitation, one more for each update and the cancellation.
    public var seq: Int?
    /// The Message-ID without angle brackets; a retry and a resend after a crash reuse it.
    public var msgid: String?
    /// The principal recipient's address and name (kept so a leaver can still be sent a cancellation).
    public var to: String?
    /// The principal's display name on `sent` records, so a cancellation can still address a leaver by name.
    public var name: String?
    /// Cc addresses (the delegates) on `sent`; on `failed`, only for a delegate's own copy.
    public var cc: [String]?
    /// On `sent` calendar messages: the title, times, place, link and description the calendar now shows.
    public var event: EventSnapshot?
    /// On `failed`: the SMTP reply code that decided it; nil when no reply did (a connection lost, a timeout).
    public var code: Int?
    /// On `failed`: true when refused for good (a 5xx, or an address refused before sending), so never retried.
    public var permanent: Bool?
    /// The server's reply text (on `sent`, the final reply after the dot), or libcurl's error when no reply came.
    public var reply: String?
    /// Why: the skip reason on `skipped`, the cancellation's reason on a `sent` cancellation.
    public var reason: String?
    /// For `approved`: the hash of the rules file and roster that were approved (`Workspace.fingerprint`).
    public var files: String?
    /// How the copies of this message for the other envelope recipients (the delegates) fared in this attempt, on
    /// `sent` and `failed` records: every copy tried when the principal's message was not delivered (a retry then
    /// goes only to those still owed it), only the copies not delivered when it was. Absent when there is nothing
    /// to say (no delegates, or every copy delivered along with the principal's) and in journals written before.
    public var copies: [Copy]?
    /// On a `failed` record: true when the failure was the connection's, before anything of the message was handed
    /// over (the server greeted 421 or 554, could not be reached, or refused the credentials or TLS), and sending
    /// stopped and paused. Such a failure does not count towards the message's retry back-off: the pause does.
    public var connection: Bool?
    /// On delivery records (`attempt`, `sent`, `failed`, `skipped`): the recipient's employee number, when the roster
    /// has one. It ties a delivery to the person rather than the address, so a new address for the same employee is
    /// recognised as a move (`JournalState.movedThread`). Absent in journals written before, and for rosters without
    /// employee numbers: then the address alone identifies the person.
    public var employee: String?
    /// On `reply`: where the message was read (`UIDVALIDITY/UID` for IMAP, the file name in a Maildir).
    public var mailbox: String?
    /// On `reply`: what the message came to (`ReplyOutcome`: applied, stale, unknown, counter-proposal,
    /// needs-attention, bounce).
    public var outcome: String?
    /// On `reply`: the attendee's answer (ACCEPTED, TENTATIVE, DECLINED) when it had one.
    public var partstat: String?
    /// On `reply`: the note the attendee wrote, bounded and with no control characters.
    public var note: String?
    /// On `reply`: the RECURRENCE-ID the answer names, as written, when it names one.
    public var occurrence: String?
    /// On `attempt`, `sent` and `failed`: true when the message went to the delegates (`cc`) in the principal's place
    /// (`delegate_mode: instead`), so the principal's own mailbox was not sent it; absent otherwise.
    public var instead: Bool?
    /// On `queued`: the template the one-off is rendered with.
    public var template: String?
    /// On `queued`: when the one-off is due (`--at`, else when it was queued).
    public var due: Date?
    /// On `queued`: the files sent with it, kept in `state/attachments/SHA256`.
    public var attachments: [AttachedFile]?

    /// Sets `v` to the current version; every optional field defaults to absent, as the line will write it.
    public init(
        type: RecordType, at: Date, key: String, kind: MessageKind, uid: String? = nil, seq: Int? = nil,
        msgid: String? = nil, to: String? = nil, name: String? = nil, cc: [String]? = nil, event: EventSnapshot? = nil,
        code: Int? = nil, permanent: Bool? = nil, reply: String? = nil, reason: String? = nil, files: String? = nil,
        copies: [Copy]? = nil, connection: Bool? = nil, mailbox: String? = nil, outcome: String? = nil,
        partstat: String? = nil, note: String? = nil, occurrence: String? = nil, employee: String? = nil,
        instead: Bool? = nil, template: String? = nil, due: Date? = nil, attachments: [AttachedFile]? = nil
    ) {
        self.employee = employee
        self.template = template
        self.due = due
        self.attachments = attachments
        self.v = 1
        self.type = type
        self.at = at
        self.key = key
        self.kind = kind
        self.uid = uid
        self.seq = seq
        self.msgid = msgid
        self.to = to
        self.name = name
        self.cc = cc
        self.event = event
        self.code = code
        self.permanent = permanent
        self.reply = reply
        self.reason = reason
        self.files = files
        self.copies = copies
        self.connection = connection
        self.mailbox = mailbox
        self.outcome = outcome
        self.partstat = partstat
        self.note = note
        self.occurrence = occurrence
        self.instead = instead
    }

    /// True when the message went to the delegates in `cc` alone, not to the principal in `to`: a delegate's copy
    /// (`delegate+` notification) or a message sent in the principal's place (`instead`).
    public var wentToDelegatesAlone: Bool { instead == true || key.contains("/delegate+") }
}

/// Encodes and decodes journal lines. Pure: the file handling lives in ConveneService.
public enum JournalCodec {
    /// The only record version this build reads.
    public static let version = 1

    /// One JSON object, no newline inside (control characters are escaped), keys sorted for stable files.
    /// Written by hand: it runs twice for every message sent, and JSONEncoder costs more than the SMTP dialogue.
    public static func encode(_ record: JournalRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        append(record, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `encode(record)` appended to `out` as bytes (no newline): the journal writes many lines from one buffer.
    ///
    /// `synced`, when given, is written as the line's `"synced"` field: how many bytes at the start of the file were
    /// already on disk (fdatasynced) when this line was written. It is a fact about the file, not about the record
    /// (decoding does not put it in the record), and it is what lets a reader tell damage from a torn write: see
    /// `read(_:file:)`. Compaction writes a new file, so its lines carry none.
    public static func append(_ record: JournalRecord, synced: Int? = nil, to out: inout [UInt8]) {
        var line = JSONLine(&out)
        line.addVerbatim("at", isoUTC(record.at), to: &out)
        if let attachments = record.attachments {
            line.addRaw("attachments", to: &out)
            out.append(UInt8(ascii: "["))
            for (index, attachment) in attachments.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                var inner = JSONLine(&out)
                inner.add("filename", attachment.filename, to: &out)
                inner.add("sha256", attachment.sha256, to: &out)
                inner.add("size", attachment.size, to: &out)
                inner.finish(&out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let cc = record.cc { line.add("cc", cc, to: &out) }
        if let code = record.code { line.add("code", code, to: &out) }
        if let connection = record.connection { line.add("connection", connection, to: &out) }
        if let copies = record.copies {
            line.addRaw("copies", to: &out)
            out.append(UInt8(ascii: "["))
            for (index, copy) in copies.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                var inner = JSONLine(&out)
                if let code = copy.code { inner.add("code", code, to: &out) }
                inner.add("outcome", copy.outcome.rawValue, to: &out)
                if let reply = copy.reply { inner.add("reply", reply, to: &out) }
                inner.add("to", copy.to, to: &out)
                inner.finish(&out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let due = record.due { line.addVerbatim("due", isoUTC(due), to: &out) }
        if let employee = record.employee { line.add("employee", employee, to: &out) }
        if let event = record.event {
            line.addRaw("event", to: &out)
            var inner = JSONLine(&out)
            if let description = event.description { inner.add("description", description, to: &out) }
            inner.addVerbatim("end", isoUTC(event.end), to: &out)
            if let joinURL = event.joinURL { inner.add("joinURL", joinURL, to: &out) }
            if let location = event.location { inner.add("location", location, to: &out) }
            inner.addVerbatim("start", isoUTC(event.start), to: &out)
            inner.add("title", event.title, to: &out)
            inner.finish(&out)
        }
        if let files = record.files { line.add("files", files, to: &out) }
        if let instead = record.instead { line.add("instead", instead, to: &out) }
        line.add("key", record.key, to: &out)
        line.add("kind", record.kind.rawValue, to: &out)
        if let mailbox = record.mailbox { line.add("mailbox", mailbox, to: &out) }
        if let msgid = record.msgid { line.add("msgid", msgid, to: &out) }
        if let name = record.name { line.add("name", name, to: &out) }
        if let note = record.note { line.add("note", note, to: &out) }
        if let occurrence = record.occurrence { line.add("occurrence", occurrence, to: &out) }
        if let outcome = record.outcome { line.add("outcome", outcome, to: &out) }
        if let partstat = record.partstat { line.add("partstat", partstat, to: &out) }
        if let permanent = record.permanent { line.add("permanent", permanent, to: &out) }
        if let reason = record.reason { line.add("reason", reason, to: &out) }
        if let reply = record.reply { line.add("reply", reply, to: &out) }
        if let seq = record.seq { line.add("seq", seq, to: &out) }
        if let synced { line.add("synced", synced, to: &out) }
        if let template = record.template { line.add("template", template, to: &out) }
        if let to = record.to { line.add("to", to, to: &out) }
        line.add("type", record.type.rawValue, to: &out)
        if let uid = record.uid { line.add("uid", uid, to: &out) }
        line.add("v", record.v, to: &out)
        line.finish(&out)
    }

    /// `2027-01-07T12:00:00Z`: whole seconds in UTC, as JSONDecoder's `.iso8601` reads it; `date(isoUTC:)` reads it back.
    static func isoUTC(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86400).rounded(.down))
        let rest = seconds - days * 86400
        let day = LocalDate(dayNumber: days)
        guard (0...9999).contains(day.year) else {
            return day.description + "T" + digits(rest / 3600, 2) + ":" + digits(rest % 3600 / 60, 2) + ":"
                + digits(rest % 60, 2) + "Z"
        }
        // Written straight into the string's storage: every journal record carries at least one.
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(day.year, 4, at: 0)
            put(day.month, 2, at: 5)
            put(day.day, 2, at: 8)
            put(rest / 3600, 2, at: 11)
            put(rest % 3600 / 60, 2, at: 14)
            put(rest % 60, 2, at: 17)
            for (offset, byte) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")]
                as [(Int, Unicode.Scalar)]
            {
                buffer[offset] = UInt8(ascii: byte)
            }
            return 20
        }
    }

    /// Why a line could not be read.
    public enum LineError: Error, Sendable, Hashable {
        case malformed
        case unsupportedVersion(Int)
    }

    /// Reads one line (without its newline). A line that is a JSON object with an integer `v` other than
    /// `version` is reported as unsupported even when the rest does not fit this version's schema.
    public static func decode(_ line: some ContiguousBytes) -> Result<JournalRecord, LineError> {
        line.withUnsafeBytes(decode(bytes:))
    }

    private static func decode(bytes line: UnsafeRawBufferPointer) -> Result<JournalRecord, LineError> {
        decodeLine(bytes: line).map(\.record)
    }

    /// A line's record and its `synced` field (nil when it has none).
    static func decodeLine(bytes line: UnsafeRawBufferPointer) -> Result<
        (record: JournalRecord, synced: Int?), LineError
    > {
        var reader = JSONReader(line)
        var synced: Int?
        if let record = try? reader.readDocument({ (reader) throws(JSONReader.Malformed) in
            try JournalRecord(reading: &reader, synced: &synced)
        }), record.v == version {
            return .success((record, synced))
        }
        reader = JSONReader(line)
        if let v = try? reader.readDocument(version(of:)), v != version { return .failure(.unsupportedVersion(v)) }
        return .failure(.malformed)
    }

    /// The most a writer leaves written but not yet on disk at once, in bytes: `FileJournal` syncs before it would
    /// leave more. A power cut can tear anything in that stretch, so that is how far back a torn write can reach.
    public static let tornWriteWindow = 256 * 1024

    /// A whole journal as read: its records, the warnings and errors about it, and where its readable content ends.
    public struct Contents: Sendable {
        /// Every record read, in file order, torn tail excluded.
        public var records: [JournalRecord] = []
        /// Problems that lost nothing: a torn last write that was never synced, cut off.
        public var warnings: [Diagnostic] = []
        /// Unreadable lines a sync proves are damage, and unsupported versions; `FileJournal` refuses to open with any.
        public var errors: [Diagnostic] = []
        /// The offset just after the last record kept (after its newline, if it has one): a writer continues here.
        public var end = 0
        /// Whether the last record kept ends with its newline (a crash can cut a whole record's newline off).
        public var endsWithNewline = true

        /// An empty journal: nothing read, writing starts at offset 0.
        public init() {}
    }

    /// Decodes a whole journal. Blank lines are skipped. A torn write from a crash is ignored with a warning:
    /// - a bad last line without a final newline (a cut-short append);
    /// - in a journal that ends in padding (blank lines: `FileJournal` writes records over a stretch of newlines it
    ///   reserved ahead, and a crash leaves that stretch), a bad line with no more than `tornWriteWindow` bytes of
    ///   records after it. A power cut may have put some of those bytes on disk and not others; none of them had
    ///   been synced (each sync covers everything written before it), so they are cut off with it.
    ///
    /// Either only if no sync covered the bad line. Each line `FileJournal` writes says how much of the file was
    /// already synced when it was written (`"synced"`); a bad line that starts before the most any readable line
    /// says was synced had reached the disk whole, so it is damage, however close to the end it is: cutting it
    /// and the records after it would drop outcomes that messages were sent on the strength of, and resend them.
    /// Journals written before that field (no line has it) keep the window rule alone.
    ///
    /// Any other bad line is an error, so a damaged journal is never half-read silently. `end` says where the
    /// readable content ends.
    public static func read(_ journal: some ContiguousBytes, file: String) -> Contents {
        journal.withUnsafeBytes { read(bytes: $0, file: file) }
    }

    private static func read(bytes journal: UnsafeRawBufferPointer, file: String) -> Contents {
        let newline = UInt8(ascii: "\n")
        var contents = Contents()
        /// The unreadable lines (number and offset); the records read after the first of them.
        var unreadable: [(line: Int, offset: Int)] = []
        var recordsAfterDamage = 0
        var lastContentEnd = 0
        var lineStart = 0
        var lineNumber = 0
        /// The most any readable line says was synced, and the line that says so.
        var synced: (bytes: Int, line: Int)?
        while lineStart < journal.count {
            let lineEnd = journal[lineStart...].firstIndex(of: newline) ?? journal.count
            let line = UnsafeRawBufferPointer(rebasing: journal[lineStart..<lineEnd])
            let isTerminated = lineEnd < journal.count
            let offset = lineStart
            lineNumber += 1
            lineStart = lineEnd + 1
            if line.isEmpty { continue }
            lastContentEnd = lineEnd
            switch decodeLine(bytes: line) {
            case .success(let (record, claim)):
                contents.records.append(record)
                if let claim, claim > synced?.bytes ?? -1 { synced = (claim, lineNumber) }
                if unreadable.isEmpty {
                    contents.end = isTerminated ? lineEnd + 1 : lineEnd
                    contents.endsWithNewline = isTerminated
                } else {
                    recordsAfterDamage += 1
                }
            case .failure(.malformed):
                unreadable.append((lineNumber, offset))
            case .failure(.unsupportedVersion(let v)):
                contents.errors.append(
                    Diagnostic(
                        file: file, line: lineNumber, column: 1,
                        message: "journal record version \(v) is not supported",
                        hint: "this convene reads version \(version); run the newer convene that wrote it"))
            }
        }
        guard let first = unreadable.first else { return contents }
        let padded =
            journal.count >= 2 && journal[journal.count - 1] == newline && journal[journal.count - 2] == newline
        let unterminatedLast = unreadable.count == 1 && recordsAfterDamage == 0 && journal.last != newline
        let unsynced = first.offset >= synced?.bytes ?? 0
        if unsynced && (unterminatedLast || (padded && lastContentEnd - first.offset <= tornWriteWindow)) {
            contents.records.removeLast(recordsAfterDamage)
            let message =
                unterminatedLast
                ? "ignoring a torn last line (an interrupted write)"
                : "ignoring a torn write from line \(first.line) on (\(unreadable.count) unreadable line(s) and "
                    + "\(recordsAfterDamage) record(s) after the first, written but not yet synced when convene stopped)"
            contents.warnings.append(
                Diagnostic(
                    file: file, location: .init(line: first.line, column: 1), severity: .warning, message: message))
        } else {
            for (line, offset) in unreadable {
                // Say why this is not taken for an interrupted write, where a sync proves it.
                let hint = synced.flatMap { synced in
                    offset < synced.bytes
                        ? "it was on disk before line \(synced.line) was written (that line says the first \(synced.bytes) "
                            + "bytes were synced): this is damage, not an interrupted write; restore the journal from a "
                            + "backup, or repair or delete this line knowing that its message may then be sent again"
                        : nil
                }
                contents.errors.append(
                    Diagnostic(file: file, line: line, column: 1, message: "unreadable journal record", hint: hint))
            }
            contents.errors.sort { $0.location.line < $1.location.line }
        }
        return contents
    }
}
