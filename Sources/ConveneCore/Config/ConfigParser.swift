import Foundation

/// Turns the text of the rules file into a typed `Config`, or every problem found in it.
public enum ConfigParser {
    /// Parses and validates the rules file. The config is returned whenever the file is a mapping, even with errors,
    /// so the loader can still check templates and report every problem in one run; callers must not use a config
    /// whose diagnostics have errors for anything else.
    public static func parse(_ text: String, file: String) -> (config: Config?, diagnostics: [Diagnostic]) {
        let root: YAMLNode
        switch YAMLParser.parse(text, file: file) {
        case .failure(let diagnostics): return (nil, diagnostics)
        case .success(nil):
            return (nil, [Diagnostic(file: file, line: 1, column: 1, message: "the rules file is empty")])
        case .success(let node?): root = node
        }
        let reader = SchemaReader(file: file)
        let config = read(root, reader)
        let diagnostics = reader.diagnostics.sortedByLocation()
        return (config, diagnostics)
    }

    static func read(_ root: YAMLNode, _ reader: SchemaReader) -> Config? {
        guard let top = reader.mapping(root, "the rules file") else { return nil }
        let serviceNode = top.value("service", required: true)
        let smtpNode = top.value("smtp", required: true)
        let gradesNode = top.value("grades", required: true)
        let forumsNode = top.value("forums", required: true)
        let eventsNode = top.value("events", required: true)
        let notificationsNode = top.value("notifications", required: true)
        let repliesNode = top.value("replies")
        top.rejectUnknownKeys()

        let service = serviceNode.flatMap { readService($0, reader) }
        let smtp = smtpNode.flatMap { readSMTP($0, reader) }
        let grades = gradesNode.map { readGrades($0, reader) } ?? []
        let table = GradeTable(grades)
        let forums = forumsNode.map { readForums($0, table, reader) } ?? []
        let forumIDs = Set(forums.map(\.id))
        let events = eventsNode.map { readEvents($0, forumIDs, reader) } ?? []
        if let eventsNode, events.isEmpty, !reader.diagnostics.hasErrors {
            // An events block commented out by mistake: every invitation already sent would be cancelled.
            reader.warning(
                "'events' is empty: there is no programme, and every invitation already sent would be cancelled",
                at: eventsNode.location,
                hint: "if this is a mistake, restore the events; a change this large waits for `convene approve`")
        }
        let notifications =
            notificationsNode.map { readNotifications($0, forumIDs, Set(events.map(\.id)), table, reader) } ?? []
        let replies = repliesNode.flatMap { readReplies($0, reader) }
        // Stand-ins keep the rest checkable when a section is broken; its errors are already recorded.
        let placeholder = Mailbox(name: "", address: "invalid@invalid.invalid")
        return Config(
            file: reader.file,
            service: service
                ?? ServiceSettings(timeZone: TimeZone(identifier: "UTC")!, from: placeholder, organizer: placeholder),
            smtp: smtp ?? SMTPConfig(url: "smtp://localhost"), grades: grades, forums: forums, events: events,
            notifications: notifications, replies: replies)
    }

    // MARK: service

    static func readService(_ node: YAMLNode, _ reader: SchemaReader) -> ServiceSettings? {
        guard let map = reader.mapping(node, "'service'") else { return nil }
        var zone: TimeZone?
        if let n = map.value("timezone", required: true), let name = reader.scalar(n, "'timezone'") {
            zone = TimeZone(identifier: name)
            // Foundation accepts abbreviations like "BST" that are not IANA zones and have no DST rules.
            if zone == nil || !TimeZone.knownTimeZoneIdentifiers.contains(name) {
                zone = nil
                reader.error(
                    "unknown time zone '\(name)'", at: n.location,
                    hint: "use an IANA zone name such as Europe/London")
            }
            reader.timeZone = zone
        }
        let from = map.value("from", required: true).flatMap { reader.phrase($0, "'from'", EmailAddress.parseMailbox) }
        var organizer = from
        if let n = map.value("organizer"), let mailbox = reader.phrase(n, "'organizer'", EmailAddress.parseMailbox) {
            organizer = Mailbox(
                name: mailbox.name.isEmpty ? (from?.name ?? "") : mailbox.name, address: mailbox.address)
        }
        let roster = map.value("roster").flatMap { reader.scalar($0, "'roster'") } ?? "roster.csv"
        let peopleNode = map.value("people")
        var people = peopleNode.flatMap { reader.scalar($0, "'people'") }
        if let node = peopleNode, people?.isEmpty == true {
            people = nil
            reader.error(
                "'people' must name a file", at: node.location,
                hint:
                    "the team's CSV of opt-outs, delegates and forums, next to the rules file; remove the key for none")
        }
        let templates = map.value("templates").flatMap { reader.scalar($0, "'templates'") } ?? "templates"
        let state = map.value("state").flatMap { reader.scalar($0, "'state'") }
        let window = map.value("send_window").flatMap { reader.phrase($0, "'send_window'", SendWindow.parse) }
        let holidaysNode = map.value("holidays")
        var holidays = holidaysNode.flatMap { reader.scalar($0, "'holidays'") }
        if let node = holidaysNode, holidays?.isEmpty == true {
            holidays = nil
            reader.error(
                "'holidays' must name a file", at: node.location,
                hint: "a file of 'YYYY-MM-DD name' lines, next to the rules file; remove the key for no holidays")
        }
        let rate = map.value("rate").flatMap { reader.phrase($0, "'rate'", Rate.parse) }
        let late = map.value("late_joiners").flatMap { choice($0, "'late_joiners'", LateJoinerPolicy.self, reader) }
        let leavers = map.value("leavers").flatMap { choice($0, "'leavers'", LeaverPolicy.self, reader) }
        let shrink = map.value("max_roster_shrink").flatMap {
            reader.phrase($0, "'max_roster_shrink'", parsePercentage)
        }
        let changes = map.value("max_calendar_changes").flatMap {
            reader.phrase($0, "'max_calendar_changes'", parsePercentage)
        }
        let publishNode = map.value("publish")
        var publish = publishNode.flatMap { reader.scalar($0, "'publish'") }
        if let publishNode, publish?.isEmpty == true {
            publish = nil
            reader.error(
                "'publish' must name a folder", at: publishNode.location,
                hint: "the folder the programme's pages and feeds are written to; remove the key to publish nothing")
        }
        map.rejectUnknownKeys()
        let placeholder = Mailbox(name: "", address: "invalid@invalid.invalid")
        return ServiceSettings(
            timeZone: zone ?? TimeZone(identifier: "UTC")!, from: from ?? placeholder,
            organizer: organizer ?? placeholder, roster: roster, templates: templates, state: state,
            sendWindow: window ?? .always, holidays: holidays,
            holidaysLocation: holidaysNode?.location ?? map.node.location, rate: rate, lateJoiners: late ?? .invite,
            leavers: leavers ?? .cancel,
            maxRosterShrink: shrink ?? 0.10, maxCalendarChanges: changes ?? 0.10, publish: publish, people: people,
            peopleLocation: peopleNode?.location ?? map.node.location)
    }

    static func choice<T: RawRepresentable & CaseIterable>(
        _ node: YAMLNode, _ what: String, _: T.Type, _ reader: SchemaReader
    ) -> T? where T.RawValue == String {
        guard let text = reader.scalar(node, what) else { return nil }
        guard let value = T(rawValue: text) else {
            reader.error(
                "\(what) must be one of: " + T.allCases.map(\.rawValue).joined(separator: ", ") + "; got '\(text)'",
                at: node.location)
            return nil
        }
        return value
    }

    // MARK: smtp

    static func readSMTP(_ node: YAMLNode, _ reader: SchemaReader) -> SMTPConfig? {
        guard let map = reader.mapping(node, "'smtp'") else { return nil }
        refuseSecretInFile(
            map, key: "password", what: "a password", credentialKey: "password_credential", fileKey: "password_file",
            reader)
        let urlNode = map.value("url", required: true)
        let url = urlNode.flatMap { reader.scalar($0, "'url'") }
        let tls = map.value("tls").flatMap { choice($0, "'tls'", TLSMode.self, reader) } ?? .starttls
        let username = map.value("username").flatMap { reader.scalar($0, "'username'") }
        let credential = map.value("password_credential").flatMap { reader.identifier($0, "'password_credential'") }
        let passwordFile = map.value("password_file").flatMap { reader.scalar($0, "'password_file'") }
        let helo = map.value("helo").flatMap { reader.scalar($0, "'helo'") }
        let caFile = map.value("ca_file").flatMap { reader.scalar($0, "'ca_file'") }
        let connections = map.value("connections").flatMap { positiveInt($0, "'connections'", max: 64, reader) } ?? 1
        let connectTimeout = map.value("connect_timeout").flatMap { seconds($0, "'connect_timeout'", reader) } ?? 30
        let responseTimeout = map.value("response_timeout").flatMap { seconds($0, "'response_timeout'", reader) } ?? 600
        let authNode = map.value("auth")
        let auth = authNode.flatMap { choice($0, "'auth'", SMTPAuth.self, reader) }
        let oauth2 = map.value("oauth2").flatMap { readOAuth2($0, reader) }
        map.rejectUnknownKeys()
        refuseBothSecretSources(map, credentialKey: "password_credential", fileKey: "password_file", reader)
        guard let url, let urlNode else { return nil }
        let config = SMTPConfig(
            url: url, tls: tls, username: username, passwordCredential: credential, passwordFile: passwordFile,
            helo: helo, connections: connections, caFile: caFile, connectTimeout: connectTimeout,
            responseTimeout: responseTimeout, auth: auth ?? .password, oauth2: auth == .xoauth2 ? oauth2 : nil)
        let scheme = url.split(separator: ":").first.map { $0.lowercased() }
        guard scheme == "smtp" || scheme == "smtps", let host = config.host, !host.isEmpty else {
            reader.error("'url' must be smtp://HOST[:PORT] or smtps://HOST[:PORT]; got '\(url)'", at: urlNode.location)
            return nil
        }
        if tls == .implicit && scheme != "smtps" {
            reader.error(
                "'tls: implicit' needs an smtps:// url", at: urlNode.location, hint: "e.g. smtps://\(host):465")
        }
        if tls != .implicit && scheme == "smtps" {
            reader.error("an smtps:// url means implicit TLS: set 'tls: implicit'", at: urlNode.location)
        }
        // The host as `run` reads it from the URL (SMTPSettings), checked by the same rule.
        if tls == .none && !SMTPHost.isLoopback(SMTPHost.host(inURL: url) ?? host) {
            reader.error(
                "'tls: none' is allowed only to a loopback host, not '\(host)'", at: urlNode.location,
                hint: "use 'tls: starttls' so the password and mail are encrypted")
        }
        // An unknown `auth` value is already reported; checking what it would need adds only noise.
        if authNode == nil || auth != nil {
            checkAuth(
                auth ?? .password, authLocation: authNode?.location, username: username,
                hasPassword: credential != nil || passwordFile != nil, oauth2Written: map.has("oauth2"), map, reader)
        }
        return config
    }

    /// `public: true` or `public: false`; anything else (YAML 1.1's yes/no/on/off too, which YAML 1.2 reads as
    /// strings) is an error rather than a guess.
    static func flag(_ node: YAMLNode, _ what: String, _ reader: SchemaReader) -> Bool? {
        guard let text = reader.scalar(node, what) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            reader.error(
                "\(what) must be true or false; got '\(text)'", at: node.location,
                hint: "write 'true' or 'false' (YAML 1.2 reads yes/no/on/off as text)")
            return nil
        }
    }

    static func positiveInt(_ node: YAMLNode, _ what: String, max: Int, _ reader: SchemaReader) -> Int? {
        guard let text = reader.scalar(node, what) else { return nil }
        guard let n = Int(text), n >= 1, n <= max else {
            reader.error("\(what) must be a whole number from 1 to \(max); got '\(text)'", at: node.location)
            return nil
        }
        return n
    }

    static func seconds(_ node: YAMLNode, _ what: String, _ reader: SchemaReader) -> Int? {
        guard let text = reader.scalar(node, what) else { return nil }
        let digits = text.hasSuffix("s") ? String(text.dropLast()) : text
        guard let n = Int(digits), n >= 1, n <= 3600 else {
            reader.error("\(what) must be seconds, e.g. 30s; got '\(text)'", at: node.location)
            return nil
        }
        return n
    }
}
