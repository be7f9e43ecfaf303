import ConveneTesting
import Foundation

/// The messages an aiosmtpd test server saved, read by Python's `email` package (the parser the checks
/// trust, not ours), each with its envelope from the server's log.
struct DeliveredMail: Decodable, Sendable {
    var file: String
    var messageID: String
    /// Addresses in To and Cc, lower-cased and sorted.
    var headerRecipients: [String]
    /// The server's RCPT TO list, lower-cased and sorted.
    var envelopeRecipients: [String]
    var subject: String
    /// Python's parser defects, plus our own checks (Date, 7-bit headers, CRLF).
    var problems: [String]
    /// The calendar part's METHOD, UID and SEQUENCE (empty when there is none, or when read headers only).
    var calendar: [String: String]

    enum CodingKeys: String, CodingKey {
        case file, subject, problems, calendar
        case messageID = "message_id"
        case headerRecipients = "header_recipients"
        case envelopeRecipients = "envelope_recipients"
    }

    /// Long-lived `delivered_reader.py` processes (next to this file) shared by every read of this test run: Python
    /// and its `email` imports start a few times instead of once per read; each read runs in a fresh forked child.
    private static let reader = PythonValidator(
        script: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "delivered_reader.py"))

    /// Every message saved in `outdir` (smtp_server.py's `--outdir`), in arrival order. `headersOnly` reads
    /// just the headers (several times faster, for counting thousands of messages); bodies are then unchecked.
    static func read(_ outdir: URL, headersOnly: Bool = false) async throws -> [DeliveredMail] {
        let answer = try await reader.request(
            "delivered", [Array(outdir.path.utf8), Array((headersOnly ? "headers" : "full").utf8)])
        return try JSONDecoder().decode([DeliveredMail].self, from: answer)
    }
}
