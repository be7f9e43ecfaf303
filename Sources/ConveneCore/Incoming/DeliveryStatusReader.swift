import Foundation

/// Reads a delivery status notification (`multipart/report; report-type=delivery-status`, RFC 3464) and matches it
/// to a message convene sent, by the original Message-ID (from the returned headers or message, or the
/// `Original-Message-ID`/`X-Original-Message-ID` fields some MTAs add).
enum DeliveryStatusReader {
    static func interpret(_ report: MIMEPart, context: ReplyContext) -> InterpretedReply {
        let parts = report.allParts
        guard let statusPart = parts.first(where: { $0.contentType == "message/delivery-status" }) else {
            return InterpretedReply(
                outcome: .needsAttention, reason: "a report that is not a delivery status notification")
        }
        let blocks = fieldBlocks(statusPart.body)
        var originalID: String?
        for block in blocks {
            if let id = block["original-message-id"] ?? block["x-original-message-id"] {
                originalID = MIMEReader.messageID(id)
            }
        }
        if originalID == nil {
            for part in parts where part.contentType == "text/rfc822-headers" || part.contentType == "message/rfc822" {
                let headers =
                    part.contentType == "message/rfc822"
                    ? (part.parts.first?.headers ?? []) : MIMEReader.headers(ArraySlice(part.body)).headers
                if let id = headers.first(where: { $0.name.lowercased() == "message-id" })?.value {
                    originalID = MIMEReader.messageID(id)
                    break
                }
            }
        }
        // The per-recipient block that failed (RFC 3464 §2.3): the first with Action: failed, else the first.
        let recipients = blocks.filter { $0["final-recipient"] != nil || $0["original-recipient"] != nil }
        let failed = recipients.first { $0["action"]?.lowercased() == "failed" } ?? recipients.first
        var result = InterpretedReply(outcome: .needsAttention, reason: "")
        let status = failed?["status"].flatMap(CalendarReply.printable)?.split(separator: " ").first.map(String.init)
        result.status = status
        result.diagnostic = failed?["diagnostic-code"].flatMap(CalendarReply.printable).map { String($0.prefix(300)) }
        if let diagnostic = result.diagnostic {
            // `smtp; 550 5.1.1 <a@b>: Recipient address rejected`
            let afterType = diagnostic.split(separator: ";", maxSplits: 1).last ?? Substring(diagnostic)
            if let word = afterType.split(separator: " ").first, let code = Int(word), (200...599).contains(code) {
                result.code = code
            }
        }
        let recipient = (failed?["final-recipient"] ?? failed?["original-recipient"]).flatMap { field in
            field.split(separator: ";", maxSplits: 1).last.flatMap { CalendarReply.printable(String($0))?.lowercased() }
        }
        guard let originalID, let sent = context.sent[originalID] else {
            result.reason =
                originalID.map { "a delivery report for \($0), which is not a message convene sent" }
                ?? "a delivery report that does not name the original message"
            return result
        }
        result.bounced = sent
        result.uid = sent.uid
        result.attendee = sent.to
        result.occurrence = sent.key.split(separator: "/").prefix(2).joined(separator: "/")
        guard let status, status.hasPrefix("5.") else {
            result.outcome = .bounce
            result.reason = "a delay or other notice (status \(status ?? "missing")) for \(sent.to): nothing changes"
            result.bounced = nil
            return result
        }
        // A message sent in the principal's place went to the delegate alone: their bounce is the message's, and
        // the principal's address was never sent it.
        if let recipient, sent.instead ? !sent.cc.contains(recipient) : recipient != sent.to {
            result.outcome = .needsAttention
            result.bounced = nil
            result.reason =
                sent.instead
                ? "a bounce (\(status)) for \(recipient), who was not sent the message (it went to "
                    + "\(sent.cc.joined(separator: ", ")) for \(sent.to))"
                : "a bounce (\(status)) for \(recipient), a copy of the message to \(sent.to)"
            return result
        }
        result.outcome = .bounce
        result.reason =
            sent.instead
            ? "delivery to \(recipient ?? sent.cc.joined(separator: ", ")), receiving for \(sent.to), failed permanently "
                + "(\(status))"
            : "delivery to \(sent.to) failed permanently (\(status))"
        return result
    }

    /// The header-like blocks of a `message/delivery-status` body, field names lower case, separated by blank lines.
    static func fieldBlocks(_ body: [UInt8]) -> [[String: String]] {
        var blocks: [[String: String]] = []
        var rest = ArraySlice(body)
        while !rest.isEmpty, blocks.count < 100 {
            // Skip blank lines between blocks.
            while let first = rest.first, first == 0x0A || first == 0x0D { rest = rest.dropFirst() }
            if rest.isEmpty { break }
            let (headers, end) = MIMEReader.headers(rest)
            if headers.isEmpty || end <= rest.startIndex { break }
            var block: [String: String] = [:]
            for (name, value) in headers where block[name.lowercased()] == nil { block[name.lowercased()] = value }
            blocks.append(block)
            rest = rest[end...]
        }
        return blocks
    }
}
