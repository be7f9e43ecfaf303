import Foundation

extension Config {
    /// The resolved configuration as JSON-ready values (for `validate --print`); no password or client secret
    /// ever appears (only where each is read from).
    public var jsonObject: [String: Any] {
        let s = service
        var object: [String: Any] = [
            "service": [
                "timezone": s.timeZone.identifier, "from": mailboxText(s.from), "organizer": mailboxText(s.organizer),
                "roster": s.roster, "people": s.people ?? NSNull(), "templates": s.templates,
                "state": s.state ?? NSNull(),
                "send_window": s.sendWindow.description, "rate": s.rate?.description ?? NSNull(),
                // The file as written, and the closed days read from it (keyed by date, so sorted keys list them in
                // date order).
                "holidays": s.holidays ?? NSNull(),
                "holiday_dates": Dictionary(
                    uniqueKeysWithValues: s.sendWindow.holidays.names.map { ($0.key.description, $0.value) }),
                "late_joiners": s.lateJoiners.rawValue, "leavers": s.leavers.rawValue,
                "max_roster_shrink": "\(Int((s.maxRosterShrink * 100).rounded()))%",
                "max_calendar_changes": "\(Int((s.maxCalendarChanges * 100).rounded()))%",
                "publish": s.publish ?? NSNull(),
            ] as [String: Any],
            "smtp": [
                "url": smtp.url, "tls": smtp.tls.rawValue, "username": smtp.username ?? NSNull(),
                "password_credential": smtp.passwordCredential ?? NSNull(),
                "password_file": smtp.passwordFile ?? NSNull(),
                "helo": smtp.helo ?? NSNull(), "connections": smtp.connections, "ca_file": smtp.caFile ?? NSNull(),
                "connect_timeout": smtp.connectTimeout, "response_timeout": smtp.responseTimeout,
                "auth": smtp.auth.rawValue, "oauth2": smtp.oauth2.map(oauth2Object) ?? NSNull(),
            ] as [String: Any],
            "grades": grades.map { ["id": $0.id, "name": $0.name, "aliases": $0.aliases] },
            "forums": forums.map {
                [
                    "id": $0.id, "name": $0.name, "grades": $0.grades, "roles": $0.roles, "include": $0.include,
                    "public": $0.isPublic,
                ]
            },
            "events": events.map { e -> [String: Any] in
                [
                    "id": e.id, "title": e.title, "forums": e.forums, "start": e.start.description,
                    "duration": e.duration.description, "repeat": e.recurrence?.description ?? NSNull(),
                    "except": e.except.map(\.description),
                    "except_reasons": Dictionary(
                        uniqueKeysWithValues: e.exceptReasons.map { ($0.key.description, $0.value) }),
                    "moved": Dictionary(
                        uniqueKeysWithValues: e.moved.map { ($0.key.description, $0.value.description) }),
                    "reason": e.reason ?? NSNull(), "location": e.location ?? NSNull(),
                    "join_url": e.joinURL ?? NSNull(), "description": e.description ?? NSNull(),
                    "status": e.status.rawValue, "dates": Occurrences.dates(of: e).map(\.description),
                    "public": e.isPublic,
                    "hosting": e.hosting.map { h -> Any in
                        [
                            "capacity": h.capacity, "hosts": h.hosts, "mix": h.mixDepartments ? "department" : "none",
                            "offer": h.offer.description, "invite": h.invite?.description ?? NSNull(),
                            "offers_close": h.offersClose?.description ?? NSNull(),
                        ] as [String: Any]
                    } ?? NSNull(),
                ]
            },
            "notifications": notifications.map { rule -> [String: Any] in
                var entry: [String: Any] = [
                    "id": rule.id, "kind": rule.kind.rawValue, "send": rule.send.description, "template": rule.template,
                    "forums": rule.forums, "grades": rule.grades, "events": rule.events, "to": rule.to.rawValue,
                ]
                // Only on a rule with files, so the output for every other rule is as before.
                if !rule.attach.isEmpty { entry["attach"] = rule.attach.map(\.path) }
                return entry
            },
        ]
        if let r = replies {
            // Only with a `replies:` block, so the output of files without one is as before.
            object["replies"] =
                [
                    "url": r.url, "tls": r.tls.rawValue, "username": r.username,
                    "password_credential": r.passwordCredential ?? NSNull(),
                    "password_file": r.passwordFile ?? NSNull(),
                    "ca_file": r.caFile ?? NSNull(), "every": r.every, "processed": r.processed,
                    "needs_attention": r.needsAttention,
                ] as [String: Any]
        }
        return object
    }

    /// Where the client secret is read from, never the secret (the rules file cannot hold it).
    private func oauth2Object(_ o: OAuth2Config) -> [String: Any] {
        [
            "token_url": o.tokenURL, "client_id": o.clientID, "scope": o.scope,
            "client_secret_credential": o.clientSecretCredential ?? NSNull(),
            "client_secret_file": o.clientSecretFile ?? NSNull(), "ca_file": o.caFile ?? NSNull(),
            "timeout": o.timeout,
        ]
    }

    private func mailboxText(_ m: Mailbox) -> String { m.name.isEmpty ? m.address : "\(m.name) <\(m.address)>" }
}
