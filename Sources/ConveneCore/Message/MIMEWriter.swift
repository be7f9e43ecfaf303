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
/// Without one (reminders) the message is the multipart/alternative of plain and HTML alone.
public enum MIMEWriter {
    /// The message bytes, ready for `CURLOPT_READFUNCTION`. Written straight into one buffer: this runs for every
    /// message sent.
    public static func render(_ message: MailMessage) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(
            2 * (message.plain.utf8.count + message.html.utf8.count + (message.calendar?.bytes.count ?? 0)) + 2048)
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
        guard let calendar = message.calendar else {
            output += "Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"\r\n\r\n".utf8
            appendAlternatives(message, boundary: alternative, calendar: nil, to: &output)
            return output
        }
        // Both calendar parts carry the same bytes, as Outlook, Gmail and Apple Mail each read a different one.
        var encodedCalendar: [UInt8] = []
        ContentEncoding.appendBase64(calendar.bytes, to: &encodedCalendar)
        let mixed = boundary("mixed", messageID: messageID)
        output += "Content-Type: multipart/mixed;\r\n boundary=\"\(mixed)\"\r\n\r\n".utf8
        output += delimiter(mixed, first: true).utf8
        output += "Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"\r\n\r\n".utf8
        appendAlternatives(message, boundary: alternative, calendar: (calendar.method, encodedCalendar), to: &output)
        output += delimiter(mixed).utf8
        output +=
            partHeaders(
                "application/ics; name=\"invite.ics\"", encoding: "base64",
                extraHeaders: "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
            ).utf8
        output += encodedCalendar
        output += closeDelimiter(mixed).utf8
        return output
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
