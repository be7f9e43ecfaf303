import Foundation

extension Reconciler {
    /// The hosted series among the occurrences planned: who sits at each occurrence, by UID.
    struct HostedPlan {
        /// Each hosted occurrence's members (host, guests, and those who declined but hold an entry), in key order.
        var members: [String: [Member]] = [:]
        /// The series entry of each hosted occurrence.
        var entries: [String: CohortSchedule.Entry] = [:]
        /// The hosting settings of each hosted event.
        var hosting: [String: Hosting] = [:]
    }

    /// The tables of every hosted event with an occurrence ahead. `audienceMembers` are the events' whole audiences.
    func hostedPlan(_ occurrences: [Occurrence], audienceMembers: [String: [Member]], _ pass: PlanningPass)
        -> HostedPlan
    {
        var plan = HostedPlan()
        for event in config.events where event.hosting != nil && audienceMembers[event.id] != nil {
            guard
                let schedule = CohortSchedule(
                    event: event, occurrences: occurrences, config: config, roster: roster, audience: audience,
                    state: state, now: pass.now)
            else { continue }
            plan.hosting[event.id] = schedule.hosting
            var byKey: [String: Member] = [:]
            for member in audienceMembers[event.id] ?? [] { byKey[member.person.key] = member }
            for entry in schedule.entries where entry.occurrence.snapshot.start > pass.now {
                var keys = Set(entry.table.guests)
                if let host = entry.table.host { keys.insert(host) }
                // Those who declined keep their entry (no cancellation for a "no"), and so do those whose invitation
                // bounced (nothing more to a dead mailbox; their reminders are skipped).
                for key in entry.slot.out {
                    switch entry.answers[key] {
                    case "declined": keys.insert(key)
                    case "bounced" where state.thread(uid: entry.occurrence.uid, key: key)?.cancelled == false:
                        keys.insert(key)
                    default: break
                    }
                }
                var list: [Member] = []
                for key in keys.sorted() {
                    if let member = byKey[key] {
                        list.append(member)
                    } else if let person = roster.person(key) {
                        // A host from outside the event's forums: invited through the hosts' forum.
                        let forum =
                            schedule.hosting.hosts.first {
                                !$0.contains("@") && audience.forums(of: person).contains($0)
                            }
                            ?? entry.occurrence.forums.first ?? ""
                        list.append(member(for: person, forum: forum, event: event.id, pass))
                    }
                }
                plan.members[entry.occurrence.uid] = list
                plan.entries[entry.occurrence.uid] = entry
            }
        }
        return plan
    }

    /// `person` as a member invited through `forum` to `event`, with the notification rules that apply to them (a
    /// host or guest no invitation rule lets through still gets the first one: the allocator chose them).
    func member(for person: Person, forum: String, event: String, _ pass: PlanningPass) -> Member {
        let forums = audience.forums(of: person)
        return Member(
            person: person, forum: forum,
            invitationRule: Self.invitationRule(for: person, in: forums, event: event, pass)
                ?? (pass.invitationRules.isEmpty ? nil : 0),
            reminderRules: Self.reminderRules(for: person, in: forums, event: event, pass),
            messageRules: Self.messageRules(for: person, in: forums, event: event, pass))
    }

    /// The first calendar message to a member of a hosted table who holds no entry yet: the invitation at the
    /// series' `invite:` time (or the invitation rule's), or, once the occurrence's invitations are out, an offer of
    /// the freed place (template `offer`) that says until when it is held.
    func hostedInvitation(
        for member: Member, entry: CohortSchedule.Entry, hosting: Hosting, _ times: PlanningPass.OccurrenceTimes,
        _ pass: PlanningPass
    ) -> Action? {
        guard let ruleIndex = member.invitationRule ?? (pass.invitationRules.isEmpty ? nil : 0) else { return nil }
        let firstRound: Action? = {
            let nominal = entry.inviteAt ?? times.invitationDue[ruleIndex]
            let placement =
                hosting.invite.map { pass.times.place($0, before: times.start) } ?? times.invitationPlace[ruleIndex]
            let due = nominal <= pass.now ? pass.urgent(before: times.start) : (placement.date ?? nominal)
            guard
                var action = pass.make(
                    .invitation, times.ref, pass.invitationIDs[ruleIndex],
                    template: pass.invitationTemplates[ruleIndex], to: member.person, sequence: 0, due: due,
                    grace: times.start, forum: member.forum)
            else { return nil }
            if nominal > pass.now { pass.unplaceable(&action, placement, nominal: nominal) }
            return action
        }()
        // A first-round invitation still being retried stays one; anyone else new once invitations are out is
        // filling a freed place.
        guard entry.invitationsOut, firstRound.map({ pass.state.failures[$0.messageID] == nil }) ?? true else {
            return firstRound
        }
        let due = pass.urgent(before: times.start)
        let grace = min(times.start, entry.offersCloseAt)
        guard
            var offer = pass.make(
                .invitation, times.ref, Hosting.offerNotification, template: Hosting.offerTemplate,
                to: member.person, sequence: 0, due: due, grace: grace, forum: member.forum)
        else { return nil }
        let until = offer.due.addingTimeInterval(Double(hosting.offer.minutes) * 60)
        offer.reason =
            "A place has come up; it is held for you until \(LocalDateTime(instant: until, in: pass.service.timeZone))"
        return offer
    }

    /// The cancellations of the offers now held, each due when its hold ends (moved into the send window): an offer
    /// accepted before then drops out of the next plan; one not accepted passes on, and the plan after it offers the
    /// place to the next person. An offer whose hold outlasts `offers_close` is not cancelled.
    func offerExpiries(_ hosted: HostedPlan, _ pass: PlanningPass) -> [Action] {
        var actions: [Action] = []
        for uid in hosted.entries.keys.sorted() {
            guard let entry = hosted.entries[uid] else { continue }
            for (key, until) in entry.heldUntil.sorted(by: { $0.key < $1.key })
            where until > pass.now && until < entry.offersCloseAt {
                guard let thread = state.thread(uid: uid, key: key) else { continue }
                let reason =
                    "the place offered to you was held until "
                    + "\(LocalDateTime(instant: until, in: pass.service.timeZone)) and has passed to the next person"
                guard
                    var action = cancellation(
                        of: thread, occurrence: entry.occurrence, person: roster.person(key), reason: reason,
                        notification: Hosting.offerPassedNotification, pass)
                else { continue }
                action.due = min(pass.times.intoWindow(until), entry.occurrence.snapshot.start)
                actions.append(action)
            }
        }
        return actions
    }
}
