import ConveneCore

/// Where and how to reach the SMTP server. The password, the client secret and the access token are held in memory
/// only and never printed.
public struct SMTPSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `smtp://host[:port]` (STARTTLS or plain) or `smtps://host[:port]` (implicit TLS), without a path.
    public var url: String
    /// STARTTLS, implicit TLS (`smtps://`) or none, which `curlURL()` allows only to a loopback host.
    public var tls: TLSMode
    /// The SMTP AUTH login; nil sends without authenticating.
    public var username: String?
    /// The password read from the systemd credential or the password file; never printed, `<redacted>` in logs.
    public var password: String?
    /// The name sent with EHLO (libcurl takes it from the URL path).
    public var helo: String
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// Seconds to wait for the TCP and TLS connection.
    public var connectTimeout: Double
    /// Seconds to wait for each server reply (RFC 5321 allows 10 minutes after the final dot).
    public var responseTimeout: Double
    /// How to log in: `password` (with `username` and `password`; no AUTH without a username), `xoauth2` (with
    /// `username` and `bearerToken`), or `none`.
    public var auth: SMTPAuth
    /// Where `xoauth2` gets its tokens.
    public var oauth2: OAuthSettings?
    /// The access token a connection presents with `xoauth2` (set by `SMTPTransport` before each message).
    public var bearerToken: String?

    /// Defaults as in the rules file: STARTTLS, 30 s to connect, 600 s per reply; `curlURL()` does the checking.
    public init(
        url: String, tls: TLSMode = .starttls, username: String? = nil, password: String? = nil, helo: String,
        caFile: String? = nil, connectTimeout: Double = 30, responseTimeout: Double = 600, auth: SMTPAuth = .password,
        oauth2: OAuthSettings? = nil, bearerToken: String? = nil
    ) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.helo = helo
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.auth = auth
        self.oauth2 = oauth2
        self.bearerToken = bearerToken
    }

    /// One line for logs: URL, TLS, EHLO name, user and CA file, with the password shown only as `<redacted>`.
    public var description: String {
        let user = username.map { " user \($0)" } ?? ""
        let secret = password == nil ? "" : " password <redacted>"
        let ca = caFile.map { " ca \($0)" } ?? ""
        let login = auth == .password ? "" : " auth \(auth.rawValue)"
        let token = bearerToken == nil ? "" : " token <withheld>"
        let oauth = oauth2.map { " (\($0))" } ?? ""
        return "SMTP \(url) tls \(tls.rawValue) helo \(helo)\(user)\(secret)\(ca)\(login)\(token)\(oauth)"
    }

    /// The same as `description`, so `debugPrint` shows no password either.
    public var debugDescription: String { description }

    /// The URL libcurl gets, `scheme://authority/<helo>`, after checking that the settings can work.
    public func curlURL() throws(SMTPError) -> String {
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidSettings("smtp.url \(url.debugDescription) is not of the form smtp://host:port")
        }
        let scheme = parts[0].lowercased()
        var authority = parts[1]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.isEmpty,
            authority.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7F && !"/@?#".unicodeScalars.contains($0)
            })
        else {
            throw .invalidSettings(
                "smtp.url \(url.debugDescription) must be scheme://host[:port] with no user, path or query "
                    + "(the EHLO name goes in smtp.helo)")
        }
        switch (scheme, tls) {
        case ("smtp", .starttls), ("smtps", .implicit): break
        case ("smtp", .none):
            // The same rule `validate` applies (SMTPHost), so a file that validates is never refused here.
            let host = SMTPHost.host(inAuthority: String(authority))
            guard SMTPHost.isLoopback(host) else {
                throw .invalidSettings(
                    "tls: none sends the password and mail in plain text; it is allowed only to a loopback "
                        + "address, not \(host)")
            }
        case ("smtps", _):
            throw .invalidSettings("smtps:// means implicit TLS: set tls: implicit, or use smtp:// for STARTTLS")
        case ("smtp", .implicit):
            throw .invalidSettings("tls: implicit needs an smtps:// URL (usually port 465)")
        default:
            throw .invalidSettings("smtp.url must start with smtp:// or smtps://, not \(scheme)://")
        }
        guard Self.isValidHelo(helo) else {
            throw .invalidSettings(
                "smtp.helo \(helo.debugDescription) must be a host name (letters, digits, '-', '.') "
                    + "or an address literal like [192.0.2.1]")
        }
        switch auth {
        case .password where username != nil && password == nil:
            throw .invalidSettings("smtp.username is set but no password was given")
        case .xoauth2 where username == nil:
            throw .invalidSettings("auth: xoauth2 needs smtp.username, the mailbox to send as")
        default: break
        }
        let encodedHelo = helo.map { $0 == "[" ? "%5B" : $0 == "]" ? "%5D" : String($0) }.joined()
        return "\(scheme)://\(authority)/\(encodedHelo)"
    }

    static func isValidHelo(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        if name.hasPrefix("[") && name.hasSuffix("]") && name.count > 2 {
            return name.dropFirst().dropLast().unicodeScalars.allSatisfy {
                ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0)
                    || ".:IPvV6".unicodeScalars.contains($0)
            }
        }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
    }
}
