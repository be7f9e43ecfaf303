/// How far one SMTP transaction got; decides what a failure means for delivery.
public enum SMTPStage: String, Sendable, Hashable, CaseIterable {
    /// Greeting, EHLO/HELO, STARTTLS, AUTH: nothing about the message has been sent.
    case connection
    /// `MAIL FROM` sent.
    case mailFrom
    /// `RCPT TO` sent (one or more).
    case recipients
    /// `DATA` sent, waiting for 354.
    case data
    /// 354 received: the body and the final dot are (being) sent and the server's verdict is awaited.
    /// A connection lost here may have delivered the message.
    case endOfData
}

/// The SMTP dialogue of one send, as libcurl reports it: command lines out, reply lines in.
///
/// A pure state machine (no I/O): the transport feeds it every command line libcurl sends and every
/// reply line libcurl reads, and it pairs each final reply with the command it answers. SASL
/// continuation lines (which carry credentials) are recorded only as `.authContinuation`, never as text.
public struct SMTPTranscript: Sendable, Hashable {
    /// A command that gets one reply; `.connect` is the connection itself (answered by the greeting)
    /// and `.endOfData` the body and final dot (answered by the acceptance or refusal).
    public enum Command: Sendable, Hashable {
        case connect
        case ehlo
        case helo
        case starttls
        case auth
        case authContinuation
        case mailFrom
        case recipient(String)
        case data
        case endOfData
        /// RSET, QUIT, NOOP and anything else: the verb only.
        case other(String)

        /// The stage this command belongs to; nil for commands outside a transaction (QUIT, RSET…).
        public var stage: SMTPStage? {
            switch self {
            case .connect, .ehlo, .helo, .starttls, .auth, .authContinuation: return .connection
            case .mailFrom: return .mailFrom
            case .recipient: return .recipients
            case .data: return .data
            case .endOfData: return .endOfData
            case .other: return nil
            }
        }
    }

    /// One complete (possibly multi-line) reply.
    public struct Reply: Sendable, Hashable {
        /// The three-digit code; 0 when the server sent something that is not a reply.
        public var code: Int
        /// Every line without its line end, code included.
        public var lines: [String]

        /// Takes the code and lines as parsed; `code` is not checked against the lines' first three characters.
        public init(code: Int, lines: [String]) {
            self.code = code
            self.lines = lines
        }

        /// The lines joined by a space, for logs and reports.
        public var text: String { lines.joined(separator: " ") }
    }

    /// A command and the reply to it, if one came.
    public struct Exchange: Sendable, Hashable {
        /// What was sent; SASL responses are `.authContinuation` only, so no credentials are kept.
        public var command: Command
        /// The final reply to `command`; nil when the connection ended before one came.
        public var reply: Reply?
    }

    /// Every command in the order sent, each with its reply once it arrives; the last one may still be waiting.
    public private(set) var exchanges: [Exchange] = []
    private var pendingLines: [String] = []

    /// An empty dialogue: the first reply, with no command waiting, becomes the greeting (`.connect`).
    public init() {}

    /// Records a command line as sent (with or without its CRLF).
    public mutating func commandSent(_ line: String) {
        if let last = exchanges.last, last.reply?.code == 334 {
            // After a 334 challenge the next line is the client's SASL response: credentials.
            exchanges.append(Exchange(command: .authContinuation))
            return
        }
        let text = Self.trimmingLineEnd(line)
        let verb = text.prefix { $0 != " " && $0 != ":" }.uppercased()
        let command: Command
        switch verb {
        case "EHLO": command = .ehlo
        case "HELO": command = .helo
        case "STARTTLS": command = .starttls
        case "AUTH": command = .auth
        case "MAIL": command = .mailFrom
        case "RCPT": command = .recipient(Self.path(in: text))
        case "DATA": command = .data
        default: command = .other(verb)
        }
        exchanges.append(Exchange(command: command))
    }

    /// Records one reply line as received (with or without its CRLF).
    public mutating func replyLineReceived(_ line: String) {
        let text = Self.trimmingLineEnd(line)
        pendingLines.append(text)
        let characters = Array(text.utf8.prefix(4))
        if characters.count == 4 && characters[3] == UInt8(ascii: "-") { return }  // continuation line
        let code = Int(String(decoding: characters.prefix(3), as: UTF8.self)) ?? 0
        let reply = Reply(code: code, lines: pendingLines)
        pendingLines = []
        if let last = exchanges.indices.last, exchanges[last].reply == nil {
            exchanges[last].reply = reply
        } else {
            // Nothing awaits a reply: this is a new connection's greeting.
            exchanges.append(Exchange(command: .connect, reply: reply))
        }
        if exchanges.last?.command == .data && code == 354 {
            // libcurl sends the body and dot without a command line; its verdict answers this.
            exchanges.append(Exchange(command: .endOfData))
        }
    }

    /// The last exchange that belongs to the transaction (ignoring a QUIT or RSET after it).
    public var decidingExchange: Exchange? {
        exchanges.last { $0.command.stage != nil }
    }

    /// How far the transaction got.
    public var stage: SMTPStage {
        decidingExchange?.command.stage ?? .connection
    }

    /// The replies to the `RCPT TO` commands, in the order they were sent (nil: no reply came).
    public var recipientReplies: [Reply?] {
        exchanges.compactMap { exchange in
            if case .recipient = exchange.command { return .some(exchange.reply) }
            return nil
        }
    }

    /// True when the last command is a QUIT sent right after a command that got no reply: libcurl closing the
    /// connection of a server that went silent (a reply timed out). That server will not answer QUIT either, and
    /// libcurl 7.88 would wait a whole `response_timeout` more for it: the transport stops waiting instead.
    public var isQuittingASilentServer: Bool {
        guard exchanges.count >= 2, case .other("QUIT") = exchanges[exchanges.count - 1].command else { return false }
        return exchanges[exchanges.count - 2].reply == nil
    }

    /// True when this dialogue began with a server greeting (a new connection, not a reused one).
    public var openedConnection: Bool {
        exchanges.contains { $0.command == .connect }
    }

    private static func trimmingLineEnd(_ line: String) -> String {
        // On bytes: this runs for every command and reply of every message.
        let bytes = line.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, case let byte = bytes[bytes.index(before: end)], byte == 10 || byte == 13 {
            end = bytes.index(before: end)
        }
        return end == bytes.endIndex ? line : String(line[..<end])
    }

    /// The address inside `RCPT TO:<…>`, or the argument as given.
    private static func path(in command: String) -> String {
        guard let open = command.firstIndex(of: "<"), let close = command[open...].firstIndex(of: ">")
        else { return String(command.drop { $0 != ":" }.dropFirst()) }
        return String(command[command.index(after: open)..<close])
    }
}
