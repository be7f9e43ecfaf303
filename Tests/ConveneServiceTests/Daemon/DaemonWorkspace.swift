import ConveneTesting
import Foundation
import Glibc

/// A temp folder holding a rules file, a roster of directors and the shipped templates, built around the real
/// clock: the daemon under test has no `--now`. The zone is Atlantic/Reykjavik (UTC all year, no DST), so the
/// test computes wall-clock times with a UTC calendar. No send window: every action goes out when it is due.
struct DaemonWorkspace {
    /// One event for the whole roster.
    struct Event {
        var id = "agenda"
        var title = "Agenda Conversations"
        /// Whole minutes: the rules file has minute resolution.
        var start: Date
        var cancelled = false
    }

    let directory: URL
    var configPath: String { directory.appendingPathComponent("convene.yaml").path }
    var outbox: String { directory.appendingPathComponent("out").path }
    var stateDirectory: String { directory.appendingPathComponent("state").path }
    var stderrPath: String { directory.appendingPathComponent("daemon.log").path }

    /// A folder with `people` directors and the templates; write the rules file with `writeConfig`.
    init(people: Int) throws {
        directory = try TestEnvironment.temporaryDirectory("daemon")
        try FileManager.default.copyItem(
            at: TestEnvironment.packageRoot.appendingPathComponent("config/templates"),
            to: directory.appendingPathComponent("templates"))
        var roster = "email,name,grade\n"
        for i in 1...people { roster += "director\(i)@example.org,Director Number\(i),SCS2\n" }
        try roster.write(to: directory.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
    }

    /// A start `days` from now at 12:00 UTC: far enough that a "N days before" rule is clearly due or not.
    static func start(inDays days: Int, plusHours hours: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.startOfDay(for: Date().addingTimeInterval(Double(days) * 86_400))
        return day.addingTimeInterval(Double(12 + hours) * 3600)
    }

    /// The rules file: `invitation` (sent `invitationSend`, e.g. "5 days before at 09:00") and a day-before
    /// reminder; `smtp` is a URL (plain SMTP to loopback) or nil for a placeholder used with `--dry-run`;
    /// `connections` lanes send at once (with `--dry-run` too: each lane writes to the outbox).
    func writeConfig(
        event: Event, invitationSend: String = "5 days before at 09:00", rate: String? = nil, smtp: String? = nil,
        passwordFile: String? = nil, connections: Int = 1, extra: String = "", maxCalendarChanges: String = "100%"
    ) throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var text = """
            service:
              timezone: Atlantic/Reykjavik
              from: Leadership Team <team@example.org>
              organizer: team@example.org
              roster: roster.csv
              templates: templates
              state: \(stateDirectory)
              max_roster_shrink: 10%
              max_calendar_changes: \(maxCalendarChanges)

            """
        if let rate { text += "  rate: \(rate)\n" }
        text += """
            smtp:
              url: \(smtp ?? "smtp://127.0.0.1:1")
              tls: none
              helo: daemon-test.example.org
              connect_timeout: 5s
              response_timeout: 30s

            """
        if let passwordFile { text += "  username: convene@example.org\n  password_file: \(passwordFile)\n" }
        if connections != 1 { text += "  connections: \(connections)\n" }
        text += """
            grades:
              - id: SCS2
                name: Director
            forums:
              - id: directors
                name: Directors' Network
                grades: [SCS2]
            events:
              - id: \(event.id)
                title: \(event.title)
                forums: [directors]
                start: \(formatter.string(from: event.start))
                duration: 60m
                location: Online
                status: \(event.cancelled ? "cancelled" : "confirmed")
            notifications:
              - id: invitation
                kind: invitation
                send: \(invitationSend)
                template: invitation
              - id: day-before
                kind: reminder
                send: 1 day before at 08:00
                template: reminder

            """
        text += extra
        // Written in place (not renamed) so that a daemon reloading it sees one whole file or the old one.
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Appends raw text to the rules file (to break it).
    func appendToConfig(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configPath))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
    }

    /// Names of the `.eml` files in the dry-run outbox.
    func outboxMessages() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }

    /// Waits until the outbox holds at least `count` messages whose names contain `part`.
    func waitForOutbox(_ count: Int, containing part: String = "", seconds: Double) async -> Bool {
        await pollUntil(seconds: seconds, interval: 0.05) {
            outboxMessages().filter({ part.isEmpty || $0.contains(part) }).count >= count
        }
    }

    /// The journal records in `directory` (default: the real state folder) as JSON objects, in order.
    func journal(in directory: String? = nil) -> [[String: Any]] {
        let path = (directory ?? stateDirectory) + "/journal.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
