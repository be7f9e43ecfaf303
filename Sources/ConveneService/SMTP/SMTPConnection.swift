import CCurl
import ConveneCore
import Glibc

/// One reusable SMTP connection over one libcurl easy handle.
///
/// Consecutive `send` calls reuse the open connection (no new TLS handshake, EHLO or AUTH); after any
/// failure libcurl closes it and the next `send` reconnects. Blocking: call it from a thread of its
/// own, never from the cooperative pool. Not thread-safe: one `SMTPConnection` per thread.
public final class SMTPConnection {
    /// The settings the connection was made with, already checked by `curlURL()`; the password stays in memory only.
    public let settings: SMTPSettings
    private let handle: CurlHandle
    /// The dialogue of the most recent `send` (commands and replies; SASL responses are never kept).
    public private(set) var lastTranscript = SMTPTranscript()

    /// How long a connection that polls for replies (`pollsForReplies`) waits for the server's next bytes without
    /// sleeping: about the round trip of a relay on loopback or the LAN.
    public static let replyPollMicroseconds = 100

    /// Checks the settings and prepares the handle; connects only on the first `send`. With `pollsForReplies`, the
    /// connection waits for each reply polling for `replyPollMicroseconds` before its thread sleeps (for a caller
    /// with a CPU to spare: see `CurlHandle`).
    ///
    /// - Throws: `SMTPError.invalidSettings` for settings that cannot work (including `tls: none` to a
    ///   host that is not loopback, or an unreadable CA file), `.unavailable` when libcurl cannot start.
    public init(settings: SMTPSettings, pollsForReplies: Bool = false) throws(SMTPError) {
        self.settings = settings
        let url = try settings.curlURL()
        if let caFile = settings.caFile, access(caFile, R_OK) != 0 {
            throw .invalidSettings("smtp CA file \(caFile) cannot be read")
        }
        handle = try CurlHandle(pollMicroseconds: pollsForReplies ? Self.replyPollMicroseconds : 0)
        try handle.set(CURLOPT_URL, url)
        try handle.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        // CURLUSESSL_ALL also for smtps: with TRY, libcurl would silently skip AUTH offered only after TLS.
        try handle.set(
            CURLOPT_USE_SSL, settings.tls == .none ? Int(CURLUSESSL_NONE.rawValue) : Int(CURLUSESSL_ALL.rawValue))
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
        switch settings.auth {
        case .password:
            if let username = settings.username { try handle.set(CURLOPT_USERNAME, username) }
            if let password = settings.password { try handle.set(CURLOPT_PASSWORD, password) }
        case .xoauth2:
            if let username = settings.username { try handle.set(CURLOPT_USERNAME, username) }
            if let token = settings.bearerToken { try handle.set(CURLOPT_XOAUTH2_BEARER, token) }
            // Pinned: libcurl prefers OAUTHBEARER when a server offers both, and Google refuses it (curl#2642, #10259).
            try handle.set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
        case .none:
            break
        }
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1)
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(settings.connectTimeout * 1000)))
        // libcurl 7.88 takes whole seconds here; round up so a short timeout is never 0 (= default).
        try handle.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(settings.responseTimeout.rounded(.up))))
        try handle.set(CURLOPT_UPLOAD, 1)
        try handle.check(ccurl_setopt_allow_rcpt_fails(handle.raw, 1), CURLOPT_MAIL_RCPT)
        try handle.check(ccurl_setopt_read(handle.raw, Self.readCallback), CURLOPT_READFUNCTION)
        try handle.check(ccurl_setopt_header(handle.raw, Self.replyCallback), CURLOPT_HEADERFUNCTION)
        // The debug callback is the only way libcurl shows the commands it sends; it needs VERBOSE,
        // and with a callback set nothing goes to stderr.
        try handle.check(ccurl_setopt_debug(handle.raw, Self.commandCallback), CURLOPT_DEBUGFUNCTION)
        try handle.set(CURLOPT_VERBOSE, 1)
        // The progress callback is how a wait inside libcurl can be cut short: a QUIT to a silent server.
        try handle.check(ccurl_setopt_xferinfo(handle.raw, Self.progressCallback), CURLOPT_XFERINFOFUNCTION)
        try handle.set(CURLOPT_NOPROGRESS, 0)
        try detachContext()
    }

    /// Hands one message to the server and reports each recipient's outcome. Never throws: problems
    /// with the transport itself (refused credentials, no STARTTLS, an untrusted certificate, a server
    /// refusing service) are in `DeliveryReport.error`, with every recipient `temporary`; the caller
    /// stops sending and exits with the mapped code (77 for `authRefused`).
    ///
    /// Envelope addresses are checked first: a bad sender fails the whole message, a bad recipient
    /// fails only itself; neither reaches the server.
    /// `beforeEndOfData`, when given, is called once before the last bytes of the message go to libcurl (so before
    /// the final dot that completes delivery); returning false aborts the transfer and the message is not delivered.
    public func send(_ mail: OutgoingMail, beforeEndOfData: (() -> Bool)? = nil) -> DeliveryReport {
        if let reason = EnvelopeAddress.problem(with: mail.envelopeFrom) {
            let results = mail.recipients.map {
                RecipientResult(
                    address: $0, outcome: .permanent, code: nil, reply: "not sent: envelope sender \(reason)")
            }
            return DeliveryReport(results: results, error: .invalidAddress(address: mail.envelopeFrom, reason: reason))
        }
        var refused: [String: String] = [:]
        var accepted: [String] = []
        for recipient in mail.recipients {
            if let reason = EnvelopeAddress.problem(with: recipient) {
                refused[recipient] = reason
            } else {
                accepted.append(recipient)
            }
        }
        var attempt = perform(mail, recipients: accepted, beforeEnd: beforeEndOfData)
        if attempt.mayRetryOnFreshConnection {
            // The reused connection had died while idle (no reply at all to MAIL FROM): nothing was
            // accepted, so one retry on a new connection is safe and spares the caller a false failure.
            attempt = perform(mail, recipients: accepted, beforeEnd: beforeEndOfData)
        }
        lastTranscript = attempt.transcript
        return SMTPReplyClassifier.report(
            recipients: mail.recipients, refused: refused, transcript: attempt.transcript,
            curlCode: attempt.code, curlError: attempt.error)
    }

    /// The result of one `curl_easy_perform`.
    private struct Attempt {
        var code: Int
        var error: String
        var transcript: SMTPTranscript
        var reusedConnection: Bool

        var mayRetryOnFreshConnection: Bool {
            // Not after a timeout: a server that let MAIL FROM time out is silent, not gone, and a fresh connection
            // to it would make the caller wait a second `response_timeout`.
            code != 0 && code != SMTPReplyClassifier.CurlCode.operationTimedOut && reusedConnection
                && transcript.stage == .mailFrom && transcript.decidingExchange?.reply == nil
        }
    }

    private func perform(_ mail: OutgoingMail, recipients: [String], beforeEnd: (() -> Bool)?) -> Attempt {
        guard !recipients.isEmpty else {
            return Attempt(code: 0, error: "", transcript: SMTPTranscript(), reusedConnection: false)
        }
        let context = SendContext(bytes: mail.bytes, beforeEnd: beforeEnd)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(list) }
        for recipient in recipients {
            // curl_slist_append copies the string; on allocation failure it returns NULL.
            guard let appended = curl_slist_append(list, recipient) else {
                return Attempt(code: 27, error: "out of memory", transcript: SMTPTranscript(), reusedConnection: false)
            }
            list = appended
        }
        let result: (code: Int, error: String)
        do {
            try handle.set(CURLOPT_MAIL_FROM, mail.envelopeFrom)
            try handle.set(CURLOPT_MAIL_RCPT, list: list)
            try handle.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(mail.bytes.count))
            let pointer = Unmanaged.passUnretained(context).toOpaque()
            try handle.set(CURLOPT_READDATA, pointer: pointer)
            try handle.set(CURLOPT_HEADERDATA, pointer: pointer)
            try handle.set(CURLOPT_DEBUGDATA, pointer: pointer)
            try handle.set(CURLOPT_XFERINFODATA, pointer: pointer)
            result = withExtendedLifetime(context) { handle.perform() }
            // The slist is freed on return; libcurl must not see it again (nor the context, e.g. when a
            // later cleanup sends QUIT and reads its reply).
            try handle.set(CURLOPT_MAIL_RCPT, list: nil)
            try detachContext()
        } catch {
            return Attempt(code: 2, error: error.description, transcript: context.transcript, reusedConnection: false)
        }
        let reused = handle.info(CURLINFO_NUM_CONNECTS) == 0
        return Attempt(code: result.code, error: result.error, transcript: context.transcript, reusedConnection: reused)
    }

    private func detachContext() throws(SMTPError) {
        try handle.set(CURLOPT_READDATA, pointer: nil)
        try handle.set(CURLOPT_HEADERDATA, pointer: nil)
        try handle.set(CURLOPT_DEBUGDATA, pointer: nil)
        try handle.set(CURLOPT_XFERINFODATA, pointer: nil)
    }

    /// CURLOPT_READFUNCTION: copies the next part of the message into libcurl's buffer.
    private static let readCallback: ccurl_read_callback = { buffer, size, count, userdata in
        guard let buffer, let userdata else { return 0 }
        let context = Unmanaged<SendContext>.fromOpaque(userdata).takeUnretainedValue()
        let length = min(size * count, context.bytes.count - context.offset)
        if context.offset + length == context.bytes.count, let beforeEnd = context.beforeEnd {
            // The last bytes: libcurl appends the final dot after them. Wait here (e.g. for the journal's fsync).
            context.beforeEnd = nil
            if !beforeEnd() { return Int(CURL_READFUNC_ABORT) }
        }
        context.bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + context.offset, byteCount: length)
        }
        context.offset += length
        return length
    }

    /// CURLOPT_HEADERFUNCTION: libcurl passes every SMTP reply line here.
    private static let replyCallback: ccurl_header_callback = { buffer, size, count, userdata in
        let length = size * count
        guard let buffer, let userdata else { return length }
        let context = Unmanaged<SendContext>.fromOpaque(userdata).takeUnretainedValue()
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        context.transcript.replyLineReceived(String(decoding: bytes, as: UTF8.self))
        return length
    }

    /// CURLOPT_DEBUGFUNCTION: records the command lines libcurl sends (CURLINFO_HEADER_OUT).
    private static let commandCallback: ccurl_debug_callback = { _, type, data, size, userdata in
        guard type == CURLINFO_HEADER_OUT, let data, let userdata else { return 0 }
        let context = Unmanaged<SendContext>.fromOpaque(userdata).takeUnretainedValue()
        // Split on bytes (LF; commandSent drops the CR): libcurl passes every command of every message through here.
        for line in UnsafeRawBufferPointer(start: data, count: size).split(separator: 10)
        where line.contains(where: { $0 != 13 }) {
            context.transcript.commandSent(String(decoding: line, as: UTF8.self))
        }
        return 0
    }
}

extension SMTPConnection {
    /// CURLOPT_XFERINFOFUNCTION: aborts libcurl's wait for the reply to a QUIT sent to a server that has stopped
    /// answering (see `SMTPTranscript.isQuittingASilentServer`). libcurl calls this about once a second while it
    /// blocks, so the wait ends within a second; the QUIT's outcome is ignored, the send's result stands.
    fileprivate static let progressCallback: ccurl_xferinfo_callback = { userdata, _, _, _, _ in
        guard let userdata else { return 0 }
        let context = Unmanaged<SendContext>.fromOpaque(userdata).takeUnretainedValue()
        return context.transcript.isQuittingASilentServer ? 1 : 0
    }
}

/// What the libcurl callbacks of one send share: the message being read and the dialogue so far.
private final class SendContext {
    let bytes: [UInt8]
    var offset = 0
    var transcript = SMTPTranscript()
    /// Called once before the last bytes are handed over; cleared once called.
    var beforeEnd: (() -> Bool)?

    init(bytes: [UInt8], beforeEnd: (() -> Bool)?) {
        self.bytes = bytes
        self.beforeEnd = beforeEnd
    }
}
