import Foundation

/// The whole rules file, typed and validated.
public struct Config: Sendable {
    /// The path the rules file was read from, as given (used in diagnostics).
    public var file: String
    /// The `service:` section: time zone, sender, file paths, send window, rate and the safety limits.
    public var service: ServiceSettings
    /// The `smtp:` section: where and how to connect; it names where the password is, never the password.
    public var smtp: SMTPConfig
    /// Most senior first.
    public var grades: [Grade]
    /// Every forum in file order; an event's and a notification's `forums:` refer to their ids.
    public var forums: [Forum]
    /// Every event in file order; its id is part of each occurrence's identity and calendar UID.
    public var events: [Event]
    /// The `notifications:` rules, in file order; updates and cancellations need none.
    public var notifications: [NotificationRule]
    /// The `replies:` section: where calendar replies are read over IMAP; nil when the file has none.
    public var replies: RepliesConfig?

    /// Takes the sections as given; validation is the parser's job, not this initializer's.
    public init(
        file: String, service: ServiceSettings, smtp: SMTPConfig, grades: [Grade], forums: [Forum],
        events: [Event], notifications: [NotificationRule], replies: RepliesConfig? = nil
    ) {
        self.replies = replies
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
    /// The zone of every wall-clock time in the file (`service.timezone`), an IANA name such as Europe/London.
    public var timeZone: TimeZone
    /// The From: mailbox of every message (`service.from`), display name optional.
    public var from: Mailbox
    /// The mailbox that receives calendar replies (ORGANIZER); its name is `from`'s when not given.
    public var organizer: Mailbox
    /// Path of the roster CSV, resolved against the config file's folder by the loader.
    public var roster: String
    /// Path of the team's own file of people facts (`service.people`, usually `people.csv`), merged over the roster
    /// (`PeopleOverlay`); resolved against the config file's folder by the loader; nil when the rules file names none.
    public var people: String?
    /// Where `people:` is written in the rules file, for an error about the file itself (it cannot be read).
    public var peopleLocation: SourceLocation
    /// Path of the templates folder (`NAME.txt` files), resolved against the config file's folder; default `templates`.
    public var templates: String
    /// The journal's folder (`service.state`); nil leaves it to `--state` or `$STATE_DIRECTORY`, which win when set.
    public var state: String?
    /// The send window; its holidays are filled in by the loader from the `holidays` file.
    public var sendWindow: SendWindow
    /// Path of the public holidays file (`YYYY-MM-DD name` lines), resolved against the config file's folder by the
    /// loader; nil when the rules file names none.
    public var holidays: String?
    /// Where `holidays:` is written in the rules file, for an error about the file itself (it cannot be read).
    public var holidaysLocation: SourceLocation
    /// At most `count` messages start in any `perSeconds` window (`rate: 30/minute`); nil sends without a limit.
    public var rate: Rate?
    /// Whether someone who joins an audience after invitations went out is invited (`late_joiners:`; default invite).
    public var lateJoiners: LateJoinerPolicy
    /// Whether a leaver's invitations are cancelled (`leavers:`; default cancel).
    public var leavers: LeaverPolicy
    /// The largest fraction of audience members a new roster may drop (0.10 = 10%).
    public var maxRosterShrink: Double
    /// The largest fraction of the people holding invitations to future occurrences that a change of the files may
    /// cancel or update without an admin's `convene approve` (0.10 = 10%).
    public var maxCalendarChanges: Double
    /// The folder the daemon republishes the programme into (`service.publish`), resolved against the config file's
    /// folder by the loader; nil publishes nothing.
    public var publish: String?

    /// Defaults match an absent key: `always` open, no rate limit, invite late joiners, cancel leavers, 10% limits.
    public init(
        timeZone: TimeZone, from: Mailbox, organizer: Mailbox, roster: String = "roster.csv",
        templates: String = "templates", state: String? = nil, sendWindow: SendWindow = .always,
        holidays: String? = nil,
        holidaysLocation: SourceLocation = .init(line: 1, column: 1), rate: Rate? = nil,
        lateJoiners: LateJoinerPolicy = .invite, leavers: LeaverPolicy = .cancel, maxRosterShrink: Double = 0.10,
        maxCalendarChanges: Double = 0.10, publish: String? = nil, people: String? = nil,
        peopleLocation: SourceLocation = .init(line: 1, column: 1)
    ) {
        self.people = people
        self.peopleLocation = peopleLocation
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
        self.publish = publish
    }

    /// The organizer's domain, the right-hand side of every UID and Message-ID.
    public var domain: String { String(organizer.address.split(separator: "@").last ?? "localhost").lowercased() }
}

/// How the SMTP connection is protected.
public enum TLSMode: String, Sendable, Hashable, Codable, CaseIterable { case starttls, implicit, none }

/// The `smtp:` section. The password itself never appears here: only where to read it.
public struct SMTPConfig: Sendable, Hashable {
    /// The server as `smtp://HOST[:PORT]` or `smtps://HOST[:PORT]`; the scheme must agree with `tls`.
    public var url: String
    /// STARTTLS (default), implicit TLS (`smtps://`) or none, which the parser allows only to a loopback host.
    public var tls: TLSMode
    /// The login for SMTP AUTH; nil sends without authenticating, and when set a password source is required.
    public var username: String?
    /// Name of a systemd credential (`$CREDENTIALS_DIRECTORY/NAME`).
    public var passwordCredential: String?
    /// Path of a file holding the password (resolved against the config folder).
    public var passwordFile: String?
    /// The name sent in EHLO; nil uses the organizer's domain.
    public var helo: String?
    /// Parallel SMTP connections, 1…64 (default 1); the `rate:` limit is shared by all of them.
    public var connections: Int
    /// Path of a PEM bundle of CA certificates to trust instead of the system's; nil uses the system store.
    public var caFile: String?
    /// Seconds allowed to establish the connection, TLS included (`connect_timeout:`, default 30).
    public var connectTimeout: Int
    /// Seconds to wait for any one server reply (`response_timeout:`, default 600, RFC 5321's DATA-end timeout).
    public var responseTimeout: Int
    /// How to log in: a password (the default), an OAuth 2.0 token (XOAUTH2), or not at all.
    public var auth: SMTPAuth
    /// Where the token comes from; set for `auth: xoauth2` only.
    public var oauth2: OAuth2Config?

    /// Defaults match an absent key: STARTTLS, one connection, 30 s to connect, 600 s per reply.
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
    /// The id the roster's `grade` column and forums' `grades:` use; unique in the file.
    public var id: String
    /// The human name, shown in membership reasons ("grade DG (Director General)").
    public var name: String
    /// Other labels for this grade in HR exports, matched like the id (case and surrounding spaces ignored).
    public var aliases: [String]
    /// Where the grade is written in the rules file, for diagnostics.
    public var location: SourceLocation

    /// A zero location means "not from a file" (tests and built configs).
    public init(id: String, name: String, aliases: [String] = [], location: SourceLocation = .init(line: 0, column: 0))
    {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.location = location
    }
}

/// Looks grades up by id or alias, ignoring case and surrounding spaces.
public struct GradeTable: Sendable {
    private var byKey: [String: Grade] = [:]
    /// The grades in file order, most senior first.
    public let grades: [Grade]

    /// Indexes every id and alias; when two grades claim the same key, the earlier (more senior) grade keeps it.
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
    /// The id events, notifications and the roster's `forums` column use; unique in the file.
    public var id: String
    /// The human name, used in cancellation reasons ("you are no longer a member of the Directors' Network").
    public var name: String
    /// Grade ids (aliases already resolved).
    public var grades: [String]
    /// Roster roles that put a person in the forum, lower-cased so matching ignores case.
    public var roles: [String]
    /// Ids of other forums whose members are members here too (transitively); the parser refuses cycles.
    public var include: [String]
    /// Where the forum is written in the rules file, for diagnostics.
    public var location: SourceLocation
    /// `public: true`: `convene publish` writes the forum's page and feed (forums are private unless marked).
    public var isPublic: Bool

    /// A zero location means "not from a file" (tests and built configs).
    public init(
        id: String, name: String, grades: [String] = [], roles: [String] = [], include: [String] = [],
        location: SourceLocation = .init(line: 0, column: 0), isPublic: Bool = false
    ) {
        self.id = id
        self.name = name
        self.grades = grades
        self.roles = roles
        self.include = include
        self.location = location
        self.isPublic = isPublic
    }
}

/// Whether an event goes ahead.
public enum EventStatus: String, Sendable, Hashable, Codable, CaseIterable { case confirmed, cancelled }

/// An event in the programme: one date, or a series of occurrences.
public struct Event: Sendable, Hashable {
    /// The event's id: part of every occurrence's identity, calendar UID (`<event>-<yyyymmdd>@domain`) and journal key.
    public var id: String
    /// The title: `((event title))` in templates and the calendar SUMMARY.
    public var title: String
    /// Ids of the forums whose members are invited; at least one.
    public var forums: [String]
    /// The first occurrence's wall-clock start in `service.timezone`.
    public var start: LocalDateTime
    /// How long each occurrence lasts (`duration:`, or `end:` minus `start:`); moves keep it.
    public var duration: Duration
    /// The `repeat:` rule; nil for a one-off event.
    public var recurrence: Recurrence?
    /// Scheduled dates taken out of the series (`except:`); people already invited to one get a cancellation.
    public var except: [LocalDate]
    /// Why an excepted date was taken out of the series, where the admin said (`except:` written as a mapping).
    public var exceptReasons: [LocalDate: String]
    /// Occurrences of a series moved to another start, by scheduled date (`moved:`); the duration is kept.
    public var moved: [LocalDate: LocalDateTime]
    /// Why the event is cancelled (`reason:` with `status: cancelled`), for the cancellation message.
    public var reason: String?
    /// Where it takes place (calendar LOCATION, `((location))`); nil when the file gives no `location:`.
    public var location: String?
    /// The http(s) joining link (`join_url:`), checked by the parser; nil when there is none.
    public var joinURL: String?
    /// Free text for the body and the calendar DESCRIPTION; may span lines (a `|` or `>` block).
    public var description: String?
    /// Confirmed, or cancelled as a whole: `cancelled` sends every invitee a cancellation.
    public var status: EventStatus
    /// Where the event is written in the rules file, for diagnostics (`location` is the venue).
    public var sourceLocation: SourceLocation
    /// `public: true`: the event is in `all.ics` and the public pages with its joining link (events are private
    /// unless marked).
    public var isPublic: Bool
    /// A hosted series (`capacity:`, `hosts:`, `mix:`, `offer:`, `invite:`, `offers_close:`); nil invites the whole
    /// audience to every occurrence.
    public var hosting: Hosting? = nil

    /// Defaults match an absent key: one-off, confirmed, no exceptions, moves, venue, link or description.
    public init(
        id: String, title: String, forums: [String], start: LocalDateTime, duration: Duration,
        recurrence: Recurrence? = nil, except: [LocalDate] = [], exceptReasons: [LocalDate: String] = [:],
        moved: [LocalDate: LocalDateTime] = [:], reason: String? = nil, location: String? = nil, joinURL: String? = nil,
        description: String? = nil, status: EventStatus = .confirmed,
        sourceLocation: SourceLocation = .init(line: 0, column: 0), isPublic: Bool = false
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
        self.isPublic = isPublic
    }
}

/// The kinds of rule-driven notification; updates and cancellations need no rule. A `message` is plain mail like a
/// reminder (no calendar part), sent on its own schedule whether or not the invitation has gone yet, and may carry
/// files (`attach:`).
public enum NotificationKind: String, Sendable, Hashable, Codable, CaseIterable { case invitation, reminder, message }

/// Whom a reminder rule goes to, by their answer to the invitation (`to:`): everyone invited (declined people never
/// get reminders), only those who have not answered (a chaser), or only those who accepted.
public enum ReplyAudience: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everyone invited who has not declined.
    case everyone
    /// Only those who have not answered: a chaser.
    case noReply = "no-reply"
    /// Only those who accepted.
    case accepted
}

/// A `notifications:` entry: what is sent, when, with which template, to whom.
public struct NotificationRule: Sendable, Hashable {
    /// The rule's id, part of each message's journal key (`event/yyyymmdd/notification/recipient`).
    public var id: String
    /// Invitation (carries the calendar request) or reminder (plain mail).
    public var kind: NotificationKind
    /// How long before each occurrence it goes (`send: 2 days before at 09:00`), before the send window moves it.
    public var send: SendOffset
    /// The template's name: `templates/NAME.txt`.
    public var template: String
    /// Optional filters: only these forums' members / these grades (empty: everyone invited).
    public var forums: [String]
    /// Grade ids (aliases resolved) to limit the rule to; empty: every grade.
    public var grades: [String]
    /// Event ids to limit the rule to (`events: [cslg-leadership-day]`); empty: every event. An invitation rule
    /// naming an event is that event's own schedule: it wins over rules that name no event.
    public var events: [String]
    /// Reminders only: whom it goes to by their answer (`to: everyone | no-reply | accepted`; default everyone).
    public var to: ReplyAudience
    /// `kind: message` only: the files sent with it (`attach: [papers/agenda.pdf]`), as written (relative to the rules
    /// file), each with where it is written.
    public var attach: [AttachPath]
    /// The files of `attach`, hashed, once the loader has read them (`ConfigLoader`); empty until then.
    public var attachments: [AttachedFile]
    /// Where the rule is written in the rules file, for diagnostics.
    public var location: SourceLocation
    /// Where `template:` is written, for an error about the template file itself.
    public var templateLocation: SourceLocation

    /// A zero location means "not from a file" (tests and built configs).
    public init(
        id: String, kind: NotificationKind, send: SendOffset, template: String, forums: [String] = [],
        grades: [String] = [], events: [String] = [], to: ReplyAudience = .everyone, attach: [AttachPath] = [],
        attachments: [AttachedFile] = [], location: SourceLocation = .init(line: 0, column: 0),
        templateLocation: SourceLocation = .init(line: 0, column: 0)
    ) {
        self.to = to
        self.id = id
        self.kind = kind
        self.send = send
        self.template = template
        self.forums = forums
        self.grades = grades
        self.events = events
        self.attach = attach
        self.attachments = attachments
        self.location = location
        self.templateLocation = templateLocation
    }

    /// A path in `attach:` and where it is written.
    public struct AttachPath: Sendable, Hashable {
        /// The path as written, relative to the rules file unless absolute.
        public var path: String
        /// Where it is written.
        public var location: SourceLocation

        /// A path written at `location`.
        public init(path: String, location: SourceLocation) {
            self.path = path
            self.location = location
        }
    }
}
