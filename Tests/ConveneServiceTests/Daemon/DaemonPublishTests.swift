import ConveneTesting
import Foundation
import Glibc
import Testing

/// With `service.publish`, the daemon writes the programme's site when it starts and again after a reload that
/// changes the programme, without anyone running `convene publish`.
@Suite(.ownThreadWithoutSlot, .timeLimit(.minutes(1)))
struct DaemonPublishTests {
    /// The rules file `writeConfig` writes, with `publish: site` and the forum marked public.
    static func writePublishingConfig(_ workspace: DaemonWorkspace, event: DaemonWorkspace.Event) throws {
        try workspace.writeConfig(event: event)
        var text = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  max_roster_shrink: 10%\n", with: "  max_roster_shrink: 10%\n  publish: site\n")
        text = text.replacingOccurrences(of: "    grades: [SCS2]\n", with: "    grades: [SCS2]\n    public: true\n")
        try text.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }

    /// Polls until the site's `index.html` contains `text`.
    static func waitForPage(_ path: String, containing text: String, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let page = try? String(contentsOfFile: path, encoding: .utf8), page.contains(text) { return true }
            await ConveneTesting.pause(seconds: 0.1)
        }
        return false
    }

    @Test func theDaemonPublishesAtStartAndAgainAfterAReloadThatChangesTheProgramme() async throws {
        let socket = try NotifySocket(abstract: false)
        let workspace = try DaemonWorkspace(people: 2)
        defer { workspace.remove() }
        // Its invitation is due in five days: nothing is sent, so no SMTP server is needed.
        let event = DaemonWorkspace.Event(start: DaemonWorkspace.start(inDays: 10))
        try Self.writePublishingConfig(workspace, event: event)
        let daemon = try DaemonProcess(
            ["run", "--config", workspace.configPath], environment: ["NOTIFY_SOCKET": socket.address],
            stderrPath: workspace.stderrPath)
        #expect(await socket.waitFor("READY=1", seconds: 10) != nil, "log:\n\(daemon.stderr)")
        let index = workspace.directory.appendingPathComponent("site/index.html").path
        #expect(
            await Self.waitForPage(index, containing: "Agenda Conversations", seconds: 10), "log:\n\(daemon.stderr)")
        // The log line follows the files' rename: wait for it rather than read the log at once.
        #expect(await daemon.waitForLog("<6>published", seconds: 10), "\(daemon.stderr)")

        var renamed = event
        renamed.title = "Renamed Conversations"
        try Self.writePublishingConfig(workspace, event: renamed)
        daemon.signal(SIGHUP)
        #expect(
            await Self.waitForPage(index, containing: "Renamed Conversations", seconds: 10), "log:\n\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 5) == 0)
        let feed = try String(
            contentsOfFile: workspace.directory.appendingPathComponent("site/directors.ics").path, encoding: .utf8)
        #expect(feed.contains("SUMMARY:Renamed Conversations") && !feed.contains("METHOD:"))
        #expect(!FileManager.default.fileExists(atPath: workspace.outbox), "nothing was sent")
    }
}
