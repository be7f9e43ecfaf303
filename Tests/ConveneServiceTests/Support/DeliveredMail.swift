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

    private static let script = #"""
        import email, email.parser, email.policy, email.utils, json, os, sys
        outdir = sys.argv[1]
        headers_only = sys.argv[2] == "headers"
        results = []
        path = os.path.join(outdir, "messages.jsonl")
        for line in (open(path).read().splitlines() if os.path.exists(path) else []):
            entry = json.loads(line)
            raw = open(os.path.join(outdir, entry["file"]), "rb").read()
            calendar = {}
            if headers_only:
                message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
                problems = []
            else:
                message = email.message_from_bytes(raw, policy=email.policy.default)
                problems = [repr(d) for d in message.defects]
                for part in message.walk():
                    problems += [repr(d) for d in part.defects]
                    if part.get_content_type() == "text/calendar":
                        text = part.get_payload(decode=True).decode("utf-8").replace("\r\n ", "")
                        for line in text.split("\r\n"):
                            name, _, value = line.partition(":")
                            if name in ("METHOD", "UID", "SEQUENCE") and name not in calendar:
                                calendar[name] = value
            if message["Date"] is None: problems.append("no Date header")
            head = raw.split(b"\r\n\r\n", 1)[0]
            if any(b > 127 for b in head): problems.append("8-bit header bytes")
            if raw.replace(b"\r\n", b"").find(b"\n") >= 0: problems.append("bare LF")
            addresses = [a.lower() for _, a in email.utils.getaddresses(
                [str(v) for k in ("To", "Cc") for v in (message.get_all(k) or [])])]
            results.append({
                "file": entry["file"],
                "message_id": (message["Message-ID"] or "").strip().strip("<>"),
                "header_recipients": sorted(addresses),
                "envelope_recipients": sorted(a.lower() for a in entry["rcpt_tos"]),
                "subject": str(message["Subject"] or ""),
                "problems": problems,
                "calendar": calendar,
            })
        json.dump(results, sys.stdout)
        """#

    /// Every message saved in `outdir` (smtp_server.py's `--outdir`), in arrival order. `headersOnly` reads
    /// just the headers (several times faster, for counting thousands of messages); bodies are then unchecked.
    static func read(_ outdir: URL, headersOnly: Bool = false) async throws -> [DeliveredMail] {
        let result = try await ProcessRunner.run(
            try TestEnvironment.python(), ["-c", script, outdir.path, headersOnly ? "headers" : "full"])
        guard result.status == 0 else { throw TestSetupError("reading the delivered mail failed: \(result.stderr)") }
        return try JSONDecoder().decode([DeliveredMail].self, from: result.stdoutData)
    }
}
