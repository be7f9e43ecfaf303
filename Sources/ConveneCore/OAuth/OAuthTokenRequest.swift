/// The client-credentials token request (RFC 6749 §4.4.2): the form body POSTed to the token endpoint. It holds the
/// client secret, so `description` withholds it.
public struct OAuthTokenRequest: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The application (client) id.
    public var clientID: String
    /// The client secret: sent in the body, never printed.
    public var clientSecret: String
    /// The scope asked for.
    public var scope: String

    /// A client-credentials request for `scope`.
    public init(clientID: String, clientSecret: String, scope: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
    }

    /// `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`, each value form-URL-encoded
    /// (`application/x-www-form-urlencoded`, RFC 6749 Appendix B): secrets often hold `+`, `/`, `=` or `~`, and a
    /// raw `+` would reach the endpoint as a space.
    public var body: String {
        [
            ("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret),
            ("scope", scope),
        ].map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
    }

    /// The value as the HTML form encoding writes it: ASCII letters, digits and `-._*` as they are, a space as `+`,
    /// every other UTF-8 byte as `%XX`.
    public static func formEncoded(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                encoded += "+"
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded += "%"
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }

    /// A description with the client secret withheld.
    public var description: String { "token request for client \(clientID), scope \(scope) (secret withheld)" }
    /// The same as `description`: the secret is withheld in debug output too.
    public var debugDescription: String { description }
}
