extension ConfigParser {
    // MARK: replies

    /// Reads `replies:`; nil when it is not a mapping or cannot be used (each problem reported where it is).
    static func readReplies(_ node: YAMLNode, _ reader: SchemaReader) -> RepliesConfig? {
        guard let map = reader.mapping(node, "'replies'") else { return nil }
        refuseSecretInFile(
            map, key: "password", what: "a password", credentialKey: "password_credential", fileKey: "password_file",
            reader)
        let urlNode = map.value("url", required: true)
        let url = urlNode.flatMap { reader.scalar($0, "'url'") }
        let tlsNode = map.value("tls")
        let tls = tlsNode.flatMap { choice($0, "'tls'", TLSMode.self, reader) }
        let usernameNode = map.value("username", required: true)
        let username = usernameNode.flatMap { reader.scalar($0, "'username'") }
        let credential = map.value("password_credential").flatMap { reader.identifier($0, "'password_credential'") }
        let passwordFile = map.value("password_file").flatMap { reader.scalar($0, "'password_file'") }
        let caFile = map.value("ca_file").flatMap { reader.scalar($0, "'ca_file'") }
        let everyNode = map.value("every")
        let every = everyNode.flatMap { reader.phrase($0, "'every'", parseInterval) }
        let processed = map.value("processed").flatMap { folder($0, "'processed'", reader) }
        let attention = map.value("needs_attention").flatMap { folder($0, "'needs_attention'", reader) }
        map.rejectUnknownKeys()
        refuseBothSecretSources(map, credentialKey: "password_credential", fileKey: "password_file", reader)
        var usable = !map.has("password") && username != nil && (everyNode == nil || every != nil)
        usable = usable && (!map.has("processed") || processed != nil)
        usable = usable && (!map.has("needs_attention") || attention != nil)
        if !map.has("password_credential") && !map.has("password_file") && !map.has("password") {
            usable = false
            reader.error(
                "'replies' needs 'password_credential' or 'password_file'", at: map.node.location,
                hint: "e.g. 'password_credential: imap-password' with systemd "
                    + "LoadCredential=imap-password:/etc/convene/imap-password")
        }
        if let username, let usernameNode, username.isEmpty || username.contains(where: { $0.isWhitespace }) {
            usable = false
            reader.error("'username' must be one word with no spaces; got '\(username)'", at: usernameNode.location)
        }
        guard let url, let urlNode else { return nil }
        let parts: (scheme: String, authority: String, mailbox: String)
        switch RepliesConfig.split(url) {
        case .failure(let problem):
            reader.error(problem.description, at: urlNode.location, hint: "e.g. imaps://imap.example.gov.uk/INBOX")
            return nil
        case .success(let split): parts = split
        }
        if let problem = IMAPMailboxName.problem(parts.mailbox) {
            reader.error("'url' names a mailbox convene cannot use: \(problem)", at: urlNode.location)
            usable = false
        }
        let mode = tls ?? (parts.scheme == "imaps" ? .implicit : .starttls)
        let at = tlsNode?.location ?? urlNode.location
        switch (parts.scheme, mode) {
        case ("imaps", .implicit), ("imap", .starttls): break
        case ("imaps", _):
            usable = false
            reader.error(
                "an imaps:// url means implicit TLS: remove 'tls' or set 'tls: implicit'", at: at,
                hint: "for STARTTLS use imap://\(parts.authority)/… with 'tls: starttls'")
        case (_, .implicit):
            usable = false
            reader.error("'tls: implicit' needs an imaps:// url", at: at, hint: "e.g. imaps://\(parts.authority)/INBOX")
        default:
            let host = SMTPHost.host(inAuthority: parts.authority)
            if !SMTPHost.isLoopback(host) {
                usable = false
                reader.error(
                    "'tls: none' is allowed only to a loopback host, not '\(host)'", at: at,
                    hint: "use imaps:// or 'tls: starttls' so the password and replies are encrypted")
            }
        }
        if let processed, let attention, processed == attention, let location = map.keyLocation("needs_attention") {
            usable = false
            reader.error("'needs_attention' must be another folder than 'processed'", at: location)
        }
        for (name, key) in [(processed, "processed"), (attention, "needs_attention")] {
            guard let name, name == parts.mailbox, let location = map.keyLocation(key) else { continue }
            usable = false
            reader.error("'\(key)' must be another folder than the one read ('\(name)')", at: location)
        }
        guard usable, let username else { return nil }
        return RepliesConfig(
            url: url, tls: mode, username: username, passwordCredential: credential, passwordFile: passwordFile,
            caFile: caFile, every: every ?? 300, processed: processed ?? "convene/processed",
            needsAttention: attention ?? "convene/needs-attention")
    }

    /// A folder name for `processed`/`needs_attention`; reported and nil when IMAP could be made to run more than
    /// the one command with it.
    static func folder(_ node: YAMLNode, _ what: String, _ reader: SchemaReader) -> String? {
        guard let text = reader.scalar(node, what) else { return nil }
        if let problem = IMAPMailboxName.problem(text) {
            reader.error("\(what): \(problem)", at: node.location, hint: "a folder such as convene/processed")
            return nil
        }
        return text
    }

    /// `every:` in seconds: `90s`, `5m`, `1h`, `1h30m`; from 10 seconds to 24 hours.
    static func parseInterval(_ text: String) -> Result<Int, PhraseError> {
        let compact = text.lowercased().replacingOccurrences(of: " ", with: "")
        let seconds: Int
        if compact.hasSuffix("s"), let n = Int(compact.dropLast()), !compact.hasSuffix("hrs"),
            !compact.hasSuffix("mins")
        {
            seconds = n
        } else if case .success(let duration) = Duration.parse(text) {
            seconds = duration.minutes * 60
        } else {
            return .failure(PhraseError("'\(text)' is not an interval; write e.g. 5m, 90s or 1h"))
        }
        guard (10...86_400).contains(seconds) else {
            return .failure(PhraseError("the interval must be from 10s to 24h; got '\(text)'"))
        }
        return .success(seconds)
    }
}
