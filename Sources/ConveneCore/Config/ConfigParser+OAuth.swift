import Foundation

extension ConfigParser {
    // MARK: smtp.auth and smtp.oauth2

    /// Reads `smtp.oauth2`; nil when it is not a mapping or lacks what a token request needs (each reported).
    static func readOAuth2(_ node: YAMLNode, _ reader: SchemaReader) -> OAuth2Config? {
        guard let map = reader.mapping(node, "'oauth2'") else { return nil }
        refuseSecretInFile(
            map, key: "client_secret", what: "a client secret", credentialKey: "client_secret_credential",
            fileKey: "client_secret_file", reader)
        let urlNode = map.value("token_url", required: true)
        let tokenURL = urlNode.flatMap { reader.scalar($0, "'token_url'") }
        let clientIDNode = map.value("client_id", required: true)
        let clientID = clientIDNode.flatMap { reader.scalar($0, "'client_id'") }
        let scopeNode = map.value("scope", required: true)
        let scope = scopeNode.flatMap { reader.scalar($0, "'scope'") }
        let credential = map.value("client_secret_credential").flatMap {
            reader.identifier($0, "'client_secret_credential'")
        }
        let secretFile = map.value("client_secret_file").flatMap { reader.scalar($0, "'client_secret_file'") }
        let caFile = map.value("ca_file").flatMap { reader.scalar($0, "'ca_file'") }
        let timeout = map.value("timeout").flatMap { seconds($0, "'timeout'", reader) } ?? 30
        map.rejectUnknownKeys()
        var usable = tokenURL != nil && clientID != nil && scope != nil && !map.has("client_secret")
        refuseBothSecretSources(map, credentialKey: "client_secret_credential", fileKey: "client_secret_file", reader)
        // A literal secret is already refused, with a hint naming both forms.
        if !map.has("client_secret_credential") && !map.has("client_secret_file") && !map.has("client_secret") {
            usable = false
            reader.error(
                "'oauth2' needs 'client_secret_credential' or 'client_secret_file'", at: map.node.location,
                hint: "e.g. 'client_secret_credential: oauth-client-secret' with systemd "
                    + "LoadCredential=oauth-client-secret:/etc/convene/oauth-client-secret")
        }
        if let tokenURL, let urlNode, let problem = tokenURLProblem(tokenURL) {
            usable = false
            reader.error(problem, at: urlNode.location, hint: "plain http:// is allowed only to a loopback host")
        }
        for (value, node, key) in [(clientID, clientIDNode, "client_id"), (scope, scopeNode, "scope")] {
            guard let value, let node, value.isEmpty || value.contains(" ") else { continue }
            usable = false
            reader.error("'\(key)' must be one word with no spaces; got '\(value)'", at: node.location)
        }
        guard usable, let tokenURL, let clientID, let scope else { return nil }
        return OAuth2Config(
            tokenURL: tokenURL, clientID: clientID, clientSecretCredential: credential, clientSecretFile: secretFile,
            scope: scope, caFile: caFile, timeout: timeout)
    }

    /// Why `text` cannot be the token endpoint, or nil: it must be `https://HOST…`, or `http://` to loopback (the
    /// secret goes in the request body, so plain text may not leave the machine: the rule of `tls: none`).
    static func tokenURLProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty, url.user == nil, url.password == nil, !text.contains(" ")
        else { return "'token_url' must be an https:// address; got '\(text)'" }
        switch scheme {
        case "https": return nil
        case "http":
            let named = SMTPHost.host(inURL: text) ?? host
            return SMTPHost.isLoopback(named)
                ? nil : "'token_url' must be https:// (the client secret is sent in it); got '\(text)'"
        default: return "'token_url' must be an https:// address; got '\(text)'"
        }
    }

    /// The checks that depend on `smtp.auth`: what each way of logging in needs, and keys it would ignore.
    static func checkAuth(
        _ auth: SMTPAuth, authLocation: SourceLocation?, username: String?, hasPassword: Bool,
        oauth2Written: Bool, _ map: MappingReader, _ reader: SchemaReader
    ) {
        let usernameLocation = map.keyLocation("username") ?? map.node.location
        let passwordKey = map.has("password_credential") ? "password_credential" : "password_file"
        switch auth {
        case .password:
            if username != nil && !hasPassword {
                reader.error(
                    "'username' is set but no password source is", at: usernameLocation,
                    hint: "add 'password_credential: smtp-password' or 'password_file: PATH'")
            }
            if oauth2Written, let location = map.keyLocation("oauth2") {
                reader.warning(
                    "'oauth2' is used only with 'auth: xoauth2'", at: location,
                    hint: "add 'auth: xoauth2' to log in with the token, or remove 'oauth2'")
            }
        case .xoauth2:
            let at = authLocation ?? map.node.location
            if username == nil {
                reader.error(
                    "'auth: xoauth2' needs 'username': the mailbox convene sends as", at: at,
                    hint: "e.g. 'username: convene@example.gov.uk'")
            }
            if !oauth2Written {
                reader.error(
                    "'auth: xoauth2' needs an 'oauth2' block", at: at,
                    hint: "with token_url, client_id, scope and client_secret_credential or client_secret_file")
            }
            if hasPassword, let location = map.keyLocation(passwordKey) {
                reader.warning(
                    "'\(passwordKey)' is not used with 'auth: xoauth2'", at: location,
                    hint: "the token from 'oauth2' replaces the password; remove '\(passwordKey)'")
            }
        case .none:
            if username != nil {
                reader.warning(
                    "'username' is not used with 'auth: none': convene does not log in", at: usernameLocation,
                    hint: "remove 'username', or set 'auth: password' or 'auth: xoauth2'")
            }
            if hasPassword, let location = map.keyLocation(passwordKey) {
                reader.warning("'\(passwordKey)' is not used with 'auth: none'", at: location)
            }
            if oauth2Written, let location = map.keyLocation("oauth2") {
                reader.warning("'oauth2' is used only with 'auth: xoauth2'", at: location)
            }
        }
    }
}
