import Foundation

/// The `replies:` section: the IMAP folder calendar replies and bounces are read from, and where handled messages go.
/// The password itself never appears here: only where to read it.
public struct RepliesConfig: Sendable, Hashable {
    /// The folder as written: `imaps://HOST[:PORT]/MAILBOX` or `imap://HOST[:PORT]/MAILBOX` (the mailbox defaults to
    /// INBOX; percent-escapes in it are decoded).
    public var url: String
    /// Implicit TLS for `imaps://` (the default there), STARTTLS for `imap://` (the default there), or none, which the
    /// parser allows only to a loopback host.
    public var tls: TLSMode
    /// The IMAP login.
    public var username: String
    /// Name of a systemd credential (`$CREDENTIALS_DIRECTORY/NAME`) holding the password.
    public var passwordCredential: String?
    /// Path of a file holding the password (resolved against the config folder).
    public var passwordFile: String?
    /// Path of a PEM bundle of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Seconds between two reads of the folder (`every:`, default 5m); IMAP IDLE is not in libcurl.
    public var every: Int
    /// The folder a handled message is moved to (default `convene/processed`).
    public var processed: String
    /// The folder for what a person must read (default `convene/needs-attention`).
    public var needsAttention: String

    /// Takes the values as given; the parser does the checking.
    public init(
        url: String, tls: TLSMode, username: String, passwordCredential: String? = nil, passwordFile: String? = nil,
        caFile: String? = nil, every: Int = 300, processed: String = "convene/processed",
        needsAttention: String = "convene/needs-attention"
    ) {
        self.url = url
        self.tls = tls
        self.username = username
        self.passwordCredential = passwordCredential
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.every = every
        self.processed = processed
        self.needsAttention = needsAttention
    }

    /// `url` taken apart: the lower-cased scheme, the authority (`host[:port]`) and the decoded mailbox; nil when it
    /// is not an IMAP URL.
    public var parts: (scheme: String, authority: String, mailbox: String)? {
        try? Self.split(url).get()
    }

    /// The server part of `url`, `scheme://authority`, as libcurl gets it before a mailbox path.
    public var server: String? { parts.map { "\($0.scheme)://\($0.authority)" } }
    /// The folder convene reads (the decoded path of `url`, INBOX when it has none).
    public var mailbox: String? { parts?.mailbox }

    /// Takes an IMAP folder URL apart, or says what is wrong with it. No user, query, fragment or `;` parameter is
    /// accepted: the login has its own keys, and UIDVALIDITY/UID are convene's to add.
    public static func split(_ text: String) -> Result<(scheme: String, authority: String, mailbox: String), URLProblem>
    {
        let form = "'url' must be imaps://HOST[:PORT]/MAILBOX or imap://HOST[:PORT]/MAILBOX; got '\(text)'"
        guard let separator = text.range(of: "://") else { return .failure(URLProblem(form)) }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "imap" || scheme == "imaps" else { return .failure(URLProblem(form)) }
        let rest = text[separator.upperBound...]
        let authority = String(rest.prefix { $0 != "/" })
        guard !authority.isEmpty,
            authority.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7F && !"@?#;%".unicodeScalars.contains($0)
            })
        else { return .failure(URLProblem(form)) }
        var path = String(rest.dropFirst(authority.count))
        if path.hasPrefix("/") { path.removeFirst() }
        if path.contains(where: { "?#;".contains($0) }) {
            return .failure(URLProblem("'url' must name only the mailbox, with no ';', '?' or '#' part; got '\(text)'"))
        }
        guard let decoded = path.removingPercentEncoding else {
            return .failure(URLProblem("'url' has a broken %-escape in its mailbox; got '\(text)'"))
        }
        return .success((scheme, authority, decoded.isEmpty ? "INBOX" : decoded))
    }
}

/// Why a `replies.url` cannot be used.
public struct URLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message for the diagnostic.
    public var description: String
    /// A problem with this message.
    public init(_ description: String) { self.description = description }
}
