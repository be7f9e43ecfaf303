import Foundation

/// The whole rules file, typed and validated.
public struct Config: Sendable {
    /// The path the rules file was read from, as given (used in diagnostics).
    public var file: String
    public var service: ServiceSettings
    public var smtp: SMTPConfig
    /// Most senior first.
    public var grades: [Grade]
    public var forums: [Forum]
    public var events: [Event]
    public var notifications: [NotificationRule]

    public init(
        file: String, service: ServiceSettings, smtp: SMTPConfig, grades: [Grade], forums: [Forum],
        events: [Event], notifications: [NotificationRule]
    ) {
        self.file = file
        self.service = service
        self.smtp = smtp
        self.grades = grades
        self.forums = forums
        self.events = events
        self.notifications = notifications
    }

    /// The forum with this id.
    public func forum(_ id: String) -> Forum? { forums.first { $0.id == id } }
    /// The event with this id.
    public func event(_ id: String) -> Event? { events.first { $0.id == id } }
    /// The notification rule with this id.
    public func notification(_ id: String) -> NotificationRule? { notifications.first { $0.id == id } }

    /// The grade table for resolving roster grades and aliases.
    public var gradeTable: GradeTable { GradeTable(grades) }
}

/// What an admin chooses for someone who joins an audience after invitations went out.
public enum LateJoinerPolicy: String, Sendable, Hashable, Codable, CaseIterable { case invite, ignore }
/// What happens to invitations of someone who leaves an audience.
public enum LeaverPolicy: String, Sendable, Hashable, Codable, CaseIterable { case cancel, keep }

/// The `service:` section.
public struct ServiceSettings: Sendable {
    public var timeZone: TimeZone
    public var from: Mailbox
    /// The mailbox that receives calendar replies (ORGANIZER); its name is `from`'s when not given.
    public var organizer: Mailbox
    /// Path of the roster CSV, resolved against the config file's folder by the loader.
    public var roster: String
    public var templates: String
    public var state: String?
    /// The send window; its holidays are filled in by the loader from the `holidays` file.
    public var sendWindow: SendWindow
    /// Path of the public holidays file (`YYYY-MM-DD name` lines), resolved against the config file's folder by the
    /// loader; nil when the rules file names none.
    public var holidays: String?
    /// Where `holidays:` is written in the rules file, for an error about the file itself (it cannot be read).
    public var holidaysLocation: SourceLocation
    public var rate: Rate?
    public var lateJoiners: LateJoinerPolicy
    public var leavers: LeaverPolicy
    /// The largest fraction of audience members a new roster may drop (0.10 = 10%).
    public var maxRosterShrink: Double
    /// The largest fraction of the people holding invitations to future occurrences that a change of the files may
    /// cancel or update without an admin's `convene approve` (0.10 = 10%).
    public var maxCalendarChanges: Double

    public init(
        timeZone: TimeZone, from: Mailbox, organizer: Mailbox, roster: String = "roster.csv",
        templates: String = "templates", state: String? = nil, sendWindow: SendWindow = .always, holidays: String? = nil,
        holidaysLocation: SourceLocation = .init(line: 1, column: 1), rate: Rate? = nil,
        lateJoiners: LateJoinerPolicy = .invite, leavers: LeaverPolicy = .cancel, maxRosterShrink: Double = 0.10,
        maxCalendarChanges: Double = 0.10
    ) {
        self.timeZone = timeZone
        self.from = from
        self.organizer = organizer
        self.roster = roster
        self.templates = templates
        self.state = state
        self.sendWindow = sendWindow
        self.holidays = holidays
        self.holidaysLocation = holidaysLocation
        self.rate = rate
        self.lateJoiners = lateJoiners
        self.leavers = leavers
        self.maxRosterShrink = maxRosterShrink
        self.maxCalendarChanges = maxCalendarChanges
    }

    /// The organizer's domain, the right-hand side of every UID and Message-ID.
    public var domain: String { String(organizer.address.split(separator: "@").last ?? "localhost").lowercased() }
}

/// How the SMTP connection is protected.
public enum TLSMode: String, Sendable, Hashable, Codable, CaseIterable { case starttls, implicit, none }

/// The `smtp:` section. The password itself never appears here: only where to read it.
public struct SMTPConfig: Sendable, Hashable {
    public var url: String
    public var tls: TLSMode
    public var username: String?
    /// Name of a systemd credential (`$CREDENTIALS_DIRECTORY/NAME`).
    public var passwordCredential: String?
    /// Path of a file holding the password (resolved against the config folder).
    public var passwordFile: String?
    public var helo: String?
    public var connections: Int
    public var caFile: String?
    public var connectTimeout: Int
    public var responseTimeout: Int
    /// How to log in: a password (the default), an OAuth 2.0 token (XOAUTH2), or not at all.
    public var auth: SMTPAuth
    /// Where the token comes from; set for `auth: xoauth2` only.
    public var oauth2: OAuth2Config?

    public init(
        url: String, tls: TLSMode = .starttls, username: String? = nil, passwordCredential: String? = nil,
        passwordFile: String? = nil, helo: String? = nil, connections: Int = 1, caFile: String? = nil,
        connectTimeout: Int = 30, responseTimeout: Int = 600, auth: SMTPAuth = .password, oauth2: OAuth2Config? = nil
    ) {
        self.url = url
        self.tls = tls
        self.username = username
        self.passwordCredential = passwordCredential
        self.passwordFile = passwordFile
        self.helo = helo
        self.connections = connections
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.auth = auth
        self.oauth2 = oauth2
    }

    /// The host part of `url`, lower-cased (for the loopback rule of `tls: none`).
    public var host: String? {
        guard let components = URLComponents(string: url) else { return nil }
        return components.host?.lowercased()
    }
}

/// A grade, most senior first in the file, with the other names HR exports use for it.
public struct Grade: Sendable, Hashable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var location: SourceLocation

    public init(id: String, name: String, aliases: [String] = [], location: SourceLocation = .init(line: 0, column: 0)) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.location = location
    }
}

/// Looks grades up by id or alias, ignoring case and surrounding spaces.
public struct GradeTable: Sendable {
    private var byKey: [String: Grade] = [:]
    public let grades: [Grade]

    public init(_ grades: [Grade]) {
        self.grades = grades
        for grade in grades {
            for key in [grade.id] + grade.aliases { byKey[GradeTable.key(key)] = byKey[GradeTable.key(key)] ?? grade }
        }
    }

    /// The grade named by `idOrAlias`, or nil.
    public func grade(_ idOrAlias: String) -> Grade? { byKey[GradeTable.key(idOrAlias)] }

    static func key(_ text: String) -> String {
        let utf8 = text.utf8
        if utf8.first != UInt8(ascii: " ") && utf8.last != UInt8(ascii: " ") { return text.lowercased() }
        return text.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// A forum: who is in it is decided by grade, role, inclusion of other forums and the roster's `forums` column.
public struct Forum: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Grade ids (aliases already resolved).
    public var grades: [String]
    public var roles: [String]
    public var include: [String]
    public var location: SourceLocation

    public init(
        id: String, name: String, grades: [String] = [], roles: [String] = [], include: [String] = [],
        location: SourceLocation = .init(line: 0, column: 0)
    ) {
        self.id = id
        self.name = name
        self.grades = grades
        self.roles = roles
        self.include = include
        self.location = location
    }
}

/// Whether an event goes ahead.
public enum EventStatus: String, Sendable, Hashable, Codable, CaseIterable { case confirmed, cancelled }

/// An event in the programme: one date, or a series of occurrences.
public struct Event: Sendable, Hashable {
    public var id: String
    public var title: String
    public var forums: [String]
    public var start: LocalDateTime
    public var duration: Duration
    public var recurrence: Recurrence?
    public var except: [LocalDate]
    /// Why an excepted date was taken out of the series, where the admin said (`except:` written as a mapping).
    public var exceptReasons: [LocalDate: String]
    /// Occurrences of a series moved to another start, by scheduled date (`moved:`); the duration is kept.
    public var moved: [LocalDate: LocalDateTime]
    /// Why the event is cancelled (`reason:` with `status: cancelled`), for the cancellation message.
    public var reason: String?
    public var location: String?
    public var joinURL: String?
    public var description: String?
    public var status: EventStatus
    public var sourceLocation: SourceLocation

    public init(
        id: String, title: String, forums: [String], start: LocalDateTime, duration: Duration,
        recurrence: Recurrence? = nil, except: [LocalDate] = [], exceptReasons: [LocalDate: String] = [:],
        moved: [LocalDate: LocalDateTime] = [:], reason: String? = nil, location: String? = nil, joinURL: String? = nil,
        description: String? = nil, status: EventStatus = .confirmed, sourceLocation: SourceLocation = .init(line: 0, column: 0)
    ) {
        self.id = id
        self.title = title
        self.forums = forums
        self.start = start
        self.duration = duration
        self.recurrence = recurrence
        self.except = except
        self.exceptReasons = exceptReasons
        self.moved = moved
        self.reason = reason
        self.location = location
        self.joinURL = joinURL
        self.description = description
        self.status = status
        self.sourceLocation = sourceLocation
    }
}

/// The two kinds of rule-driven notification; updates and cancellations need no rule.
public enum NotificationKind: String, Sendable, Hashable, Codable, CaseIterable { case invitation, reminder }

/// A `notifications:` entry: what is sent, when, with which template, to whom.
public struct NotificationRule: Sendable, Hashable {
    public var id: String
    public var kind: NotificationKind
    public var send: SendOffset
    public var template: String
    /// Optional filters: only these forums' members / these grades (empty: everyone invited).
    public var forums: [String]
    public var grades: [String]
    public var location: SourceLocation
    public var templateLocation: SourceLocation

    public init(
        id: String, kind: NotificationKind, send: SendOffset, template: String, forums: [String] = [],
        grades: [String] = [], location: SourceLocation = .init(line: 0, column: 0),
        templateLocation: SourceLocation = .init(line: 0, column: 0)
    ) {
        self.id = id
        self.kind = kind
        self.send = send
        self.template = template
        self.forums = forums
        self.grades = grades
        self.location = location
        self.templateLocation = templateLocation
    }
}
