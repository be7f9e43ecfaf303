import Foundation

/// What a `text/calendar` part says, as far as a reply needs it: METHOD and each VEVENT's UID, RECURRENCE-ID,
/// SEQUENCE, ORGANIZER, ATTENDEEs and comments. Anything inside a VALARM (or any other sub-component) is ignored.
public struct CalendarReply: Sendable, Equatable {
    /// One attendee line.
    public struct Attendee: Sendable, Equatable {
        /// The address, `mailto:` removed in any case, lower case.
        public var address: String
        /// PARTSTAT, upper case; nil when absent.
        public var partstat: String?
        /// SENT-BY's address (a delegate answering for the attendee), lower case; nil when absent.
        public var sentBy: String?
    }

    /// One VEVENT.
    public struct Event: Sendable, Equatable {
        /// The UID, as written.
        public var uid: String?
        /// RECURRENCE-ID's value, as written (`20271014T090000Z`, `20271014`), when the reply is for one occurrence.
        public var recurrenceID: String?
        /// SEQUENCE; nil when absent or not a number.
        public var sequence: Int?
        /// ORGANIZER's address; nil when absent (Outlook.com and Exchange leave it out of some replies).
        public var organizer: String?
        /// The ATTENDEE lines.
        public var attendees: [Attendee] = []
        /// COMMENT, unescaped.
        public var comment: String?
        /// Google's X-RESPONSE-COMMENT, unescaped.
        public var responseComment: String?
    }

    /// METHOD, upper case; nil when the object has none.
    public var method: String?
    /// PRODID as written (Outlook's names Microsoft, which is where its note comes from).
    public var productID: String?
    /// The VEVENTs in order.
    public var events: [Event] = []

    /// Lines read from one calendar part at most: a reply has a few dozen.
    public static let maxLines = 5000

    /// Reads a calendar object; never fails: what cannot be read is left out.
    public init(text: String) {
        var depth: [String] = []
        var event: Event?
        for line in Self.unfoldedLines(text).prefix(Self.maxLines) {
            guard let property = Self.property(line) else { continue }
            let value = property.value
            switch property.name {
            case "BEGIN":
                depth.append(value.uppercased())
                if value.uppercased() == "VEVENT" && depth.count == 2 { event = Event() }
                continue
            case "END":
                if value.uppercased() == "VEVENT", depth.count == 2, let done = event {
                    events.append(done)
                    event = nil
                }
                if !depth.isEmpty { depth.removeLast() }
                continue
            default: break
            }
            if depth.count == 1 {
                if property.name == "METHOD" { method = Self.printable(value)?.uppercased() }
                if property.name == "PRODID" { productID = Self.printable(value) }
                continue
            }
            // Only the VEVENT's own properties: a VALARM's ATTENDEE or DESCRIPTION is not an answer.
            guard depth.count == 2, event != nil else { continue }
            switch property.name {
            case "UID": event?.uid = Self.printable(value)
            case "RECURRENCE-ID": event?.recurrenceID = Self.printable(value)
            case "SEQUENCE": event?.sequence = Int(value.trimmingCharacters(in: .whitespaces))
            case "ORGANIZER": event?.organizer = Self.mailAddress(value)
            case "ATTENDEE":
                guard let address = Self.mailAddress(value) else { continue }
                event?.attendees.append(
                    Attendee(
                        address: address,
                        partstat: property.parameters["PARTSTAT"].flatMap(Self.printable)?.uppercased(),
                        sentBy: property.parameters["SENT-BY"].flatMap(Self.mailAddress)))
            case "COMMENT": event?.comment = Self.unescape(value)
            case "X-RESPONSE-COMMENT": event?.responseComment = Self.unescape(value)
            default: break
            }
        }
        // A VEVENT cut short (no END) still says what it says.
        if let event { events.append(event) }
    }

    /// The content lines, unfolded (a line break followed by a space or tab continues the line, RFC 5545 §3.1).
    static func unfoldedLines(_ text: String) -> [String] {
        var lines: [String] = []
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += line.dropFirst()
            } else {
                lines.append(String(line))
            }
        }
        return lines
    }

    /// A content line's name (upper case), parameters (names upper case, values unquoted) and value.
    static func property(_ line: String) -> (name: String, parameters: [String: String], value: String)? {
        var name = ""
        var parameters: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, line[index] != ";" && line[index] != ":" {
            name.append(line[index])
            index = line.index(after: index)
        }
        guard !name.isEmpty else { return nil }
        while index < line.endIndex, line[index] == ";" {
            index = line.index(after: index)
            var key = ""
            while index < line.endIndex, line[index] != "=" && line[index] != ":" && line[index] != ";" {
                key.append(line[index])
                index = line.index(after: index)
            }
            var value = ""
            if index < line.endIndex, line[index] == "=" {
                index = line.index(after: index)
                var quoted = false
                while index < line.endIndex {
                    let character = line[index]
                    if character == "\"" {
                        quoted.toggle()
                    } else if !quoted && (character == ";" || character == ":") {
                        break
                    } else {
                        value.append(character)
                    }
                    index = line.index(after: index)
                }
            }
            parameters[key.uppercased()] = value
        }
        guard index < line.endIndex, line[index] == ":" else { return nil }
        return (name.uppercased(), parameters, String(line[line.index(after: index)...]))
    }

    /// `mailto:A@B` (any case of `mailto:`) as `a@b`; nil when there is no address.
    static func mailAddress(_ value: String) -> String? {
        var text = value.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("mailto:") { text = String(text.dropFirst(7)) }
        text = text.trimmingCharacters(in: .whitespaces)
        guard text.contains("@"), text.count <= 254,
            !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { return nil }
        return text.lowercased()
    }

    /// `value` without control characters, at most 255 characters; nil when nothing is left.
    static func printable(_ value: String) -> String? {
        let kept = String(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return kept.isEmpty ? nil : String(kept.prefix(255))
    }

    /// TEXT unescaped (RFC 5545 §3.3.11): `\n`, `\,`, `\;`, `\\`.
    static func unescape(_ value: String) -> String {
        var out = ""
        var escaped = false
        for character in value {
            if escaped {
                out.append(character == "n" || character == "N" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
