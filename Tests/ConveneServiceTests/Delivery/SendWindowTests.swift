import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// A batch that is still sending when the send window closes stops, and the rest goes when it next opens.
@Suite(.ownThread)
struct SendWindowTests {
    /// A clock that reads `before` until `closesAfter` readings, then `after` (by default 17:59:30 and 18:00:30).
    final class Clock: @unchecked Sendable {
        // @unchecked: `readings` is only touched under `lock` (the lane and its feed both read the clock).
        private let lock = NSLock()
        private var readings = 0
        let closesAfter: Int
        let before: Date
        let after: Date
        init(closesAfter: Int, zone: TimeZone, before: String = "2027-02-11 17:59", after: String = "2027-02-11 18:00")
        {
            self.closesAfter = closesAfter
            self.before = LocalDateTime(parsing: before)!.instant(in: zone).addingTimeInterval(30)
            self.after = LocalDateTime(parsing: after)!.instant(in: zone).addingTimeInterval(30)
        }
        func read() -> Date {
            lock.withLock {
                readings += 1
                return readings <= closesAfter ? before : after
            }
        }
    }

    @Test func aBatchStopsWhenTheWindowClosesAndTheRestIsPlannedForItsOpening() throws {
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:25"), roster: DeliveryFixture.roster(of: 10),
            programme: DeliveryFixture.singleInvitation)
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(
                of: "  templates: templates\n", with: "  templates: templates\n  send_window: 08:00-18:00 Mon-Fri\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let zone = workspace.config.service.timeZone
        let journal = try FileJournal(directory: fixture.statePath)
        let outbox = fixture.directory.appendingPathComponent("outbox").path
        let dispatcher = Dispatcher(
            workspace: workspace, journal: journal, records: [], transport: try OutboxTransport(directory: outbox),
            log: Log(sink: { _ in }), sleeps: true)
        let clock = Clock(closesAfter: 12, zone: zone)
        let now = LocalDateTime(parsing: "2027-02-11 17:59")!.instant(in: zone)

        _ = try dispatcher.runDue(now: now, clock: { clock.read() })

        let sent = try FileManager.default.contentsOfDirectory(atPath: outbox).count
        #expect(sent > 0 && sent < 10, "some went before 18:00, the rest waited: \(sent) sent")
        #expect(dispatcher.counters.sent == sent)
        // Planned again at 18:00:30 (Thursday), the rest is due when the window opens on Friday morning.
        let rest = dispatcher.plan(now: clock.after).actions
        #expect(rest.count == 10 - sent)
        #expect(rest.allSatisfy { LocalDateTime(instant: $0.due, in: zone).description == "2027-02-12 08:00" })
    }

    /// An event on Saturday morning whose invitations were due on Friday at 17:00 (in the window), planned on Friday
    /// evening: the window next opens on Monday, after the event. Planning says a calendar message goes at once
    /// rather than leave calendars wrong; sending must do what the plan says, not wait for the window.
    @Test func aCalendarMessageThatCannotWaitForTheWindowGoesAtOnceAsPlanned() throws {
        let programme = """
            events:
              - id: breakfast
                title: Saturday Breakfast
                forums: [team]
                start: 2027-02-13 10:00
                duration: 60m
                location: Online
            notifications:
              - id: invitation
                kind: invitation
                send: 1 day before at 17:00
                template: invitation

            """
        let fixture = try DeliveryFixture(smtp: .init(url: "smtp://127.0.0.1:25"), programme: programme)
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(
                of: "  templates: templates\n", with: "  templates: templates\n  send_window: 08:00-18:00 Mon-Fri\n")
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let workspace = try ConfigLoader.load(configPath: fixture.configPath).get()
        let now = LocalDateTime(parsing: "2027-02-12 18:30")!.instant(in: workspace.config.service.timeZone)
        let outbox = fixture.directory.appendingPathComponent("outbox").path
        let dispatcher = Dispatcher(
            workspace: workspace, journal: try FileJournal(directory: fixture.statePath), records: [],
            transport: try OutboxTransport(directory: outbox), log: Log(sink: { _ in }), sleeps: true)
        let planned = dispatcher.plan(now: now).actions.filter { $0.due <= now && $0.skipReason == nil }
        #expect(planned.count == 4, "plan: the four invitations go now")

        _ = try dispatcher.runDue(now: now, clock: { now })

        #expect(dispatcher.counters.sent == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox).count == 4)
        #expect(dispatcher.plan(now: now).actions.isEmpty)
    }
}

/// The dispatcher sees the holidays the loader reads, and never waits for a window that opens too late.
@Suite(.ownThread)
struct SendWindowHolidayTests {
    /// Writes `service` lines (a window, holidays) into the fixture's rules file and loads it as the daemon does.
    static func load(_ fixture: DeliveryFixture, service: String) throws -> Workspace {
        let rules = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  templates: templates\n", with: "  templates: templates\n" + service)
        try rules.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return try ConfigLoader.load(configPath: fixture.configPath).get()
    }

    static func dispatcher(_ fixture: DeliveryFixture, _ workspace: Workspace, outbox: String) throws -> Dispatcher {
        Dispatcher(
            workspace: workspace, journal: try FileJournal(directory: fixture.statePath), records: [],
            transport: try OutboxTransport(directory: outbox), log: Log(sink: { _ in }), sleeps: true)
    }

    @Test func aBatchStopsWhenAHolidayBeginsAndTheRestWaitsForTheNextWorkingDay() throws {
        let fixture = try DeliveryFixture(
            smtp: .init(url: "smtp://127.0.0.1:25"), roster: DeliveryFixture.roster(of: 10),
            programme: DeliveryFixture.singleInvitation)
        try "2027-02-12 Closure day\n".write(
            to: fixture.directory.appendingPathComponent("holidays.txt"), atomically: true, encoding: .utf8)
        // Open all day on working days, so only the holiday can stop the batch at midnight.
        let workspace = try Self.load(
            fixture, service: "  send_window: 00:00-24:00 Mon-Fri\n  holidays: holidays.txt\n")
        let zone = workspace.config.service.timeZone
        #expect(workspace.config.service.sendWindow.holidays.count == 1)
        let outbox = fixture.directory.appendingPathComponent("outbox").path
        let dispatcher = try Self.dispatcher(fixture, workspace, outbox: outbox)
        // Thursday 23:59:30, then Friday 12 February, the holiday, 00:00:30.
        let clock = SendWindowTests.Clock(
            closesAfter: 12, zone: zone, before: "2027-02-11 23:59", after: "2027-02-12 00:00")

        _ = try dispatcher.runDue(
            now: LocalDateTime(parsing: "2027-02-11 23:59")!.instant(in: zone), clock: { clock.read() })

        let sent = try FileManager.default.contentsOfDirectory(atPath: outbox).count
        #expect(sent > 0 && sent < 10, "some went on Thursday, the rest waited: \(sent) sent")
        let rest = dispatcher.plan(now: clock.after).actions
        #expect(rest.count == 10 - sent)
        #expect(rest.allSatisfy { LocalDateTime(instant: $0.due, in: zone).description == "2027-02-15 00:00" })
    }

    @Test func aMessageWhoseWindowOpensOnlyAtTheEventGoesAtOnceAsPlanned() throws {
        let programme = DeliveryFixture.singleInvitation.replacingOccurrences(
            of: "start: 2027-03-04 10:00", with: "start: 2027-03-04 08:00")
        let fixture = try DeliveryFixture(smtp: .init(url: "smtp://127.0.0.1:25"), programme: programme)
        let workspace = try Self.load(fixture, service: "  send_window: 08:00-18:00 Mon-Fri\n")
        let zone = workspace.config.service.timeZone
        let outbox = fixture.directory.appendingPathComponent("outbox").path
        let dispatcher = try Self.dispatcher(fixture, workspace, outbox: outbox)
        // Wednesday 19:00: the invitations are late, and the window next opens at 08:00 Thursday, as the event starts.
        let now = LocalDateTime(parsing: "2027-03-03 19:00")!.instant(in: zone)
        let planned = dispatcher.plan(now: now).actions
        #expect(planned.count == 4 && planned.allSatisfy { $0.due == now }, "reconcile sends them at once")

        _ = try dispatcher.runDue(now: now, clock: { now })

        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox).count == 4, "and so does run")
        #expect(dispatcher.plan(now: now).actions.isEmpty)
    }
}
