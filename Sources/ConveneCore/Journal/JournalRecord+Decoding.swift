import Foundation

// Reading journal lines by hand, the counterpart of `JournalCodec.encode`: daemon start and every compaction read
// the whole journal, and a JSONDecoder per line took about 25 µs a line, this about 4 µs (200,000 lines, release).
//
// The rules are JSONDecoder's for this schema (keys in any order, unknown keys ignored, `null` for an optional
// field means absent, a missing required field or a value of the wrong type is an error), with two differences:
// the JSON must be strict (see `JSONReader`), and a known key given twice makes the line malformed. JSON leaves
// the meaning of a repeated key open (Foundation keeps the first, most other readers the last); `encode` never
// writes one, so a line that has one was damaged or edited, and guessing which value was meant is not safe.

extension JournalRecord {
    /// Reads the object at the reader's cursor; throws if it does not fit this version's schema. The caller checks `v`.
    /// The line's `synced` field (see `JournalCodec.append(_:synced:to:)`) goes to `synced`, not into the record.
    init(reading reader: inout JSONReader, synced syncedField: inout Int?) throws(JSONReader.Malformed) {
        var v: Int?
        var type: RecordType?
        var at: Date?
        var key: String?
        var kind: MessageKind?
        var uid: String??
        var seq: Int??
        var msgid: String??
        var to: String??
        var name: String??
        var cc: [String]??
        var event: EventSnapshot??
        var code: Int??
        var permanent: Bool??
        var reply: String??
        var reason: String??
        var files: String??
        var synced: Int??
        var copies: [Copy]??
        var connection: Bool??
        var mailbox: String??
        var outcome: String??
        var partstat: String??
        var note: String??
        var occurrence: String??
        var employee: String??
        var instead: Bool??
        var template: String??
        var due: Date??
        var attachments: [AttachedFile]??
        try reader.readObject { reader, field throws(JSONReader.Malformed) in
            switch field {
            case "v": try once(&v, reader.readInt())
            case "type": try once(&type, reader.readRawValue())
            case "at": try once(&at, reader.readDate())
            case "key": try once(&key, reader.readString())
            case "kind": try once(&kind, reader.readRawValue())
            case "uid": try once(&uid, reader.readNull() ? nil : reader.readString())
            case "seq": try once(&seq, reader.readNull() ? nil : reader.readInt())
            case "msgid": try once(&msgid, reader.readNull() ? nil : reader.readString())
            case "to": try once(&to, reader.readNull() ? nil : reader.readString())
            case "name": try once(&name, reader.readNull() ? nil : reader.readString())
            case "cc": try once(&cc, reader.readNull() ? nil : reader.readStrings())
            case "event": try once(&event, reader.readNull() ? nil : EventSnapshot(reading: &reader))
            case "code": try once(&code, reader.readNull() ? nil : reader.readInt())
            case "permanent": try once(&permanent, reader.readNull() ? nil : reader.readBool())
            case "reply": try once(&reply, reader.readNull() ? nil : reader.readString())
            case "reason": try once(&reason, reader.readNull() ? nil : reader.readString())
            case "files": try once(&files, reader.readNull() ? nil : reader.readString())
            case "synced": try once(&synced, reader.readNull() ? nil : reader.readInt())
            case "copies": try once(&copies, reader.readNull() ? nil : reader.readCopies())
            case "connection": try once(&connection, reader.readNull() ? nil : reader.readBool())
            case "mailbox": try once(&mailbox, reader.readNull() ? nil : reader.readString())
            case "outcome": try once(&outcome, reader.readNull() ? nil : reader.readString())
            case "partstat": try once(&partstat, reader.readNull() ? nil : reader.readString())
            case "note": try once(&note, reader.readNull() ? nil : reader.readString())
            case "occurrence": try once(&occurrence, reader.readNull() ? nil : reader.readString())
            case "employee": try once(&employee, reader.readNull() ? nil : reader.readString())
            case "instead": try once(&instead, reader.readNull() ? nil : reader.readBool())
            case "template": try once(&template, reader.readNull() ? nil : reader.readString())
            case "due": try once(&due, reader.readNull() ? nil : reader.readDate())
            case "attachments": try once(&attachments, reader.readNull() ? nil : reader.readAttachments())
            default: try reader.skipValue()
            }
        }
        guard let v, let type, let at, let key, let kind else { throw JSONReader.Malformed() }
        syncedField = synced ?? nil
        self.init(
            type: type, at: at, key: key, kind: kind, uid: uid ?? nil, seq: seq ?? nil, msgid: msgid ?? nil,
            to: to ?? nil,
            name: name ?? nil, cc: cc ?? nil, event: event ?? nil, code: code ?? nil, permanent: permanent ?? nil,
            reply: reply ?? nil, reason: reason ?? nil, files: files ?? nil, copies: copies ?? nil,
            connection: connection ?? nil, mailbox: mailbox ?? nil, outcome: outcome ?? nil, partstat: partstat ?? nil,
            note: note ?? nil, occurrence: occurrence ?? nil, employee: employee ?? nil,
            instead: instead ?? nil, template: template ?? nil, due: due ?? nil, attachments: attachments ?? nil)
        self.v = v
    }
}

extension JournalRecord.Copy {
    /// Reads one element of a record's `copies`.
    init(reading reader: inout JSONReader) throws(JSONReader.Malformed) {
        var to: String?
        var outcome: DeliveryOutcome?
        var code: Int??
        var reply: String??
        try reader.readObject { reader, field throws(JSONReader.Malformed) in
            switch field {
            case "to": try once(&to, reader.readString())
            case "outcome": try once(&outcome, reader.readRawValue())
            case "code": try once(&code, reader.readNull() ? nil : reader.readInt())
            case "reply": try once(&reply, reader.readNull() ? nil : reader.readString())
            default: try reader.skipValue()
            }
        }
        guard let to, let outcome else { throw JSONReader.Malformed() }
        self.init(to: to, outcome: outcome, code: code ?? nil, reply: reply ?? nil)
    }
}

extension EventSnapshot {
    /// Reads the `event` object of a record.
    init(reading reader: inout JSONReader) throws(JSONReader.Malformed) {
        var title: String?
        var start: Date?
        var end: Date?
        var location: String??
        var joinURL: String??
        var description: String??
        try reader.readObject { reader, field throws(JSONReader.Malformed) in
            switch field {
            case "title": try once(&title, reader.readString())
            case "start": try once(&start, reader.readDate())
            case "end": try once(&end, reader.readDate())
            case "location": try once(&location, reader.readNull() ? nil : reader.readString())
            case "joinURL": try once(&joinURL, reader.readNull() ? nil : reader.readString())
            case "description": try once(&description, reader.readNull() ? nil : reader.readString())
            default: try reader.skipValue()
            }
        }
        guard let title, let start, let end else { throw JSONReader.Malformed() }
        self.init(
            title: title, start: start, end: end, location: location ?? nil, joinURL: joinURL ?? nil,
            description: description ?? nil)
    }
}

/// Stores a field's value, refusing a second one for the same key. Optional fields are stored as `T??` so that a
/// `null` counts as given.
private func once<T>(_ slot: inout T?, _ value: T) throws(JSONReader.Malformed) {
    guard slot == nil else { throw JSONReader.Malformed() }
    slot = value
}

extension JSONReader {
    /// A string naming a case of `Value` (a record type or message kind); any other string is an error.
    fileprivate mutating func readRawValue<Value: RawRepresentable<String>>() throws(Malformed) -> Value {
        guard let value = Value(rawValue: try readString()) else { throw Malformed() }
        return value
    }

    fileprivate mutating func readCopies() throws(Malformed) -> [JournalRecord.Copy] {
        var copies: [JournalRecord.Copy] = []
        try readArray { reader throws(Malformed) in copies.append(try JournalRecord.Copy(reading: &reader)) }
        return copies
    }

    fileprivate mutating func readAttachments() throws(Malformed) -> [AttachedFile] {
        var attachments: [AttachedFile] = []
        try readArray { reader throws(Malformed) in
            var filename: String?
            var sha256: String?
            var size: Int?
            try reader.readObject { reader, field throws(Malformed) in
                switch field {
                case "filename": try once(&filename, reader.readString())
                case "sha256": try once(&sha256, reader.readString())
                case "size": try once(&size, reader.readInt())
                default: try reader.skipValue()
                }
            }
            guard let filename, let sha256, let size else { throw Malformed() }
            attachments.append(AttachedFile(filename: filename, sha256: sha256, size: size))
        }
        return attachments
    }

    fileprivate mutating func readStrings() throws(Malformed) -> [String] {
        var strings: [String] = []
        try readArray { reader throws(Malformed) in strings.append(try reader.readString()) }
        return strings
    }

    /// A date as `JournalCodec.isoUTC` writes it.
    fileprivate mutating func readDate() throws(Malformed) -> Date {
        try readString { (text) throws(Malformed) in
            guard let date = JournalCodec.date(isoUTC: text) else { throw Malformed() }
            return date
        }
    }
}

extension JournalCodec {
    /// The top-level integer `v` of a line that is a JSON object, whatever its other keys hold: a record of another
    /// version must be reported as such, not as damage, even though this version's schema does not fit it.
    static func version(of reader: inout JSONReader) throws(JSONReader.Malformed) -> Int {
        var v: Int?
        try reader.readObject { reader, field throws(JSONReader.Malformed) in
            if field == "v" { try once(&v, reader.readInt()) } else { try reader.skipValue() }
        }
        guard let v else { throw JSONReader.Malformed() }
        return v
    }

    /// Parses `yyyy-MM-ddTHH:mm:ssZ`, the only form `isoUTC` writes (the year has four digits, or more after 9999).
    /// Dates are proleptic Gregorian like `isoUTC`'s; a field out of range (month 13, 30 February, 24:00) is refused
    /// rather than rolled over.
    static func date(isoUTC text: UnsafeRawBufferPointer) -> Date? {
        let yearDigits = text.count - 16  // "-MM-ddTHH:mm:ssZ" follows the year
        guard (4...9).contains(yearDigits), let year = number(in: text, from: 0, count: yearDigits),
            zip([0, 3, 6, 9, 12, 15], "--T::Z".utf8).allSatisfy({ text[yearDigits + $0] == $1 }),
            let month = number(in: text, from: yearDigits + 1, count: 2), (1...12).contains(month),
            let day = number(in: text, from: yearDigits + 4, count: 2),
            (1...LocalDate.daysIn(month: month, year: year)).contains(day),
            let hour = number(in: text, from: yearDigits + 7, count: 2), hour < 24,
            let minute = number(in: text, from: yearDigits + 10, count: 2), minute < 60,
            let second = number(in: text, from: yearDigits + 13, count: 2), second < 60
        else { return nil }
        let days = LocalDate(year: year, month: month, day: day).dayNumber
        return Date(timeIntervalSince1970: Double(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    /// The decimal number in `count` bytes from `start`, or nil if one of them is not a digit.
    private static func number(in text: UnsafeRawBufferPointer, from start: Int, count: Int) -> Int? {
        var value = 0
        for byte in text[start..<start + count] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
