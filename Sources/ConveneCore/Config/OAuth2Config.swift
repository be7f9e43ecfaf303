/// The `smtp.oauth2` block: where and how to get an access token for `auth: xoauth2` (OAuth 2.0 client-credentials
/// grant, RFC 6749 §4.4). The client secret itself never appears here, only where to read it.
public struct OAuth2Config: Sendable, Hashable {
    /// The token endpoint, `https://…` (plain `http://` only to a loopback host).
    public var tokenURL: String
    /// The application (client) id registered with the identity provider.
    public var clientID: String
    /// Name of a systemd credential holding the client secret (`$CREDENTIALS_DIRECTORY/NAME`).
    public var clientSecretCredential: String?
    /// Path of a file holding the client secret (resolved against the config folder).
    public var clientSecretFile: String?
    /// The scope asked for, e.g. `https://outlook.office365.com/.default`.
    public var scope: String
    /// A PEM file of CA certificates for the token endpoint instead of the system store. Not `smtp.ca_file`: the
    /// endpoint is usually a public cloud service while `smtp.ca_file` usually names a private relay's CA.
    public var caFile: String?
    /// Seconds the whole token request may take (connecting included).
    public var timeout: Int

    /// The `oauth2` settings as parsed; exactly one of the secret's sources is set.
    public init(
        tokenURL: String, clientID: String, clientSecretCredential: String? = nil, clientSecretFile: String? = nil,
        scope: String, caFile: String? = nil, timeout: Int = 30
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecretCredential = clientSecretCredential
        self.clientSecretFile = clientSecretFile
        self.scope = scope
        self.caFile = caFile
        self.timeout = timeout
    }
}
