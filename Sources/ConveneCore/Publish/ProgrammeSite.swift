import Foundation

/// What `convene publish` writes: the programme's pages and calendar feeds, rendered from the rules file, the
/// occurrences planning knows (with the journal's UIDs) and the history of changes recipients' calendars received.
/// Pure: `SiteWriter` in ConveneService writes the files.
public struct ProgrammeSite: Sendable {
    /// One file of the site: its name in the folder and its bytes.
    public struct File: Sendable, Hashable {
        /// `index.html`, `all.ics`, `cslg.html`, `cslg.ics`, …
        public var name: String
        /// The whole file.
        public var bytes: [UInt8]
    }

    /// One occurrence as the site lists it.
    public struct Row: Sendable, Hashable {
        /// The occurrence (active ones only are listed).
        public var occurrence: Occurrence
        /// Its event.
        public var event: Event
        /// Whether the joining link is shown (the event is `public: true`, or the site includes private events).
        public var showsLink: Bool
    }

    /// The rules file.
    public let config: Config
    /// The generation time: what is "upcoming", and DTSTAMP in the feeds.
    public let now: Date
    /// Whether private events and forums are published too (`--include-private`, for an intranet).
    public let includePrivate: Bool
    /// Every listed active occurrence, in start order.
    public let rows: [Row]
    /// The listed changes, oldest first.
    public let changes: [ProgrammeChange]

    /// Selects what is published: events marked `public: true`, or for a forum marked `public: true`, and with
    /// `includePrivate` everything. `occurrences` are `Occurrence.all` (inactive ones are left out here); `changes`
    /// are `ProgrammeHistory.changes` (those of events no longer in the file are listed only with `includePrivate`,
    /// since nothing says whether they were public).
    public init(config: Config, occurrences: [Occurrence], changes: [ProgrammeChange], now: Date, includePrivate: Bool)
    {
        self.config = config
        self.now = now
        self.includePrivate = includePrivate
        let publicForums = Set(config.forums.filter(\.isPublic).map(\.id))
        let listed = Set(
            config.events.filter { includePrivate || $0.isPublic || $0.forums.contains(where: publicForums.contains) }
                .map(\.id))
        let events = Dictionary(config.events.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        rows = occurrences.filter { $0.active && listed.contains($0.eventID) }
            .compactMap { occurrence in
                events[occurrence.eventID].map {
                    Row(occurrence: occurrence, event: $0, showsLink: includePrivate || $0.isPublic)
                }
            }
            .sorted {
                ($0.occurrence.snapshot.start, $0.occurrence.eventID) < (
                    $1.occurrence.snapshot.start, $1.occurrence.eventID
                )
            }
        self.changes = changes.filter { listed.contains($0.eventID) || (includePrivate && events[$0.eventID] == nil) }
    }

    /// The forums that get a page and a feed: those marked `public: true`, or all with `includePrivate`.
    public var forums: [Forum] { config.forums.filter { includePrivate || $0.isPublic } }

    /// The file name (without extension) of a forum's page and feed; `index` and `all` are the site's own.
    public static func fileStem(_ forum: Forum) -> String {
        forum.id == "index" || forum.id == "all" ? "forum-" + forum.id : forum.id
    }

    /// Every file of the site: `index.html` and `all.ics`, then each published forum's page and feed.
    public func files() -> [File] {
        var files = [
            File(name: "index.html", bytes: Array(ProgrammePage.render(self, forum: nil).utf8)),
            File(name: "all.ics", bytes: ProgrammeFeed.render(self, forum: nil)),
        ]
        for forum in forums {
            let stem = Self.fileStem(forum)
            files.append(File(name: stem + ".html", bytes: Array(ProgrammePage.render(self, forum: forum).utf8)))
            files.append(File(name: stem + ".ics", bytes: ProgrammeFeed.render(self, forum: forum)))
        }
        return files
    }

    /// The rows of one forum's events, or all rows.
    func rows(of forum: Forum?) -> [Row] {
        guard let forum else { return rows }
        return rows.filter { $0.event.forums.contains(forum.id) }
    }

    /// The changes of one forum's events, or all of them.
    func changes(of forum: Forum?) -> [ProgrammeChange] {
        guard let forum else { return changes }
        return changes.filter { config.event($0.eventID)?.forums.contains(forum.id) == true }
    }

    /// The feed UID of an occurrence: distinct from its invitation's (a subscriber who also accepted the invitation
    /// must not see one replace the other), and as stable as the occurrence's identity: a one-off event is its event
    /// id, a series occurrence its invitation UID (the scheduled date, kept through moves by the journal).
    public static func feedUID(_ occurrence: Occurrence, of event: Event, domain: String) -> String {
        guard event.recurrence != nil else { return "published-\(event.id)@\(domain)" }
        return "published-" + occurrence.uid
    }
}

/// The iCalendar feeds: a subscription, not an invitation. No METHOD (it breaks subscriptions in Apple Calendar), no
/// ORGANIZER or ATTENDEE, refresh hints of an hour, and the same VTIMEZONE as the invitations.
enum ProgrammeFeed {
    static func render(_ site: ProgrammeSite, forum: Forum?) -> [UInt8] {
        let config = site.config
        let zone = config.service.timeZone
        let utc = ICalendarWriter.isUTC(zone)
        let rows = site.rows(of: forum)
        let name = forum?.name ?? (config.service.from.name.isEmpty ? "Programme" : config.service.from.name)
        var out: [UInt8] = []
        for line in [
            "BEGIN:VCALENDAR", "PRODID:" + ICalendarWriter.productID, "VERSION:2.0", "CALSCALE:GREGORIAN",
            "NAME:" + ICalendarText.text(name), "X-WR-CALNAME:" + ICalendarText.text(name),
            "X-WR-TIMEZONE:" + ICalendarText.text(zone.identifier),
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
        ] {
            ICalendarText.appendFolded(line, to: &out)
        }
        if !utc {
            out += ICalendarWriter.vtimezone(for: zone, around: rows.first?.occurrence.snapshot.start ?? site.now).utf8
        }
        let stamp = ICalendarWriter.utcStamp(site.now)
        for row in rows {
            let snapshot = row.occurrence.snapshot
            var lines = [
                "BEGIN:VEVENT",
                "UID:"
                    + ICalendarText.text(
                        ProgrammeSite.feedUID(row.occurrence, of: row.event, domain: config.service.domain)),
                "DTSTAMP:" + stamp,
            ]
            if utc {
                lines += [
                    "DTSTART:" + ICalendarWriter.utcStamp(snapshot.start),
                    "DTEND:" + ICalendarWriter.utcStamp(snapshot.end),
                ]
            } else {
                let tzid = ";TZID=" + ICalendarText.parameter(zone.identifier) + ":"
                lines += [
                    "DTSTART" + tzid + ICalendarWriter.localStamp(snapshot.start, in: zone),
                    "DTEND" + tzid + ICalendarWriter.localStamp(snapshot.end, in: zone),
                ]
            }
            lines.append("SUMMARY:" + ICalendarText.text(snapshot.title))
            let link = row.showsLink ? ICalendarText.uri(snapshot.joinURL?.trimmingBlanks(newlines: true) ?? "") : ""
            let joinURL = link.isEmpty ? nil : link
            if let location = JoinLink.location(snapshot.location, joinURL: joinURL) {
                lines.append("LOCATION:" + ICalendarText.text(location))
            }
            if let description = JoinLink.description(snapshot.description, joinURL: joinURL) {
                lines.append("DESCRIPTION:" + ICalendarText.text(description))
            }
            if let joinURL { lines.append("URL:" + joinURL) }
            let forums = row.event.forums.compactMap { config.forum($0)?.name }
            if !forums.isEmpty {
                lines.append("CATEGORIES:" + forums.map(ICalendarText.text).joined(separator: ","))
            }
            lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
            for line in lines { ICalendarText.appendFolded(line, to: &out) }
        }
        ICalendarText.appendFolded("END:VCALENDAR", to: &out)
        return out
    }
}
