/// A relay's reply about its own limits, not about the message or the recipient.
///
/// A generic classifier reads `554`/`550` as "this recipient, never" and `4xx` as "this message, later". The relays
/// convene's users have (Exchange Online, Google Workspace, Amazon SES) also answer quotas and throttling with those
/// codes, and reading them that way is harmful: a daily quota marks hundreds of people permanently failed, and
/// retrying each message on its own back-off while the mailbox is throttled keeps adding the errors that make
/// Exchange block the mailbox. So these replies are recognised first, by reply code, enhanced status code (RFC 3463)
/// and the relay's own words, and stop or slow the whole service instead of failing a recipient.
public enum RelayLimit: Sendable, Hashable {
    /// A daily or rolling sending quota is used up (Exchange Online `554 5.2.0 …SubmissionQuotaExceeded…`, Google
    /// `550 5.4.5`, SES `454 Throttling failure: Daily message quota exceeded`): pause everything and try again later.
    case quota
    /// Sending too fast (Google `421 4.7.28`, `450 4.2.1`; SES `454 Throttling failure: Maximum sending rate
    /// exceeded`): pause a while, then go on.
    case throttled
    /// Exchange Online's continuous-error throttling (`550 5.2.251`–`5.2.255`) has blocked the mailbox from sending:
    /// stop sending and alert; only an operator (and time) can lift it.
    case mailboxBlocked
    /// Too many recipients for one message (`452 4.5.3`): a limit of the message's envelope, retried like a 4xx.
    case tooManyRecipients

    /// How long sending pauses before trying again; nil for a mailbox the relay has blocked, which waits for an
    /// operator (a reload or restart). A quota is probed hourly: Exchange's 10,000 recipients are a rolling 24 hours,
    /// so capacity comes back as hour-old sends age out, and one refused probe an hour adds nothing to the error count
    /// that leads to a block. Throttling asks for minutes (SES: "retry after minutes"); 10 minutes is a third of the
    /// 30 minutes RFC 5321 §4.5.4.1 asks between retries of one message, since the whole service, not one message,
    /// is waiting.
    public var pause: Double? {
        switch self {
        case .quota: return 3600
        case .throttled: return 600
        case .mailboxBlocked: return nil
        case .tooManyRecipients: return 60
        }
    }

    /// The name `status --json` gives it.
    public var name: String {
        switch self {
        case .quota: return "quota"
        case .throttled: return "throttled"
        case .mailboxBlocked: return "mailbox_blocked"
        case .tooManyRecipients: return "too_many_recipients"
        }
    }

    /// What `status`, the log and the systemd status line say it is.
    public var summary: String {
        switch self {
        case .quota: return "the relay's sending quota is used up"
        case .throttled: return "the relay is throttling this sender"
        case .mailboxBlocked: return "the relay has blocked this mailbox from sending (repeated errors)"
        case .tooManyRecipients: return "the relay refused the number of recipients of one message"
        }
    }

    /// The limit a reply reports, or nil when it is an ordinary reply that says something about the message or the
    /// recipient. `code` is the reply code and `text` the whole reply (code and enhanced status code included, as
    /// `SMTPTranscript.Reply.text` gives it).
    public static func recognise(code: Int, text: String) -> RelayLimit? {
        let enhanced = enhancedStatus(in: text, code: code)
        let words = text.lowercased()
        switch (code, enhanced) {
        case (550, let status?) where status.hasPrefix("5.2.") && (251...255).contains(Int(status.dropFirst(4)) ?? 0):
            return .mailboxBlocked
        case (554, _) where words.contains("submissionquotaexceeded"):
            return .quota
        case (550, "5.4.5"):
            return .quota
        case (454, _) where words.contains("throttling failure"):
            return words.contains("quota") ? .quota : .throttled
        case (421, "4.7.28"), (450, "4.2.1"):
            return .throttled
        case (452, "4.5.3"):
            return .tooManyRecipients
        default:
            return nil
        }
    }

    /// The enhanced status code (`5.2.0`) that follows the reply code (at the start of the reply, or after a prefix
    /// such as the one a journaled reply carries), if its class agrees with the reply code's; RFC 3463 writes it as
    /// class.subject.detail, digits only.
    static func enhancedStatus(in text: String, code: Int) -> String? {
        var rest = Substring(text)
        for marker in ["\(code) ", "\(code)-"] {
            if let found = rest.range(of: marker) {
                rest = rest[found.upperBound...]
                break
            }
        }
        rest = rest.drop { $0 == " " || $0 == "-" }
        let token = rest.prefix { !$0.isWhitespace }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) }),
            parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), parts[0] == Substring(String(code / 100))
        else { return nil }
        return String(token)
    }
}
