import ConveneTesting
import Foundation
import Testing

/// `convene publish`: the feeds and pages, read back by independent tools (Python's icalendar, html5lib, Chromium),
/// through the built binary.
@Suite(.ownThread)
struct PublishTests {
    static let roster = """
        email,name,grade
        dg@example.gov.uk,Dee Gee,DG
        dir1@example.gov.uk,Ann Director,SCS2
        dir2@example.gov.uk,Bob Director,SCS2

        """

    static let talk = """
          - id: talk
            title: Your Agenda, Your Conversations
            forums: [directors]
            start: 2027-03-04 12:00
            duration: 60m
            repeat: every 2 weeks for 6 times
            location: Online
            join_url: https://meet.example.gov.uk/talk
            public: true
        """

    static let breakfast = """
          - id: breakfast
            title: "Breakfast <b>&</b> \\"Leading\\" <script>alert(1)</script>"
            forums: [directors]
            start: 2027-03-10 08:00
            duration: 90m
            location: 70 Whitehall
            join_url: https://meet.example.gov.uk/breakfast
        """

    static let climate = """
          - id: climate
            title: "Climate: Achieving More Together"
            forums: [directors]
            start: 2027-04-22 10:00
            duration: 3h
            public: true
        """

    /// A public forum (directors) with a public series, a one-off event that is not itself public and a public
    /// one-off; a private forum (cslg) with its event.
    static func rules(talk: String = talk, breakfast: String = breakfast, climate: String = climate, extra: String = "")
        -> String
    {
        """
        service:
          timezone: Europe/London
          from: Collective Leadership Team <collective.leadership@example.gov.uk>
          roster: roster.csv
          templates: templates
          max_calendar_changes: 100%
        \(extra)
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        grades:
          - id: DG
            name: Director General
          - id: SCS2
            name: Director
        forums:
          - id: directors
            name: Directors' Network
            grades: [SCS2]
            public: true
          - id: cslg
            name: Civil Service Leadership Group
            grades: [DG]
        events:
        \(talk)
        \(breakfast)
        \(climate)
          - id: day
            title: Leadership Day
            forums: [cslg]
            start: 2027-03-25 09:30
            duration: 7h
            location: Lancaster House
        notifications:
          - id: invitation
            kind: invitation
            send: 14 days before at 09:00
            template: invitation
          - id: reminder
            kind: reminder
            send: 2 days before at 09:00
            template: reminder

        """
    }

    // MARK: running and reading

    /// `convene publish` into a fresh folder; the folder.
    @discardableResult
    static func publish(_ programme: Programme, now: String, extra: [String] = []) async throws -> String {
        let site = programme.directory.appendingPathComponent("site-\(UUID().uuidString)").path
        let result = try await CLI.run(
            ["publish", site, "--config", programme.rulesPath, "--state", programme.state, "--now", now] + extra)
        #expect(result.status == 0, "publish: \(result.stderr)")
        #expect(result.stdout.contains("open \(site)/index.html"))
        return site
    }

    struct Feed: Decodable {
        struct Event: Decodable, Hashable {
            var uid: String
            var start: String
            var end: String
            var summary: String
            var url: String?
            var status: String
        }
        var problems: [String]
        var events: [Event]
        var refresh: [String]
        var ttl: [String]
        var vtimezones: Int
    }

    struct Page: Decodable {
        struct Link: Decodable {
            var text: String
            var href: String?
        }
        var errors: [String]
        var duplicateIds: [String]
        var tables: Int
        var uncaptionedTables: [Int]
        var captions: [String]
        var h1: [String]
        var lang: String?
        var scripts: Int
        var external: [String]
        var rows: [[String]]
        var history: [String]
        var details: Int
        var links: [Link]
        var text: String
    }

    struct Browser: Decodable {
        var width: Int
        var height: Int
        var differingFraction: Double
        var colours: Int
        var dom: String
    }

    struct Site: Decodable {
        var feeds: [String: Feed]
        var pages: [String: Page]
        var browser: Browser?
    }

    static func check(_ site: String, extra: [String] = []) async throws -> Site {
        let script = CLI.root.appendingPathComponent("Tests/ConveneCLITests/Fixtures/check_site.py").path
        let data = try await Python.run(try Python.interpreter(), [script, site] + extra)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Site.self, from: data)
    }

    // MARK: feeds

    @Test func feedsParseAndHoldExactlyThePublishedActiveOccurrences() async throws {
        let talk = Self.talk + "\n    except: [2027-04-15]"
        let climate = Self.climate + "\n    status: cancelled"
        let programme = try Programme(rules: Self.rules(talk: talk, climate: climate), roster: Self.roster)
        let site = try await Self.check(try await Self.publish(programme, now: "2027-02-01 09:00"))
        #expect(Set(site.feeds.keys) == ["all.ics", "directors.ics"], "the private forum has no feed")
        #expect(Set(site.pages.keys) == ["index.html", "directors.html"])
        let talkStarts = [
            "2027-03-04T12:00:00+00:00", "2027-03-18T12:00:00+00:00", "2027-04-01T12:00:00+01:00",
            "2027-04-29T12:00:00+01:00", "2027-05-13T12:00:00+01:00",
        ]
        for name in ["all.ics", "directors.ics"] {
            let feed = try #require(site.feeds[name])
            #expect(feed.problems == [], "\(name)")
            #expect(feed.refresh == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"] && feed.ttl == ["X-PUBLISHED-TTL:PT1H"])
            #expect(feed.vtimezones == 1)
            // The excepted date, the cancelled event and the private forum's event are left out.
            #expect(
                feed.events.map(\.start).sorted() == (talkStarts + ["2027-03-10T08:00:00+00:00"]).sorted(), "\(name)")
            #expect(feed.events.allSatisfy { $0.status == "CONFIRMED" })
            for event in feed.events {
                #expect(event.uid.hasPrefix("published-") && event.uid.hasSuffix("@example.gov.uk"))
                #expect(!event.uid.hasPrefix("talk-") && event.uid != "breakfast@example.gov.uk")
            }
            #expect(Set(feed.events.map(\.uid)).count == feed.events.count)
            // The joining link only for the event marked public.
            let links = Dictionary(feed.events.map { ($0.summary, $0.url ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(links["Your Agenda, Your Conversations"] == "https://meet.example.gov.uk/talk")
            #expect(links["Breakfast <b>&</b> \"Leading\" <script>alert(1)</script>"] == "")
        }

        // For an intranet: everything, links included.
        let full = try await Self.check(
            try await Self.publish(programme, now: "2027-02-01 09:00", extra: ["--include-private"]))
        #expect(Set(full.feeds.keys) == ["all.ics", "directors.ics", "cslg.ics"])
        #expect(full.feeds["cslg.ics"]?.events.map(\.summary) == ["Leadership Day"])
        #expect(full.feeds["all.ics"]?.events.count == 7)
        #expect(
            full.feeds["all.ics"]?.events.first { $0.summary.hasPrefix("Breakfast") }?.url
                == "https://meet.example.gov.uk/breakfast")
        #expect(full.feeds.values.allSatisfy { $0.problems.isEmpty })
    }

    @Test func aMovedOccurrenceKeepsItsFeedUIDAndNeverGetsANewOne() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        try await programme.run(now: "2027-02-15 09:00", until: "2027-03-20 10:00")
        let before = try #require(
            try await Self.check(try await Self.publish(programme, now: "2027-03-20 10:00")).feeds["all.ics"])

        let talk = Self.talk + "\n    moved:\n      2027-04-01: 2027-04-02 14:00"
        let breakfast = Self.breakfast.replacingOccurrences(of: "2027-03-10 08:00", with: "2027-03-11 08:30")
        try programme.write(rules: Self.rules(talk: talk, breakfast: breakfast))
        let updates = try await programme.run(now: "2027-03-20 10:00", until: "2027-03-20 10:05")
        #expect(updates.contains { $0.event?.uid == "talk-20270401@example.gov.uk" && $0.event?.sequence == 1 })
        let after = try #require(
            try await Self.check(try await Self.publish(programme, now: "2027-03-20 10:05")).feeds["all.ics"])

        #expect(after.problems == [])
        #expect(Set(after.events.map(\.uid)) == Set(before.events.map(\.uid)), "UID for UID, no new one")
        let oldStarts = Dictionary(uniqueKeysWithValues: before.events.map { ($0.uid, $0.start) })
        let newStarts = Dictionary(uniqueKeysWithValues: after.events.map { ($0.uid, $0.start) })
        #expect(oldStarts["published-talk-20270401@example.gov.uk"] == "2027-04-01T12:00:00+01:00")
        #expect(newStarts["published-talk-20270401@example.gov.uk"] == "2027-04-02T14:00:00+01:00")
        #expect(oldStarts["published-breakfast@example.gov.uk"] == "2027-03-10T08:00:00+00:00")
        #expect(newStarts["published-breakfast@example.gov.uk"] == "2027-03-11T08:30:00+00:00")
        let changed = Set(after.events.filter { oldStarts[$0.uid] != $0.start }.map(\.uid))
        #expect(changed == ["published-talk-20270401@example.gov.uk", "published-breakfast@example.gov.uk"])
    }

    // MARK: pages

    @Test func thePageIsValidHTMLAndSaysWhatTheRulesSay() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        try await programme.run(now: "2027-02-15 09:00", until: "2027-03-08 10:00")
        let site = try await Self.check(try await Self.publish(programme, now: "2027-03-08 10:00"))
        for (name, page) in site.pages {
            #expect(page.errors == [], "\(name): html5lib")
            #expect(page.duplicateIds == [], "\(name)")
            #expect(page.tables > 0 && page.uncaptionedTables == [], "\(name): every table has a caption")
            #expect(page.h1.count == 1, "\(name)")
            #expect(page.lang == "en-GB")
            #expect(page.scripts == 0 && page.external == [], "\(name): no JavaScript, no external assets")
            #expect(page.details == 1)
            #expect(page.text.contains("Google Calendar can take up to a day to refresh a subscription"))
            #expect(page.text.contains("The emailed invitation is what counts"))
        }
        let index = try #require(site.pages["index.html"])
        #expect(index.h1 == ["Programme"])
        // Upcoming first, one table per month; then what has passed.
        #expect(index.captions == ["March 2027", "April 2027", "May 2027", "March 2027"])
        #expect(
            index.rows.first == [
                "Wednesday 10 March 2027, 8am to 9:30am", "Breakfast <b>&</b> \"Leading\" <script>alert(1)</script>",
                "Directors' Network", "70 Whitehall",
            ])
        #expect(
            index.rows.last == [
                "Thursday 4 March 2027, 12pm to 1pm", "Your Agenda, Your Conversations", "Directors' Network",
                "Online Join online – Your Agenda, Your Conversations, Thursday 4 March 2027, 12pm to 1pm",
            ])
        #expect(index.rows.contains { $0.first == "Thursday 22 April 2027, 10am to 1pm" })
        #expect(!index.rows.contains { $0.contains("Leadership Day") }, "a private forum's event is not published")
        #expect(index.links.contains { $0.href == "https://meet.example.gov.uk/talk" })
        #expect(!index.links.contains { $0.href == "https://meet.example.gov.uk/breakfast" }, "not a public event")
        #expect(index.links.contains { $0.href == "directors.html" } && index.links.contains { $0.href == "all.ics" })
        #expect(
            index.history == [
                "4 March 2027 Added event: Your Agenda, Your Conversations on 18 March 2027",
                "24 February 2027 Added event: Breakfast <b>&</b> \"Leading\" <script>alert(1)</script> on 10 March 2027",
                "18 February 2027 Added event: Your Agenda, Your Conversations on 4 March 2027",
            ])
        #expect(index.text.contains("Published 18 February 2027 Last updated 4 March 2027"))
        let forum = try #require(site.pages["directors.html"])
        #expect(forum.h1 == ["Directors' Network"])
        #expect(forum.links.contains { $0.href == "directors.ics" } && forum.links.contains { $0.href == "index.html" })
    }

    @Test func aRealBrowserRendersThePageAndItsHistory() async throws {
        let chromium = ["/usr/bin/chromium", "/usr/local/bin/chromium", "/snap/bin/chromium"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        // Never a skip: a machine without the browser fails here, naming the fix.
        let browser = try #require(chromium, "chromium is not installed (Debian package chromium; run scripts/setup)")
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        try await programme.run(now: "2027-02-15 09:00", until: "2027-03-08 10:00")
        let site = try await Self.check(
            try await Self.publish(programme, now: "2027-03-08 10:00"),
            extra: ["--browser", browser, "--page", "index.html", "--width", "1024", "--height", "1400"])
        let rendered = try #require(site.browser)
        #expect(rendered.width == 1024 && rendered.height == 1400)
        #expect(rendered.differingFraction > 0.02 && rendered.colours > 8, "a blank screenshot")
        #expect(rendered.dom.contains("Wednesday 10 March 2027, 8am to 9:30am"))
        #expect(rendered.dom.contains("Thursday 1 April 2027, 12pm to 1pm"))
        #expect(rendered.dom.contains("Breakfast &lt;b&gt;&amp;&lt;/b&gt;"), "escaped text, not markup")
        #expect(!rendered.dom.contains("<script>alert(1)</script>"))
        #expect(rendered.dom.contains("Added event: Your Agenda, Your Conversations on 4 March 2027"))
        #expect(rendered.dom.contains("+ show all updates"))
    }

    // MARK: a year

    @Test func aYearsHistoryListsTheMoveTheRemovalAndTheCancellationOnceEach() async throws {
        let series = """
              - id: talk
                title: Your Agenda, Your Conversations
                forums: [directors]
                start: 2027-01-14 12:00
                duration: 60m
                repeat: every 2 weeks until 2027-12-16
                location: Online
                join_url: https://meet.example.gov.uk/talk
                public: true
            """
        let climate = Self.climate.replacingOccurrences(of: "2027-04-22 10:00", with: "2027-10-14 10:00")
        let programme = try Programme(rules: Self.rules(talk: series, climate: climate), roster: Self.roster)
        try await programme.run(now: "2026-12-01 09:00", until: "2027-03-15 08:00")

        let moved = series + "\n    moved:\n      2027-03-25: 2027-03-26 12:00"
        try programme.write(rules: Self.rules(talk: moved, climate: climate))
        try await programme.run(now: "2027-03-15 09:00", until: "2027-06-05 08:00")

        let removed = moved + "\n    except: [2027-06-17]"
        try programme.write(rules: Self.rules(talk: removed, climate: climate))
        try await programme.run(now: "2027-06-05 09:00", until: "2027-10-05 08:00")

        let cancelled = climate + "\n    status: cancelled"
        try programme.write(rules: Self.rules(talk: removed, climate: cancelled))
        try await programme.run(now: "2027-10-05 09:00", until: "2027-12-31 12:00")

        let site = try await Self.check(try await Self.publish(programme, now: "2027-12-31 12:00"))
        let history = try #require(site.pages["index.html"]).history
        let changes = history.filter { !$0.contains("Added event") }
        #expect(
            changes == [
                "5 October 2027 Cancelled: Climate: Achieving More Together on 14 October 2027",
                "5 June 2027 Removed event: Your Agenda, Your Conversations on 17 June 2027",
                "15 March 2027 Moved event: Your Agenda, Your Conversations from 25 March to 26 March 2027",
            ])
        // Every occurrence invited is added once: 25 fortnightly dates, the breakfast and the climate day.
        let added = history.filter { $0.contains("Added event") }
        #expect(added.count == 25 + 2 && Set(added).count == added.count)
        #expect(added.contains("11 March 2027 Added event: Your Agenda, Your Conversations on 25 March 2027"))
        #expect(added.contains("30 September 2027 Added event: Climate: Achieving More Together on 14 October 2027"))
        // Newest first.
        #expect(
            history.first == "2 December 2027 Added event: Your Agenda, Your Conversations on 16 December 2027"
                && history.last?.hasPrefix("31 December 2026 ") == true)
        let positions = changes.compactMap { history.firstIndex(of: $0) }
        #expect(positions == positions.sorted() && positions.count == 3)
        let feed = try #require(site.feeds["all.ics"])
        #expect(feed.problems == [])
        // 25 dates less the removed one, and the breakfast; not the cancelled event.
        #expect(feed.events.count == 25 - 1 + 1)
        #expect(feed.events.contains { $0.start == "2027-03-26T12:00:00+00:00" })
        #expect(!feed.events.contains { $0.start.hasPrefix("2027-06-17") || $0.summary.hasPrefix("Climate") })
    }

    // MARK: exit codes, the daemon's publishing and status

    @Test func runPublishesIntoServicePublishAndStatusSaysWhen() async throws {
        let programme = try Programme(
            rules: Self.rules(extra: "  publish: public-site"), roster: Self.roster)
        let state = programme.directory.appendingPathComponent("state").path
        // Nothing is due on 1 December 2026, so nothing is sent and no server is needed.
        let run = try await CLI.run([
            "run", "--once", "--config", programme.rulesPath, "--state", state, "--now", "2026-12-01 09:00",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let site = programme.directory.appendingPathComponent("public-site").path
        let files = try FileManager.default.contentsOfDirectory(atPath: site).sorted()
        #expect(files == ["all.ics", "directors.html", "directors.ics", "index.html"], "no temporary file left")
        let mode = try FileManager.default.attributesOfItem(atPath: site + "/index.html")[.posixPermissions] as? Int
        #expect(mode == 0o644, "a web server must be able to read it")
        let status = try await CLI.run([
            "status", "--config", programme.rulesPath, "--state", state, "--now", "2026-12-01 09:05",
        ])
        #expect(status.stdout.contains("published: 2026-12-01 09:00 into \(site)"), "\(status.stdout)")
        let json = try await CLI.run(["status", "--json", "--config", programme.rulesPath, "--state", state])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["published"] as? [String: Any])?["directory"] as? String == site)

        // publish without DIR uses service.publish.
        let again = try await CLI.run([
            "publish", "--config", programme.rulesPath, "--state", state, "--now", "2026-12-02 09:00",
        ])
        #expect(again.status == 0 && again.stdout.contains("in \(site)"), "\(again.stderr)")
    }

    @Test func publishFailsWithTheDesignsExitCodes() async throws {
        let programme = try Programme(rules: Self.rules(), roster: Self.roster)
        let noTarget = try await CLI.run(["publish", "--config", programme.rulesPath, "--state", programme.state])
        #expect(noTarget.status == 64 && noTarget.stderr.contains("set service.publish"), "\(noTarget.stderr)")

        let file = programme.directory.appendingPathComponent("a-file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let unwritable = try await CLI.run([
            "publish", file + "/site", "--config", programme.rulesPath, "--state", programme.state,
        ])
        #expect(unwritable.status == 74 && unwritable.stderr.contains("publishing failed"), "\(unwritable.stderr)")

        try programme.write(
            rules: Self.rules().replacingOccurrences(of: "    public: true\n", with: "    public: yes\n"))
        let bad = try await CLI.run(["publish", programme.directory.path + "/site", "--config", programme.rulesPath])
        #expect(bad.status == 78 && bad.stderr.contains("'public' must be true or false; got 'yes'"), "\(bad.stderr)")
    }
}
