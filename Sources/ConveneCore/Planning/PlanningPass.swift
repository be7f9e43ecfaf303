import Foundation

/// What one planning run shares across occurrences and people: the clock, the send window, the journal's answers and
/// what each action takes from its notification rule, by rule index. Copying a whole rule per member and occurrence
/// would retain each of its strings and arrays; these are taken out once per run.
struct PlanningPass {
    let now: Date
    let service: ServiceSettings
    let times: DueTime
    let state: JournalState
    let domain: String
    let invitationRules: [NotificationRule]
    let reminderRules: [NotificationRule]
    let invitationIDs: [String]
    let invitationTemplates: [String]
    let reminderIDs: [String]
    let reminderTemplates: [String]
    /// `kind: message` rules: plain messages on their own schedule.
    let messageRules: [NotificationRule]
    /// Rule filters as sets, checked once per person and event.
    let invitationForums: [Set<String>]
    let reminderForums: [Set<String>]
    let messageForums: [Set<String>]

    init(config: Config, state: JournalState, now: Date) {
        self.now = now
        self.service = config.service
        self.times = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        self.state = state
        self.domain = config.service.domain
        let invitationRules = config.notifications.filter { $0.kind == .invitation }
        let reminderRules = config.notifications.filter { $0.kind == .reminder }
        messageRules = config.notifications.filter { $0.kind == .message }
        messageForums = messageRules.map { Set($0.forums) }
        self.invitationRules = invitationRules
        self.reminderRules = reminderRules
        (invitationIDs, invitationTemplates) = (invitationRules.map(\.id), invitationRules.map(\.template))
        (reminderIDs, reminderTemplates) = (reminderRules.map(\.id), reminderRules.map(\.template))
        invitationForums = invitationRules.map { Set($0.forums) }
        reminderForums = reminderRules.map { Set($0.forums) }
    }

    /// The due times of one occurrence's rules: they depend on the occurrence and the rule only, so they are worked
    /// out once per occurrence, not per person.
    struct OccurrenceTimes {
        let ref: OccurrenceRef
        let start: Date
        let invitationPlace: [DueTime.Placement]
        let reminderPlace: [DueTime.Placement]
        /// A rule the window cannot place keeps its nominal time for ordering and for the moment it is skipped.
        let invitationDue: [Date]
        let reminderDue: [Date]
        /// Reminder rule indices by due time; a stable sort, so reminders due together keep their order in the file.
        let remindersInDueOrder: [Int]
        let messagePlace: [DueTime.Placement]
        let messageDue: [Date]
    }

    /// The due times of `occurrence`'s rules.
    func times(of occurrence: Occurrence) -> OccurrenceTimes {
        let start = occurrence.snapshot.start
        let invitationPlace = invitationRules.map { times.place($0.send, before: start) }
        let reminderPlace = reminderRules.map { times.place($0.send, before: start) }
        let invitationDue = invitationRules.indices.map {
            invitationPlace[$0].date ?? times.nominal(invitationRules[$0].send, before: start)
        }
        let reminderDue = reminderRules.indices.map {
            reminderPlace[$0].date ?? times.nominal(reminderRules[$0].send, before: start)
        }
        let messagePlace = messageRules.map { times.place($0.send, before: start) }
        let messageDue = messageRules.indices.map {
            messagePlace[$0].date ?? times.nominal(messageRules[$0].send, before: start)
        }
        return OccurrenceTimes(
            ref: OccurrenceRef(occurrence, domain: domain), start: start, invitationPlace: invitationPlace,
            reminderPlace: reminderPlace, invitationDue: invitationDue, reminderDue: reminderDue,
            remindersInDueOrder: reminderRules.indices.sorted { reminderDue[$0] < reminderDue[$1] },
            messagePlace: messagePlace, messageDue: messageDue)
    }

    /// True when the same message (notification and SEQUENCE) is finished for this employee at an address they had
    /// before: an employee who moved mailbox does not get again at the new address what the old one had.
    func sentToOldAddress(_ action: Action, employee: String, _ person: Person) -> Bool {
        let others = state.otherAddresses(of: employee, than: person.key)
        guard !others.isEmpty else { return false }
        var identity = action.messageIdentity
        return others.contains { other in
            identity.recipientKey = other
            return state.finished.contains(identity.messageID)
        }
    }

    /// Urgent messages go in the window, unless that would be after the event starts: then at once.
    func urgent(before start: Date) -> Date {
        let inWindow = times.intoWindow(now)
        return inWindow < start ? inWindow : now
    }

    /// A rule the send window has no time for before the event (`DueTime.place`): the message is skipped, with
    /// the window's reason, just before its nominal time (or now, if that has passed), so `plan` shows it first.
    func unplaceable(_ action: inout Action, _ placement: DueTime.Placement, nominal: Date) {
        guard case .unplaceable(let reason) = placement else { return }
        action.skipReason = "the send window has no time for it before the event: \(reason)"
        action.due = max(now, min(nominal, action.grace).addingTimeInterval(-60))
    }

    /// The action for one message, timed against the journal and the window: nil when the journal has it finished;
    /// a retry waits out its back-off; a message that can no longer go out before `grace` is a skip; an overdue one
    /// goes at the next moment the window is open.
    func make(
        _ kind: MessageKind, _ occurrence: OccurrenceRef, _ notification: String, template: String,
        to person: Person?,
        recipient: Mailbox? = nil, cc: [Mailbox]? = nil, sequence: Int, due: Date, grace: Date, forum: String?
    ) -> Action? {
        var action = Action(
            kind: kind, due: due, grace: grace, occurrence: occurrence, notification: notification,
            template: template,
            person: person, recipient: recipient, cc: cc, sequence: sequence, forum: forum)
        // The Message-ID is only built when the journal has something to match it against.
        if !state.finished.isEmpty || !state.failures.isEmpty {
            let id = action.messageID
            if state.finished.contains(id) { return nil }
            if let person, let employee = person.employeeID, sentToOldAddress(action, employee: employee, person) {
                return nil
            }
            if let failure = state.failures[id] {
                action.due = max(
                    due, failure.last.addingTimeInterval(Reconciler.retryDelay(attempt: failure.count, id: id)))
            }
        }
        if action.due >= grace {
            // It can never go out in time: journaled as skipped now, or just before the moment it would have
            // been dropped, so `plan` and `run` agree on it.
            let graceText = LocalDateTime(instant: grace, in: service.timeZone)
            action.skipReason =
                now >= grace
                ? "its time to send ended at \(graceText) before it could go out"
                : "it would be due at \(LocalDateTime(instant: action.due, in: service.timeZone)), not before its time to send ends at \(graceText)"
            action.due = max(now, min(action.due, grace).addingTimeInterval(-60))
        } else if action.due < now {
            // Overdue (a backlog, downtime, a retry): it goes at the next moment the send window is open. If the
            // window only opens after its grace, a calendar message goes at once (a calendar must not stay
            // wrong), a reminder is skipped (a reminder outside the window, or after its moment, helps nobody).
            let open = times.intoWindow(now)
            if open < grace {
                action.due = open
            } else if kind == .reminder || kind == .message {
                action.skipReason =
                    "the send window does not open again before its time to send ends at "
                    + "\(LocalDateTime(instant: grace, in: service.timeZone))"
                action.due = now
            } else {
                action.due = now
            }
        }
        return action
    }
}
