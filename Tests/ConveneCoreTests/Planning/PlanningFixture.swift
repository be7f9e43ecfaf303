import Foundation
import Testing

@testable import ConveneCore

/// A small programme built in code (no YAML), and a pure simulator that "sends" whatever is due by
/// appending journal records, the way `convene run --until` does but without SMTP.
struct PlanningFixture {
    static let london = TimeZone(identifier: "Europe/London")!
    var config: Config
    var rosterText: String
    var records: [JournalRecord] = []
    /// The files' hash the reconciler is told (approvals match it).
    var fingerprint: String?

    static let defaultRoster = """
        email,name,grade,roles,opt_out,delegate
        ps@example.gov.uk,Pat Perm,PS,head-of-department,,po@example.gov.uk
        dg@example.gov.uk,Dee Gee,DG,,reminders,
        dir1@example.gov.uk,Dana One,SCS2,,,
        dir2@example.gov.uk,Dev Two,SCS2,,,
        ce@example.gov.uk,Chris Exec,CE,,,

        """

    /// Five people make every change a large share of them: the change guard (`max_calendar_changes`) is off (100%)
    /// unless a test turns it on.
    init(
        events: [Event], window: SendWindow = .always, rosterText: String = PlanningFixture.defaultRoster,
        notifications: [NotificationRule]? = nil, leavers: LeaverPolicy = .cancel, maxCalendarChanges: Double = 1.0
    ) {
        let team = Mailbox(name: "Team", address: "team@example.gov.uk")
        config = Config(
            file: "convene.yaml",
            service: ServiceSettings(
                timeZone: Self.london, from: team, organizer: team, sendWindow: window, leavers: leavers,
                maxRosterShrink: 0.10,
                maxCalendarChanges: maxCalendarChanges),
            smtp: SMTPConfig(url: "smtp://localhost:25", tls: .none),
            grades: RosterFixture.grades.grades,
            forums: [
                Forum(id: "cslg", name: "CSLG", grades: ["PS", "DG"]),
                Forum(id: "hod", name: "HoD", roles: ["head-of-department"]),
                Forum(id: "pslg", name: "PSLG", grades: ["CE"], include: ["cslg"]),
                Forum(id: "directors", name: "Directors", grades: ["SCS2"]),
            ],
            events: events,
            notifications: notifications ?? [
                NotificationRule(
                    id: "invitation", kind: .invitation,
                    send: SendOffset(amount: 21, unit: .days, at: TimeOfDay(hour: 9, minute: 0)), template: "invitation"
                ),
                NotificationRule(
                    id: "week-before", kind: .reminder,
                    send: SendOffset(amount: 7, unit: .days, at: TimeOfDay(hour: 9, minute: 0)), template: "reminder"),
                NotificationRule(
                    id: "day-before", kind: .reminder,
                    send: SendOffset(amount: 1, unit: .days, at: TimeOfDay(hour: 8, minute: 0)), template: "reminder"),
            ])
        self.rosterText = rosterText
    }

    static func at(_ text: String) -> Date { LocalDateTime(parsing: text)!.instant(in: london) }

    static func event(
        _ id: String, _ start: String, forums: [String], minutes: Int = 60, repeat rule: String? = nil,
        except: [String] = [], status: EventStatus = .confirmed, location: String? = "Online"
    ) -> Event {
        Event(
            id: id, title: "Event \(id)", forums: forums, start: LocalDateTime(parsing: start)!,
            duration: Duration(minutes: minutes),
            recurrence: rule.map { try! Recurrence.parse($0).get() }, except: except.map { LocalDate(parsing: $0)! },
            location: location, status: status)
    }

    var roster: Roster {
        RosterParser.parse(
            Array(rosterText.utf8), file: "roster.csv", grades: config.gradeTable,
            forumIDs: Set(config.forums.map(\.id))
        ).roster
    }

    /// Plans at `now`, checking on the way that the plan's due order is that of sorting every action (the planner
    /// claims its member actions come in recipient order within each group, so those are not checked by `DueOrder`).
    func plan(now: Date) -> Plan {
        let roster = self.roster
        var reconciler = Reconciler(
            config: config, roster: roster, audience: Audience(config: config, roster: roster),
            state: JournalState(records: records))
        reconciler.fingerprint = fingerprint
        let plan = reconciler.plan(now: now)
        #expect(Array(plan.actions) == plan.actions.planned.sorted(by: Action.dueOrder), "due order at \(now)")
        return plan
    }

    /// Executes every action due by `until`, in due order, re-planning after each instant, and returns them.
    @discardableResult
    mutating func run(from start: Date, until end: Date) -> [Action] {
        var now = start
        var done: [Action] = []
        while true {
            let plan = self.plan(now: now)
            let due = plan.actions.filter { $0.due <= now }
            if due.isEmpty {
                guard let next = plan.actions.first?.due, next <= end else { return done }
                now = max(now, next)
                continue
            }
            for action in due {
                records.append(action.attemptRecord(at: now))
                records.append(action.skipReason == nil ? action.sentRecord(at: now) : action.skippedRecord(at: now))
                done.append(action)
            }
        }
    }
}

extension Action {
    /// A transcript line for assertions: `2027-01-07 09:00 invitation ev/20270107 dir1@… seq 0`.
    var line: String {
        let due = LocalDateTime(instant: self.due, in: PlanningFixture.london)
        return "\(due) \(label) \(eventID)/\(occurrence.compact) \(notification) \(recipient.address) seq \(sequence)"
    }
}
