/// How convene logs in to the SMTP server (`smtp.auth`).
///
/// `password` is SASL PLAIN/LOGIN with `username` and a password read from a credential or file (and no AUTH at all
/// without a username, as before this setting existed); `xoauth2` is SASL XOAUTH2 with an OAuth 2.0 access token got
/// by the client-credentials flow (`smtp.oauth2`), which Exchange Online needs once Basic auth is off (MC786329);
/// `none` never authenticates (a local relay that trusts the host).
public enum SMTPAuth: String, Sendable, Hashable, Codable, CaseIterable {
    case password
    case xoauth2
    case none
}
