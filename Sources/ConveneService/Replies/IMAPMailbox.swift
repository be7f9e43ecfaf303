import CCurl
import ConveneCore
import Foundation
import Glibc

/// The organizer's IMAP folder as a `MailboxSource`, through libcurl 7.88 (the `CCurl` shim).
///
/// A pass (`pending`) reads the folder's UIDVALIDITY (`STATUS`), lists the messages not flagged deleted with a custom
/// `UID SEARCH UNDELETED` on the folder selected under that UIDVALIDITY, and fetches each with the URL form
/// `…/MAILBOX;UIDVALIDITY=v/;UID=n` (a custom `UID FETCH` returns only the first line of the body before curl 8.17).
/// Each message's id is `v/uid` (`IMAPMessageRef`). When the server renumbers the folder during the pass, the pass
/// starts again once under the new UIDVALIDITY; the journal's Message-IDs keep a reply read twice from being applied
/// twice. `move` creates the target folder when it is missing, then follows `IMAPMove` (UID MOVE, or COPY + STORE +
/// EXPUNGE).
///
/// Each pass opens a fresh connection (so the folder is selected afresh); moves reuse it. Not thread-safe: owned by
/// the one thread that reads replies. The password goes to libcurl only; no message or log line carries it.
public final class IMAPMailbox: MailboxSource {
    /// A message larger than this is not a calendar reply or a bounce; the fetch is cut off.
    public static let maximumMessageBytes = 32 * 1024 * 1024

    /// The settings the reader was made with (the password is redacted when printed).
    public let settings: IMAPSettings
    private var handle: CurlHandle?
    private var capabilities: Set<String>?
    private var knownFolders: Set<String> = []
    /// The server's hierarchy delimiter, asked once per pass (`LIST "" ""`); `/` when it has none.
    private var delimiter: Character?
    /// The folder's UIDVALIDITY at the last pass, nil before the first.
    public private(set) var uidValidity: UInt32?
    /// Set by a pass that found the folder renumbered since the previous pass (or during this one): the old ids are
    /// void, and every message was listed afresh.
    public private(set) var uidValidityChanged = false

    /// A reader of `settings`; connects on the first pass.
    ///
    /// - Throws: `MailboxError.invalidSettings` when a folder name could inject an IMAP command, the URL is not an
    ///   IMAP server, or the CA file cannot be read.
    public init(settings: IMAPSettings) throws(MailboxError) {
        for (name, key) in [
            (settings.mailbox, "replies.url"), (settings.processed, "replies.processed"),
            (settings.needsAttention, "replies.needs_attention"),
        ] {
            if let problem = IMAPMailboxName.problem(name) {
                throw MailboxError(kind: .invalidSettings, message: "\(key): \(problem)")
            }
        }
        let scheme = settings.server.split(separator: ":").first.map { $0.lowercased() }
        switch (scheme, settings.tls) {
        case ("imaps", .implicit), ("imap", .starttls): break
        case ("imap", .none) where SMTPHost.isLoopback(SMTPHost.host(inURL: settings.server) ?? ""): break
        default:
            throw MailboxError(
                kind: .invalidSettings,
                message:
                    "\(settings.server) with tls \(settings.tls.rawValue) cannot work: use imaps:// (implicit TLS) "
                    + "or imap:// with STARTTLS (plain text only to a loopback host)")
        }
        if let caFile = settings.caFile, access(caFile, R_OK) != 0 {
            throw MailboxError(kind: .invalidSettings, message: "the IMAP CA file \(caFile) cannot be read")
        }
        self.settings = settings
    }

    // MARK: MailboxSource

    /// The messages in the folder that are not flagged deleted, oldest (lowest UID) first, with their bytes exactly
    /// as stored.
    public func pending() throws(MailboxError) -> [IncomingMessage] {
        handle = nil
        capabilities = nil
        delimiter = nil
        uidValidityChanged = false
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try readFolder()
            } catch let error as Renumbered {
                uidValidityChanged = true
                guard attempt < 2 else {
                    throw MailboxError(
                        kind: .temporary,
                        message:
                            "\(settings.mailbox) was renumbered twice during one pass (UIDVALIDITY \(error.seen)); "
                            + "it is read again on the next pass")
                }
            } catch let error as MailboxError {
                throw error
            } catch {
                throw MailboxError(kind: .temporary, message: "\(error)")
            }
        }
    }

    /// Moves `message` (listed by `pending`) to `folder`, creating the folder when missing.
    ///
    /// - Throws: `.invalidSettings` for a folder name that could inject a command or an id that is not `v/uid`;
    ///   `.temporary` when the folder was renumbered since the message was listed (the next pass lists it afresh).
    public func move(_ message: IncomingMessage, to folder: String) throws(MailboxError) {
        if let problem = IMAPMailboxName.problem(folder) {
            throw MailboxError(kind: .invalidSettings, message: "cannot move to that folder: \(problem)")
        }
        guard let ref = IMAPMessageRef(id: message.id) else {
            throw MailboxError(
                kind: .invalidSettings, message: "\(message.id.debugDescription) is not an IMAP message id (v/uid)")
        }
        let target = try serverName(folder)
        try ensureFolder(target)
        let capabilities = try serverCapabilities()
        var plan = IMAPMove(uid: ref.uid, to: target, capabilities: capabilities)
        var step = plan.start()
        let url = folderURL(settings.mailbox, uidValidity: ref.uidValidity)
        while true {
            switch step {
            case .done: return
            case .failed(let why): throw MailboxError(kind: .temporary, message: why)
            case .send(let command):
                let result = transfer(url: url, command: command)
                if case .failure(let failure) = result, failure.code != Int(CURLE_QUOTE_ERROR.rawValue) {
                    throw mailboxError(failure, doing: command)
                }
                if case .failure(let failure) = result {
                    step = plan.answered(ok: false, failure.serverText)
                } else {
                    step = plan.answered(ok: true)
                }
            }
        }
    }

    // MARK: a pass

    /// The server renumbered the folder between two commands of a pass.
    private struct Renumbered: Error { var seen: UInt32 }

    private func readFolder() throws -> [IncomingMessage] {
        let quotedMailbox = IMAPMailboxName.quoted(settings.mailbox)
        let status: [UInt8]
        switch transfer(url: serverURL, command: "STATUS \(quotedMailbox) (UIDVALIDITY)") {
        case .success(let bytes): status = bytes
        case .failure(let failure) where failure.code == Int(CURLE_QUOTE_ERROR.rawValue):
            throw MailboxError(
                kind: .invalidSettings,
                message: "the IMAP server has no mailbox \(settings.mailbox) for \(settings.username)"
                    + failure.serverSuffix)
        case .failure(let failure): throw mailboxError(failure, doing: "STATUS")
        }
        guard let validity = IMAPResponse.uidValidity(status) else {
            throw MailboxError(
                kind: .temporary, message: "the IMAP server gave no UIDVALIDITY for \(settings.mailbox)")
        }
        if let previous = uidValidity, previous != validity { uidValidityChanged = true }
        uidValidity = validity
        let search: [UInt8]
        switch transfer(url: folderURL(settings.mailbox, uidValidity: validity), command: "UID SEARCH UNDELETED") {
        case .success(let bytes): search = bytes
        case .failure(let failure) where failure.renumbered: throw Renumbered(seen: validity)
        case .failure(let failure): throw mailboxError(failure, doing: "UID SEARCH")
        }
        let uids: [UInt32]
        switch IMAPResponse.searchUIDs(search) {
        case .success(let found): uids = found
        case .failure(let problem): throw MailboxError(kind: .temporary, message: problem.description)
        }
        var messages: [IncomingMessage] = []
        for uid in uids {
            let url = folderURL(settings.mailbox, uidValidity: validity) + "/;UID=\(uid)"
            switch transfer(url: url, command: nil) {
            case .success(let bytes) where !bytes.isEmpty:
                messages.append(
                    IncomingMessage(id: IMAPMessageRef(uidValidity: validity, uid: uid).description, bytes: bytes))
            case .success:
                continue  // expunged by someone else since the search
            case .failure(let failure) where failure.renumbered: throw Renumbered(seen: validity)
            case .failure(let failure) where failure.code == Int(CURLE_REMOTE_FILE_NOT_FOUND.rawValue):
                continue
            case .failure(let failure): throw mailboxError(failure, doing: "fetching message \(uid)")
            }
        }
        return messages
    }

    private func ensureFolder(_ folder: String) throws(MailboxError) {
        guard !knownFolders.contains(folder) else { return }
        let quoted = IMAPMailboxName.quoted(folder)
        let listed = try run(url: serverURL, command: "LIST \"\" \(quoted)")
        if !IMAPResponse.listsMailbox(listed) {
            switch transfer(url: serverURL, command: "CREATE \(quoted)") {
            case .success: break
            case .failure(let failure) where failure.code == Int(CURLE_QUOTE_ERROR.rawValue):
                // Created meanwhile by another client: fine if it is there now.
                let again = try run(url: serverURL, command: "LIST \"\" \(quoted)")
                guard IMAPResponse.listsMailbox(again) else {
                    throw MailboxError(
                        kind: .invalidSettings,
                        message: "the IMAP server would not create the folder \(folder)\(failure.serverSuffix)")
                }
            case .failure(let failure): throw mailboxError(failure, doing: "CREATE \(folder)")
            }
        }
        knownFolders.insert(folder)
    }

    /// `folder` with its `/` levels joined by the server's own delimiter (`convene.processed` on a server that uses
    /// `.`); unchanged on servers that use `/` (Exchange, Gmail) or have no hierarchy.
    private func serverName(_ folder: String) throws(MailboxError) -> String {
        if delimiter == nil {
            let answer = try run(url: serverURL, command: "LIST \"\" \"\"")
            let found = IMAPResponse.hierarchyDelimiter(answer)
            // Only a plain printable delimiter is used; anything else could change what the command says.
            if let found, found.isASCII, !found.isLetter, !found.isNumber, !found.isWhitespace,
                !"\"\\*%&".contains(found), found.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            {
                delimiter = found
            } else {
                delimiter = "/"
            }
        }
        guard let delimiter, delimiter != "/" else { return folder }
        return folder.replacingOccurrences(of: "/", with: String(delimiter))
    }

    private func serverCapabilities() throws(MailboxError) -> Set<String> {
        if let capabilities { return capabilities }
        let found = IMAPResponse.capabilities(try run(url: serverURL, command: "CAPABILITY"))
        capabilities = found
        return found
    }

    // MARK: libcurl

    private var serverURL: String {
        settings.server.hasSuffix("/") ? settings.server : settings.server + "/"
    }

    private func folderURL(_ mailbox: String, uidValidity: UInt32) -> String {
        serverURL + IMAPMailboxName.urlPath(mailbox) + ";UIDVALIDITY=\(uidValidity)"
    }

    /// One failed transfer: libcurl's code and text, and the server's last tagged answer.
    struct Failure: Error {
        var code: Int
        var text: String
        var serverLine: String
        /// libcurl refused the URL's UIDVALIDITY: the folder was renumbered.
        var renumbered: Bool { text.localizedCaseInsensitiveContains("UIDVALIDITY has changed") }
        var serverText: String { serverLine }
        var serverSuffix: String { serverLine.isEmpty ? "" : " (the server said: \(serverLine))" }
    }

    private func run(url: String, command: String) throws(MailboxError) -> [UInt8] {
        switch transfer(url: url, command: command) {
        case .success(let bytes): return bytes
        case .failure(let failure):
            throw mailboxError(failure, doing: command.split(separator: " ").first.map(String.init) ?? command)
        }
    }

    /// Runs `command` (or, when nil, the fetch the URL names) and returns what the server sent back. A connection
    /// kept from an earlier command that turns out dead (the server closed it: idle timeout, or a BYE when the
    /// folder was renumbered) is replaced once by a fresh one.
    private func transfer(url: String, command: String?) -> Result<[UInt8], Failure> {
        let reused = handle != nil
        let result = transferOnce(url: url, command: command)
        let dropped = [CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING].map { Int($0.rawValue) }
        if reused, case .failure(let failure) = result, dropped.contains(failure.code) {
            return transferOnce(url: url, command: command)
        }
        return result
    }

    private func transferOnce(url: String, command: String?) -> Result<[UInt8], Failure> {
        let answer = Answer(limit: Self.maximumMessageBytes)
        let result: (code: Int, error: String)
        do {
            let handle = try preparedHandle()
            try handle.set(CURLOPT_URL, url)
            try handle.set(CURLOPT_CUSTOMREQUEST, pointer: nil)
            if let command { try handle.set(CURLOPT_CUSTOMREQUEST, command) }
            let pointer = Unmanaged.passUnretained(answer).toOpaque()
            try handle.set(CURLOPT_WRITEDATA, pointer: pointer)
            try handle.set(CURLOPT_DEBUGDATA, pointer: pointer)
            result = withExtendedLifetime(answer) { handle.perform() }
            try handle.set(CURLOPT_WRITEDATA, pointer: nil)
            try handle.set(CURLOPT_DEBUGDATA, pointer: nil)
        } catch {
            return .failure(Failure(code: Int(CURLE_FAILED_INIT.rawValue), text: error.description, serverLine: ""))
        }
        guard result.code == 0 else {
            if result.code != Int(CURLE_OPERATION_TIMEDOUT.rawValue) { handle = nil }
            let text = answer.overflowed ? "the message is over \(Self.maximumMessageBytes) bytes" : result.error
            return .failure(Failure(code: result.code, text: text, serverLine: answer.lastTagged))
        }
        return .success(answer.bytes)
    }

    private func preparedHandle() throws(SMTPError) -> CurlHandle {
        if let handle { return handle }
        let handle = try CurlHandle()
        try handle.set(CURLOPT_PROTOCOLS_STR, "imap,imaps")
        try handle.set(
            CURLOPT_USE_SSL, settings.tls == .none ? Int(CURLUSESSL_NONE.rawValue) : Int(CURLUSESSL_ALL.rawValue))
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
        try handle.set(CURLOPT_USERNAME, settings.username)
        try handle.set(CURLOPT_PASSWORD, settings.password)
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1)
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(settings.connectTimeout * 1000)))
        try handle.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(settings.responseTimeout.rounded(.up))))
        try handle.check(ccurl_setopt_write(handle.raw, CurlAnswer.writeCallback), CURLOPT_WRITEFUNCTION)
        // Verbose only to see the server's answers in the debug callback, which keeps incoming lines only: the
        // outgoing ones carry the login.
        try handle.check(ccurl_setopt_debug(handle.raw, Self.debugCallback), CURLOPT_DEBUGFUNCTION)
        try handle.set(CURLOPT_VERBOSE, 1)
        self.handle = handle
        return handle
    }

    /// Maps a failed transfer to the `MailboxError` callers act on, with no secret in its message.
    private func mailboxError(_ failure: Failure, doing what: String) -> MailboxError {
        let server = "\(settings.server)"
        let said = failure.serverSuffix
        let kind: MailboxError.Kind
        let message: String
        switch failure.code {
        case Int(CURLE_LOGIN_DENIED.rawValue):
            if failure.text.localizedCaseInsensitiveContains("select") {
                kind = .invalidSettings
                message = "the IMAP server has no mailbox \(settings.mailbox) for \(settings.username)\(said)"
            } else {
                kind = .authenticationRefused
                message = "the IMAP server \(server) refused the login for \(settings.username)\(said)"
            }
        case Int(CURLE_SSL_CONNECT_ERROR.rawValue), Int(CURLE_PEER_FAILED_VERIFICATION.rawValue),
            Int(CURLE_USE_SSL_FAILED.rawValue), Int(CURLE_SSL_CERTPROBLEM.rawValue),
            Int(CURLE_SSL_CACERT_BADFILE.rawValue):
            kind = .unavailable
            message = "TLS with the IMAP server \(server) failed: \(failure.text)"
        case Int(CURLE_COULDNT_RESOLVE_HOST.rawValue), Int(CURLE_COULDNT_CONNECT.rawValue):
            kind = .unavailable
            message = "cannot reach the IMAP server \(server): \(failure.text)"
        case Int(CURLE_QUOTE_ERROR.rawValue):
            kind = .temporary
            message = "the IMAP server \(server) refused \(what)\(said)"
        case Int(CURLE_REMOTE_FILE_NOT_FOUND.rawValue) where failure.renumbered:
            kind = .temporary
            message =
                "\(settings.mailbox) was renumbered (UIDVALIDITY changed) since it was listed; it is listed afresh"
                + " on the next pass"
        default:
            kind = .temporary
            message = "IMAP \(what) on \(server) failed: \(failure.text)\(said)"
        }
        return MailboxError(kind: kind, message: Self.redacting(settings.password, in: message))
    }

    /// `text` with every occurrence of `secret` replaced: a server that echoes what it was sent cannot put the
    /// password on the screen.
    static func redacting(_ secret: String, in text: String) -> String {
        guard secret.count >= 1 else { return text }
        return text.replacingOccurrences(of: secret, with: "<redacted>")
    }

    /// CURLOPT_DEBUGFUNCTION: keeps the server's last tagged answer line (`A004 NO …`); nothing sent is looked at.
    private static let debugCallback: ccurl_debug_callback = { _, type, data, size, userdata in
        guard type == CURLINFO_HEADER_IN, let data, let userdata else { return 0 }
        let answer = Unmanaged<Answer>.fromOpaque(userdata).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let words = line.split(separator: " ", maxSplits: 2)
        if words.count >= 2, words[0] != "*", words[0] != "+", ["NO", "BAD"].contains(words[1].uppercased()) {
            answer.lastTagged = String(words.dropFirst().joined(separator: " ").prefix(300))
                .filter { !$0.isNewline }
        }
        return 0
    }
}

/// What one transfer collects: the untagged answers of a command or a fetched message's bytes (`CurlAnswer`), and
/// the server's last tagged answer line.
private final class Answer: CurlAnswer {
    var lastTagged = ""
}
