import Foundation

extension Reconciler {
    /// Why a preview could not be built.
    public struct PreviewError: Error, Sendable {
        public var message: String
        public var hint: String?
    }

    /// The action for one message whether or not it is due: the planned one if reconcile would send it, else the
    /// same message built directly (so an admin can see an invitation that already went out, or a cancellation).
    public func previewAction(
        event eventID: String, occurrence date: LocalDate?, notification: String, recipient email: String, now: Date
    ) -> Result<Action, PreviewError> {
        guard let event = config.event(eventID) else {
            return .failure(PreviewError(message: "unknown event '\(eventID)'", hint: "events: " + config.events.map(\.id).joined(separator: ", ")))
        }
        let occurrences = Occurrence.all(in: config).filter { $0.eventID == event.id }
        let chosen = date.map { d in occurrences.first { $0.date == d } }
            ?? occurrences.first { $0.active && $0.snapshot.start > now } ?? occurrences.last
        guard let occurrence = chosen else {
            return .failure(PreviewError(message: "event '\(eventID)' has no occurrence on \(date?.description ?? "any date")",
                hint: "its dates: " + occurrences.map(\.date.description).joined(separator: ", ")))
        }
        let kind: MessageKind
        let template: String
        switch notification {
        case "update": (kind, template) = (.update, "update")
        case "cancellation": (kind, template) = (.cancellation, "cancellation")
        default:
            guard let rule = config.notification(notification) else {
                return .failure(PreviewError(message: "unknown notification '\(notification)'",
                    hint: "notifications: " + (config.notifications.map(\.id) + ["update", "cancellation"]).joined(separator: ", ")))
            }
            (kind, template) = (rule.kind == .invitation ? .invitation : .reminder, rule.template)
        }
        if let planned = plan(now: now).actions.first(where: {
            $0.uid == occurrence.uid && $0.notification == notification && $0.recipient.address.lowercased() == email.lowercased()
        }) {
            return .success(planned)
        }
        let person = roster.person(email)
        let thread = state.thread(uid: occurrence.uid, recipient: email)
        let forum = person.flatMap { p in occurrence.forums.first { audience.forums(of: p).contains($0) } } ?? occurrence.forums.first
        let sequence = kind.isCalendar && kind != .invitation ? (thread?.sequence ?? 0) + 1 : 0
        let name = person?.name ?? thread?.name ?? ""
        let times = DueTime(zone: config.service.timeZone, window: config.service.sendWindow)
        // A rule the window cannot place before the start is previewed at its nominal time: plan says why it is not sent.
        let due = config.notification(notification).map { rule in
            let start = occurrence.snapshot.start
            return times.place(rule.send, before: start).date ?? times.nominal(rule.send, before: start)
        } ?? now
        var action = Action(
            kind: kind, due: due, grace: occurrence.snapshot.start,
            occurrence: OccurrenceRef(occurrence, domain: config.service.domain), notification: notification,
            template: template, person: person, recipient: Mailbox(name: name, address: email),
            cc: (person?.delegate).map { [Mailbox(name: "", address: $0)] } ?? [], sequence: sequence, forum: forum)
        if kind == .cancellation, let snapshot = thread?.snapshot { action.snapshot = snapshot }
        action.previous = thread?.snapshot ?? (kind == .update || kind == .cancellation ? occurrence.snapshot : nil)
        return .success(action)
    }
}
