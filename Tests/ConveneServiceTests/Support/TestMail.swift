import ConveneCore

/// Small RFC 5322 messages for transport tests, with the awkward bits a transport must not mangle.
enum TestMail {
    /// A message whose body has a line starting with "." (dot-stuffing), a lone "." line, a long line
    /// and trailing spaces; CRLF throughout, ending in CRLF.
    static func make(
        from: String = "organiser@example.test", to recipients: [String] = ["alice@example.test"],
        subject: String = "Test", id: String = "test-1@convene.test", bodyLines: Int = 20
    ) -> OutgoingMail {
        var lines = [
            "From: Convene <\(from)>",
            "To: \(recipients.joined(separator: ", "))",
            "Subject: \(subject)",
            "Date: Thu, 07 Jan 2027 09:00:00 +0000",
            "Message-ID: <\(id)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "",
            "Hello,",
            ".a line that starts with a dot",
            ".",
            "..two dots",
            "trailing spaces   ",
            String(repeating: "x", count: 900),
        ]
        lines += (0..<bodyLines).map { "line \($0) of the body" }
        let text = lines.joined(separator: "\r\n") + "\r\n"
        return OutgoingMail(envelopeFrom: from, recipients: recipients, bytes: Array(text.utf8), messageID: "<\(id)>")
    }
}
