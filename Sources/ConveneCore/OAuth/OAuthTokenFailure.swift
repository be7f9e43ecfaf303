/// Why no access token could be had. The executable maps `refused` to 77 (like SMTP credentials refused) and
/// `unavailable` to 75 in a run (the daemon pauses and tries again, as for an unreachable SMTP server) and 69 in
/// `send-test`.
public enum OAuthTokenFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint refused the request (an HTTP 4xx other than 408 and 429, usually 400 or 401 with RFC 6749 §5.2
    /// `error` and `error_description`): a wrong client id, secret or scope. Retrying cannot fix it.
    case refused(status: Int, error: String, description: String)
    /// The endpoint could not be reached or gave no usable answer: no connection, a timeout, TLS failure, a 5xx,
    /// 408 or 429, or an answer that is not a token. Worth retrying later.
    case unavailable(String)

    /// What failed, for the log and status (never the secret or a token).
    public var description: String {
        switch self {
        case .refused(let status, let error, let description):
            let code = error.isEmpty ? "HTTP \(status)" : "HTTP \(status) \(error)"
            return "the OAuth token endpoint refused the client credentials (\(code))"
                + (description.isEmpty ? "" : ": \(description)")
        case .unavailable(let why):
            return "no OAuth token: \(why)"
        }
    }
}
