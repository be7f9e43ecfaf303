import Foundation

extension Reconciler {
    /// Why a preview could not be built.
    public struct PreviewError: Error, Sendable {
        /// What is wrong, for the admin.
        public var message: String
        /// What would be valid instead, if there is a short list.
        public var hint: String?
    }

    /// A previewed message: the action, and why it would not be sent as shown (empty when `run` will send it).
    public struct Preview: Sendable {
        /// The message's action, planned or built directly.
        public var action: Action
        /// Why `run` would not send it as shown; empty when it will.
        public var warnings: [String]
    }

    /// The action for one message whether or not it is due: the planned one if reconcile would send it, else the
    /// same message built directly (so an admin can see an invitation that already went out, or a cancellation),
    /// with a warning for each reason `run` would not send it. `notification` is any id `plan` shows: a rule's id,
    /// `reinvite`, `address-change`, `update` or `cancellation`. `date` matches the date an occurrence takes place on or, for a moved
    /// one, its scheduled date.
    public func previewAction(
        event eventID: String, occurrence date: LocalDate?, notification: String, recipient email: String, now: Date
    ) -> Result<Preview, PreviewError> {
        guard let event = config.event(eventID) else {
            return .failure(
                PreviewError(
                    message: "unknown event '\(eventID)'",
                    hint: "events: " + config.events.map(\.id).joined(separator: ", ")))
        }
        let occurrences = Occurrence.all(in: config, known: state.identities, now: now).filter {
            $0.eventID == event.id
        }
        let chosen =
            date.map { d in occurrences.first { $0.date == d } ?? occurrences.first { $0.identity == d } }
            ?? occurrences.first { $0.active && $0.snapshot.start > now } ?? occurrences.last
        guard let occurrence = chosen else {
            return .failure(
                PreviewError(
                    message: "event '\(eventID)' has no occurrence on \(date?.description ?? "any date")",
                    hint: "its dates: " + occurrences.map(\.date.description).joined(separator: ", ")))
        }
        let kind: MessageKind
        let template: String
        let rule = config.notification(notification)
        switch notification {
        case "update": (kind, template) = (.update, "update")
        case "cancellation": (kind, template) = (.cancellation, "cancellation")
        case "reinvite" where rule == nil, MessageIdentity.addressChangeNotification where rule == nil:
            (kind, template) = (
                .invitation, config.notifications.first { $0.kind == .invitation }?.template ?? "invitation"
            )
        default:
            guard let rule else {
                return .failure(
                    PreviewError(
                        message: "unknown notification '\(notification)'",
                        hint: "notifications: "
                            + (config.notifications.map(\.id) + [
                                "reinvite", MessageIdentity.addressChangeNotification, "update", "cancellation",
                            ]).joined(
                                separator: ", ")))
            }
            (kind, template) = (MessageKind(rule.kind), rule.template)
        }
        let planned = plan(now: now).actions.first(where: {
            $0.uid == occurrence.uid && $0.notification == notification
                && $0.recipient.address.lowercased() == email.lowercased()
        })
        if let planned {
            return .success(
                Preview(action: planned, warnings: planned.skipReason.map { ["it would not be sent: \($0)"] } ?? []))
        }
        let person = roster.person(email)
        let thread = state.thread(uid: occurrence.uid, recipient: email)
        let forum =
            person.flatMap { p in occurrence.forums.first { audience.forums(of: p).contains($0) } }
            ?? occurrence.forums.first
        let sequence = CalendarStep.forced(
            kind, reinvite: notification == "reinvite" || notification == MessageIdentity.addressChangeNotification,
            sent: thread, wanted: occurrence.snapshot
        ).sequence
        let name = person?.name ?? thread?.name ?? ""
        let times = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        // A rule the window cannot place before the start is previewed at its nominal time: plan says why it is not sent.
        let due =
            rule.map { rule in
                let start = occurrence.snapshot.start
                return times.place(rule.send, before: start).date ?? times.nominal(rule.send, before: start)
            } ?? now
        var action = Action(
            kind: kind, due: due, grace: occurrence.snapshot.start,
            occurrence: OccurrenceRef(occurrence, domain: config.service.domain), notification: notification,
            template: template, person: person, recipient: Mailbox(name: name, address: email),
            cc: (person?.delegate).map { [Mailbox(name: "", address: $0)] } ?? [], sequence: sequence, forum: forum)
        if kind == .cancellation, let snapshot = thread?.snapshot { action.snapshot = snapshot }
        if kind == .message { action.attachments = rule?.attachments ?? [] }
        action.previous = thread?.snapshot ?? (kind == .update || kind == .cancellation ? occurrence.snapshot : nil)
        if kind == .cancellation {
            action.reason =
                occurrence.inactiveReason ?? Reconciler.leaverReason(eventForums: occurrence.forums, config: config)
        }
        return .success(
            Preview(
                action: action,
                warnings: whyNotSent(action, occurrence: occurrence, rule: rule, person: person, now: now)))
    }

    /// The reasons `run` would not send this message, for an action that is not in the plan.
    private func whyNotSent(
        _ action: Action, occurrence: Occurrence, rule: NotificationRule?, person: Person?, now: Date
    ) -> [String] {
        let email = action.recipient.address
        var reasons: [String] = []
        if action.kind != .cancellation {
            if let why = occurrence.inactiveReason { reasons.append("it would not be sent: \(why)") }
            if person == nil {
                reasons.append("\(email) is not in the roster")
            } else if let person {
                let forums = audience.forums(of: person)
                if !occurrence.forums.contains(where: forums.contains) {
                    let names = occurrence.forums.map { config.forum($0)?.name ?? $0 }.joined(separator: ", ")
                    reasons.append("\(email) is not a member of \(names), the audience of this event")
                }
                switch person.optOut {
                case .all: reasons.append("\(email) has opted out of all messages")
                case .reminders where action.kind == .reminder || action.kind == .message:
                    reasons.append("\(email) has opted out of reminders")
                default: break
                }
                if let rule, !Self.matches(rule, Set(rule.forums), person, in: forums, event: occurrence.eventID) {
                    reasons.append(
                        "notification '\(rule.id)' is not for \(email) (its forums, grades or events filter them out)")
                }
            }
        }
        if occurrence.snapshot.start <= now { reasons.append("the occurrence has already started") }
        if state.finished.contains(action.messageID) { reasons.append("it was already sent (the journal has it)") }
        if reasons.isEmpty { reasons.append("convene has not planned this message: nothing calls for it now") }
        return reasons
    }
}
