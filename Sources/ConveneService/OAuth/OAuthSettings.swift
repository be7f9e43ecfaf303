import ConveneCore

/// Where and how to get an access token, with the client secret read from its credential or file. The secret is
/// held in memory only: `description` withholds it.
public struct OAuthSettings: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token endpoint (`https://…`, or `http://` to loopback).
    public var tokenURL: String
    /// The application (client) id.
    public var clientID: String
    /// The client secret, from the systemd credential or the secret file: never printed.
    public var clientSecret: String
    /// The scope asked for (`https://outlook.office365.com/.default`).
    public var scope: String
    /// A PEM file of CA certificates for the endpoint instead of the system store.
    public var caFile: String?
    /// Seconds to wait for the TCP and TLS connection.
    public var connectTimeout: Double
    /// Seconds the whole request may take.
    public var timeout: Double

    /// Settings for one token endpoint and client; `caFile` pins the TLS trust for the endpoint.
    public init(
        tokenURL: String, clientID: String, clientSecret: String, scope: String, caFile: String? = nil,
        connectTimeout: Double = 30, timeout: Double = 30
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// The endpoint's host, for messages (`token: obtained from login.microsoftonline.com`).
    public var host: String { SMTPHost.host(inURL: tokenURL) ?? tokenURL }

    /// The form body of the client-credentials request.
    public var request: OAuthTokenRequest {
        OAuthTokenRequest(clientID: clientID, clientSecret: clientSecret, scope: scope)
    }

    /// A description with the client secret withheld.
    public var description: String {
        "OAuth \(tokenURL) client \(clientID) scope \(scope) secret <withheld>" + (caFile.map { " ca \($0)" } ?? "")
    }

    /// The same as `description`: the secret is withheld in debug output too.
    public var debugDescription: String { description }
}
