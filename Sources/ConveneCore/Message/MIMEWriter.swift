import Foundation

/// Writes a `MailMessage` as the exact RFC 5322 bytes handed to SMTP: 7-bit, CRLF only, not
/// dot-stuffed (libcurl does that).
///
/// With a calendar:
/// ```
/// multipart/mixed
/// ├─ multipart/alternative
/// │  ├─ text/plain; charset=UTF-8                       quoted-printable
/// │  ├─ text/html; charset=UTF-8                        quoted-printable
/// │  └─ text/calendar; charset=UTF-8; method=REQUEST    base64
/// └─ application/ics; name="invite.ics"  (attachment, same bytes)
/// ```
/// Attachments (`MailAttachment`) follow as base64 parts of the multipart/mixed, after the calendar copy if any:
/// ```
/// multipart/mixed
/// ├─ multipart/alternative  (plain, HTML)
/// └─ application/pdf; name="agenda.pdf"  (Content-Disposition: attachment; filename="agenda.pdf")
/// ```
/// Without either (reminders, plain messages) the message is the multipart/alternative of plain and HTML alone.
public enum MIMEWriter {
    /// The message bytes, ready for `CURLOPT_READFUNCTION`. Written straight into one buffer: this runs for every
    /// message sent.
    public static func render(_ message: MailMessage) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(
            2 * (message.plain.utf8.count + message.html.utf8.count + (message.calendar?.bytes.count ?? 0)) + 2048
                + message.attachments.reduce(0) { $0 + $1.bytes.count / 3 * 4 + $1.bytes.count / 28 + 512 })
        let messageID = HeaderEncoding.addressText(message.messageID)
        output += HeaderEncoding.field("Date", [dateHeader(message.date)]).utf8
        output += HeaderEncoding.field("From", HeaderEncoding.mailboxList([message.from], field: "From")).utf8
        output += HeaderEncoding.field("To", HeaderEncoding.mailboxList(message.to, field: "To")).utf8
        if !message.cc.isEmpty {
            output += HeaderEncoding.field("Cc", HeaderEncoding.mailboxList(message.cc, field: "Cc")).utf8
        }
        if let replyTo = message.replyTo {
            output += HeaderEncoding.field("Reply-To", HeaderEncoding.mailboxList([replyTo], field: "Reply-To")).utf8
        }
        output +=
            HeaderEncoding.field(
                "Subject",
                HeaderEncoding.unstructured(message.subject, firstLimit: HeaderEncoding.firstLimit(forField: "Subject"))
            ).utf8
        output += HeaderEncoding.field("Message-ID", ["<" + messageID + ">"]).utf8
        output += "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n".utf8

        let alternative = boundary("alt", messageID: messageID)
        guard message.calendar != nil || !message.attachments.isEmpty else {
            output += "Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"\r\n\r\n".utf8
            appendAlternatives(message, boundary: alternative, calendar: nil, to: &output)
            return output
        }
        // Both calendar parts carry the same bytes, as Outlook, Gmail and Apple Mail each read a different one.
        var encodedCalendar: [UInt8] = []
        if let calendar = message.calendar { ContentEncoding.appendBase64(calendar.bytes, to: &encodedCalendar) }
        let mixed = boundary("mixed", messageID: messageID)
        output += "Content-Type: multipart/mixed;\r\n boundary=\"\(mixed)\"\r\n\r\n".utf8
        output += delimiter(mixed, first: true).utf8
        output += "Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"\r\n\r\n".utf8
        appendAlternatives(
            message, boundary: alternative, calendar: message.calendar.map { ($0.method, encodedCalendar) },
            to: &output)
        if message.calendar != nil {
            output += delimiter(mixed).utf8
            output +=
                partHeaders(
                    "application/ics; name=\"invite.ics\"", encoding: "base64",
                    extraHeaders: "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
                ).utf8
            output += encodedCalendar
        }
        for attachment in message.attachments {
            output += delimiter(mixed).utf8
            output +=
                partHeaders(
                    attachment.contentType + ";\r\n " + fileParameter("name", attachment.filename), encoding: "base64",
                    extraHeaders: "Content-Disposition: attachment;\r\n "
                        + fileParameter("filename", attachment.filename)
                        + "\r\n"
                ).utf8
            ContentEncoding.appendBase64(attachment.bytes, to: &output)
        }
        output += closeDelimiter(mixed).utf8
        return output
    }

    /// A file name as a MIME parameter: `name="agenda.pdf"` when it is short printable ASCII; otherwise RFC 2231's
    /// extended form, UTF-8 and percent-encoded (`filename*=UTF-8''%C3%A9t%C3%A9.pdf`), split into numbered
    /// continuations (`filename*0*=…;` CRLF SP `filename*1*=…`) so no header line passes 78 characters. RFC 2047
    /// encoded words are not allowed inside a parameter, and raw UTF-8 would break the message's 7 bits.
    static func fileParameter(_ attribute: String, _ value: String) -> String {
        let plain = value.utf8.allSatisfy {
            $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
        if plain && value.utf8.count + attribute.utf8.count <= 60 { return attribute + "=\"" + value + "\"" }
        // Percent-encoded a character at a time, so a continuation never splits one.
        var pieces: [String] = []
        var piece = "UTF-8''"
        for character in value {
            var encoded = ""
            for byte in String(character).utf8 {
                let isAttributeChar =
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$&+-.^_`|~".utf8.contains(byte)
                encoded += isAttributeChar ? String(UnicodeScalar(byte)) : "%" + ContentEncoding.hex(byte)
            }
            if piece.utf8.count + encoded.utf8.count > 56 {
                pieces.append(piece)
                piece = ""
            }
            piece += encoded
        }
        pieces.append(piece)
        if pieces.count == 1 { return attribute + "*=" + pieces[0] }
        return pieces.enumerated().map { attribute + "*\($0.offset)*=" + $0.element }.joined(separator: ";\r\n ")
    }

    /// The multipart/alternative body: plain, HTML and (for calendar kinds) the base64 calendar, with delimiters.
    private static func appendAlternatives(
        _ message: MailMessage, boundary: String, calendar: (CalendarInvite.Method, [UInt8])?, to output: inout [UInt8]
    ) {
        output += delimiter(boundary, first: true).utf8
        output += partHeaders("text/plain; charset=UTF-8", encoding: "quoted-printable").utf8
        ContentEncoding.appendQuotedPrintable(message.plain, to: &output)
        output += delimiter(boundary).utf8
        output += partHeaders("text/html; charset=UTF-8", encoding: "quoted-printable").utf8
        ContentEncoding.appendQuotedPrintable(message.html, to: &output)
        if let (method, encoded) = calendar {
            output += delimiter(boundary).utf8
            output += partHeaders("text/calendar; charset=UTF-8; method=" + method.rawValue, encoding: "base64").utf8
            output += encoded
        }
        output += closeDelimiter(boundary).utf8
    }

    /// Part headers and the blank line; the encoded content follows (its own last line has no CRLF: the one
    /// before the next delimiter belongs to the delimiter, RFC 2046 §5.1.1).
    private static func partHeaders(_ type: String, encoding: String, extraHeaders: String = "") -> String {
        "Content-Type: \(type)\r\n" + extraHeaders + "Content-Transfer-Encoding: \(encoding)\r\n\r\n"
    }

    private static func delimiter(_ boundary: String, first: Bool = false) -> String {
        (first ? "" : "\r\n") + "--" + boundary + "\r\n"
    }

    private static func closeDelimiter(_ boundary: String) -> String { "\r\n--" + boundary + "--\r\n" }

    /// A boundary derived from the Message-ID, so a re-render (a resend after a crash) is byte-identical.
    /// It starts with `=_`, which quoted-printable and base64 can never produce, so no body line can
    /// contain it.
    static func boundary(_ role: String, messageID: String) -> String {
        "=_convene_\(role)_" + FNV1a.hash(role + "\u{0}" + messageID)
    }

    /// RFC 5322 date-time in UTC: `Thu, 07 Jan 2027 12:00:00 +0000`.
    static func dateHeader(_ date: Date) -> String {
        let parts = VTimeZoneBuilder.utcCalendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let pad = VTimeZoneBuilder.padded
        return "\(days[parts.weekday! - 1]), \(pad(parts.day!, 2)) \(months[parts.month! - 1]) \(pad(parts.year!, 4)) "
            + "\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)) +0000"
    }
}
