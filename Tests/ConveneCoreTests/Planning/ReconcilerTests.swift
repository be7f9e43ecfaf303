import Foundation
import Testing

@testable import ConveneCore

struct OccurrenceTests {
    @Test func biweeklySeriesStaysAtNoonLocalAcrossBothClockChanges() {
        let event = PlanningFixture.event(
            "talk", "2027-03-18 12:00", forums: ["directors"], repeat: "every 2 weeks until 2027-11-11")
        let fixture = PlanningFixture(events: [event])
        let occurrences = Occurrence.all(in: fixture.config)
        #expect(occurrences.map(\.date.description).prefix(2) == ["2027-03-18", "2027-04-01"])
        // 18 March is GMT (12:00Z); 1 April is BST (11:00Z); 11 November is GMT again (12:00Z).
        let utc = occurrences.map { Int($0.snapshot.start.timeIntervalSince1970) % 86400 / 3600 }
        #expect(utc.first == 12)
        #expect(utc[1] == 11)
        #expect(utc.last == 12)
        #expect(occurrences.last?.date.description == "2027-11-11")
        #expect(
            occurrences.allSatisfy {
                LocalDateTime(instant: $0.snapshot.start, in: PlanningFixture.london).time.description == "12:00"
            })
        #expect(occurrences[0].uid == "talk-20270318@example.gov.uk")
    }

    @Test(arguments: [
        (
            "every 1 weeks on Mon,Thu for 5 times", "2027-01-04",
            ["2027-01-04", "2027-01-07", "2027-01-11", "2027-01-14", "2027-01-18"]
        ),
        ("every 2 weeks on Tue until 2027-02-02", "2027-01-07", ["2027-01-19", "2027-02-02"]),
        ("every 1 months for 3 times", "2027-01-31", ["2027-01-31", "2027-02-28", "2027-03-31"]),
        ("every 3 days until 2027-01-10", "2027-01-01", ["2027-01-01", "2027-01-04", "2027-01-07", "2027-01-10"]),
    ])
    func recurrenceExpands(rule: String, start: String, expected: [String]) {
        let event = PlanningFixture.event("e", "\(start) 10:00", forums: ["cslg"], repeat: rule)
        #expect(Occurrences.dates(of: event).map(\.description) == expected)
    }

    @Test func exceptedDatesAreInactiveAndNeverPlanned() {
        let event = PlanningFixture.event(
            "talk", "2027-05-06 12:00", forums: ["directors"], repeat: "every 1 weeks for 3 times",
            except: ["2027-05-13"])
        let fixture = PlanningFixture(events: [event])
        let plan = fixture.plan(now: PlanningFixture.at("2027-04-01 00:00"))
        #expect(Set(plan.actions.map(\.occurrence.description)) == ["2027-05-06", "2027-05-20"])
        #expect(Occurrence.all(in: fixture.config).filter { !$0.active }.map(\.date.description) == ["2027-05-13"])
    }
}

struct ReconcilerTests {
    static let programmeStart = PlanningFixture.at("2027-01-01 00:00")

    @Test func fullProgrammeSendsInvitationThenRemindersInOrder() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        let done = fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(
            done.map(\.line) == [
                "2027-01-20 09:00 invitation talk/20270210 invitation dir1@example.gov.uk seq 0",
                "2027-01-20 09:00 invitation talk/20270210 invitation dir2@example.gov.uk seq 0",
                "2027-02-03 09:00 reminder talk/20270210 week-before dir1@example.gov.uk seq 0",
                "2027-02-03 09:00 reminder talk/20270210 week-before dir2@example.gov.uk seq 0",
                "2027-02-09 08:00 reminder talk/20270210 day-before dir1@example.gov.uk seq 0",
                "2027-02-09 08:00 reminder talk/20270210 day-before dir2@example.gov.uk seq 0",
            ])
        #expect(fixture.plan(now: PlanningFixture.at("2027-03-01 00:00")).actions.isEmpty, "nothing is sent twice")
    }

    @Test func anEventInProgressIsNeitherCancelledNorUpdated() {
        var fixture = PlanningFixture(events: [
            PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"], minutes: 90)
        ])
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-02-10 11:00"))
        #expect(fixture.plan(now: PlanningFixture.at("2027-02-10 12:30")).actions.isEmpty)
        fixture.config.events[0].location = "Moved mid-meeting"
        #expect(fixture.plan(now: PlanningFixture.at("2027-02-10 12:30")).actions.isEmpty)
    }

    @Test func cancelledEventIsNeverInvitedNorReminded() {
        var fixture = PlanningFixture(events: [
            PlanningFixture.event("off", "2027-02-10 12:00", forums: ["directors"], status: .cancelled)
        ])
        #expect(fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-03-01 00:00")).isEmpty)
    }

    @Test func cancellingAfterInvitationsSendsCancellationsAndNoReminders() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-25 00:00"))
        fixture.config.events[0].status = .cancelled
        let done = fixture.run(
            from: PlanningFixture.at("2027-01-25 10:00"), until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(
            done.map(\.line) == [
                "2027-01-25 10:00 cancellation talk/20270210 cancellation dir1@example.gov.uk seq 1",
                "2027-01-25 10:00 cancellation talk/20270210 cancellation dir2@example.gov.uk seq 1",
            ])
    }

    @Test func personPromotedAfterInvitationsGetsOneInvitationAndNoStaleReminders() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("day", "2027-02-10 12:00", forums: ["cslg"])])
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-02-05 00:00"))
        // Dana is promoted to interim Director General five days before the event: after the week-before reminder.
        fixture.rosterText = fixture.rosterText.replacingOccurrences(
            of: "dir1@example.gov.uk,Dana One,SCS2", with: "dir1@example.gov.uk,Dana One,DG")
        let done = fixture.run(
            from: PlanningFixture.at("2027-02-05 10:00"), until: PlanningFixture.at("2027-03-01 00:00")
        ).filter { $0.recipient.address == "dir1@example.gov.uk" }
        #expect(
            done.map(\.line) == [
                "2027-02-05 10:00 invitation (late joiner) day/20270210 invitation dir1@example.gov.uk seq 0",
                "2027-02-05 10:00 skip day/20270210 week-before dir1@example.gov.uk seq 0",
                "2027-02-09 08:00 reminder day/20270210 day-before dir1@example.gov.uk seq 0",
            ])
        #expect(done[1].skipReason == "the recipient joined after this reminder was due")
    }

    @Test func movedEventYieldsOneUpdatePerInviteeWithRisingSequence() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
        fixture.config.events[0].start = LocalDateTime(parsing: "2027-02-10 13:00")!
        let first = fixture.run(
            from: PlanningFixture.at("2027-01-21 10:00"), until: PlanningFixture.at("2027-01-22 00:00"))
        #expect(
            first.map(\.line) == [
                "2027-01-21 10:00 update talk/20270210 update dir1@example.gov.uk seq 1",
                "2027-01-21 10:00 update talk/20270210 update dir2@example.gov.uk seq 1",
            ])
        #expect(first[0].previous?.start == PlanningFixture.at("2027-02-10 12:00"))
        #expect(first[0].snapshot.start == PlanningFixture.at("2027-02-10 13:00"))
        #expect(first[0].uid == "talk-20270210@example.gov.uk")
        fixture.config.events[0].location = "Room 101"
        let second = fixture.run(
            from: PlanningFixture.at("2027-01-22 10:00"), until: PlanningFixture.at("2027-01-23 00:00"))
        #expect(second.map(\.sequence) == [2, 2])
        #expect(
            Set(second.map(\.messageID)).count == 2
                && Set(second.map(\.messageID)).isDisjoint(with: first.map(\.messageID)))
    }

    @Test func eventDeletedFromTheFileIsCancelledFromTheJournalSnapshot() {
        var fixture = PlanningFixture(events: [
            PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"], location: "Old Admiralty Building")
        ])
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
        fixture.config.events = []
        let done = fixture.run(
            from: PlanningFixture.at("2027-01-21 10:00"), until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(done.map(\.kind) == [.cancellation, .cancellation])
        #expect(
            done.allSatisfy { $0.snapshot.location == "Old Admiralty Building" && $0.snapshot.title == "Event talk" })
        #expect(
            done.allSatisfy {
                $0.uid == "talk-20270210@example.gov.uk" && $0.sequence == 1 && $0.eventID == "talk"
                    && $0.occurrence.description == "2027-02-10"
            })
        #expect(done[0].recipient.name == "Dana One")
    }

    @Test func leaverGetsACancellationAndKeepPolicySendsNone() {
        for policy in [LeaverPolicy.cancel, .keep] {
            var fixture = PlanningFixture(
                events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])], leavers: policy)
            fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
            // Dev becomes a Deputy Director… modelled as moving to CE (no longer in directors).
            fixture.rosterText = fixture.rosterText.replacingOccurrences(
                of: "dir2@example.gov.uk,Dev Two,SCS2", with: "dir2@example.gov.uk,Dev Two,CE")
            let done = fixture.run(
                from: PlanningFixture.at("2027-01-21 10:00"), until: PlanningFixture.at("2027-01-22 00:00"))
            #expect(
                done.map(\.line)
                    == (policy == .cancel
                        ? ["2027-01-21 10:00 cancellation talk/20270210 cancellation dir2@example.gov.uk seq 1"] : []))
        }
    }

    @Test func optedOutOfRemindersGetsInvitationsOnlyAndDelegatesAreCopied() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("day", "2027-02-10 12:00", forums: ["cslg"])])
        let done = fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-03-01 00:00"))
        let dg = done.filter { $0.recipient.address == "dg@example.gov.uk" }
        #expect(dg.map(\.kind) == [.invitation])
        let ps = done.filter { $0.recipient.address == "ps@example.gov.uk" }
        #expect(ps.map(\.kind) == [.invitation, .reminder, .reminder])
        #expect(
            ps.allSatisfy {
                $0.cc.map(\.address) == ["po@example.gov.uk"]
                    && $0.envelopeRecipients == ["ps@example.gov.uk", "po@example.gov.uk"]
            })
    }

    @Test func personInTwoForumsGetsOneMessage() {
        // The PS is in cslg (grade) and hod (role), and pslg includes cslg: an event for all three invites once.
        let fixture = PlanningFixture(events: [
            PlanningFixture.event("all", "2027-02-10 12:00", forums: ["cslg", "hod", "pslg"])
        ])
        let invitations = fixture.plan(now: Self.programmeStart).actions.filter { $0.kind == .invitation }
        #expect(
            invitations.map(\.recipient.address) == ["ce@example.gov.uk", "dg@example.gov.uk", "ps@example.gov.uk"])
    }

    @Test func remindersWhoseGraceEndedAreSkippedNotBurst() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
        // The daemon was down from 21 January until the evening before the event: the week-before reminder's time
        // ended when the day-before one was due, and the day-before one (meant to go 28 hours ahead) would now go
        // 16 hours before the event, so it is stale too. Both are journaled as skipped; nothing is burst.
        let done = fixture.run(
            from: PlanningFixture.at("2027-02-09 20:00"), until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(
            done.map(\.line) == [
                "2027-02-09 20:00 skip talk/20270210 day-before dir1@example.gov.uk seq 0",
                "2027-02-09 20:00 skip talk/20270210 day-before dir2@example.gov.uk seq 0",
                "2027-02-09 20:00 skip talk/20270210 week-before dir1@example.gov.uk seq 0",
                "2027-02-09 20:00 skip talk/20270210 week-before dir2@example.gov.uk seq 0",
            ])
        #expect(
            done.first?.skipReason?.hasPrefix("stale: it was due at 2027-02-09 08:00") == true,
            "\(done.first?.skipReason ?? "")")
    }

    /// The send window moves a reminder earlier, never past the event: "1 hour before" an 08:00 Monday event has no
    /// open time before the start (07:00 moves to the 08:00 opening), so it is skipped with the window's reason, just
    /// before its nominal time; "1 day before at 08:00" (a Sunday) goes on the Friday.
    @Test func aReminderTheWindowCannotPlaceBeforeTheEventIsSkippedWithTheReason() {
        var fixture = PlanningFixture(
            events: [PlanningFixture.event("early", "2027-02-15 08:00", forums: ["directors"])],
            window: try! SendWindow.parse("08:00-18:00 Mon-Fri").get(),
            notifications: [
                NotificationRule(
                    id: "invitation", kind: .invitation,
                    send: SendOffset(amount: 21, unit: .days, at: TimeOfDay(hour: 9, minute: 0)), template: "invitation"
                ),
                NotificationRule(
                    id: "day-before", kind: .reminder,
                    send: SendOffset(amount: 1, unit: .days, at: TimeOfDay(hour: 8, minute: 0)), template: "reminder"),
                NotificationRule(
                    id: "hour-before", kind: .reminder, send: SendOffset(amount: 1, unit: .hours, at: nil),
                    template: "reminder"),
            ])
        // Planned from the start as a skip, so `plan` says why before anything is sent.
        let planned = fixture.plan(now: Self.programmeStart).actions.first { $0.notification == "hour-before" }
        #expect(planned?.skipReason != nil)
        let done = fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-03-01 00:00"))
        #expect(
            done.filter { $0.recipient.address == "dir1@example.gov.uk" }.map(\.line) == [
                "2027-01-25 09:00 invitation early/20270215 invitation dir1@example.gov.uk seq 0",
                "2027-02-12 08:00 reminder early/20270215 day-before dir1@example.gov.uk seq 0",
                "2027-02-15 06:59 skip early/20270215 hour-before dir1@example.gov.uk seq 0",
            ])
        let skip = done.first { $0.notification == "hour-before" }
        #expect(
            skip?.skipReason?.hasPrefix("the send window has no time for it before the event: ") == true,
            "\(skip?.skipReason ?? "")")
    }

    @Test func rosterShrinkingByHalfIsRefused() {
        var fixture = PlanningFixture(events: [
            PlanningFixture.event("day", "2027-02-10 12:00", forums: ["cslg", "pslg", "directors"])
        ])
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
        fixture.rosterText = """
            email,name,grade
            ps@example.gov.uk,Pat Perm,PS
            dg@example.gov.uk,Dee Gee,DG

            """
        let plan = fixture.plan(now: PlanningFixture.at("2027-01-21 10:00"))
        #expect(plan.actions.isEmpty)
        #expect(plan.refusal?.contains("drops 3 of 5 invited people (60%)") == true)
    }

    @Test func permanentFailureIsNotRetriedAndTemporaryBacksOff() {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        let now = PlanningFixture.at("2027-01-20 09:00")
        let actions = fixture.plan(now: now).actions.filter { $0.due <= now }
        #expect(actions.count == 2)
        fixture.records.append(actions[0].failedRecord(at: now, code: 550, permanent: true, reply: "550 no such user"))
        fixture.records.append(actions[1].failedRecord(at: now, code: 451, permanent: false, reply: "451 try later"))
        let next = fixture.plan(now: now).actions.filter { $0.kind == .invitation }
        #expect(next.map(\.recipient.address) == [actions[1].recipient.address])
        #expect(next[0].due > now.addingTimeInterval(50) && next[0].due < now.addingTimeInterval(70))
        #expect(next[0].messageID == actions[1].messageID, "a retry reuses the Message-ID")
    }

    /// A bounce (a `failed` record, permanent, for the invitation) means a dead mailbox: the person's reminders are
    /// journaled as skipped with the reason, the others' go; a refusal of the delegates' copy alone changes nothing.
    @Test(arguments: [(false, "bounced"), (true, nil)])
    func remindersToAnAddressWhoseInvitationBouncedAreSkipped(delegatesAlone: Bool, reason: String?) throws {
        var fixture = PlanningFixture(events: [PlanningFixture.event("talk", "2027-02-10 12:00", forums: ["directors"])]
        )
        fixture.run(from: Self.programmeStart, until: PlanningFixture.at("2027-01-21 00:00"))
        let invitation = try #require(
            fixture.records.last { $0.type == .sent && $0.kind == .invitation && $0.to == "dir1@example.gov.uk" })
        fixture.records.append(
            JournalRecord(
                type: .failed, at: PlanningFixture.at("2027-01-21 10:00"), key: invitation.key, kind: .invitation,
                uid: invitation.uid, msgid: invitation.msgid, to: invitation.to, code: 550, permanent: true,
                reply: "bounce 5.1.1: user unknown", instead: delegatesAlone ? true : nil))
        let done = fixture.run(
            from: PlanningFixture.at("2027-01-21 10:00"), until: PlanningFixture.at("2027-03-01 00:00"))
        let dana = done.filter { $0.recipient.address == "dir1@example.gov.uk" }
        #expect(dana.map(\.notification) == ["week-before", "day-before"])
        #expect(dana.map(\.skipReason) == [reason, reason])
        #expect(done.filter { $0.recipient.address == "dir2@example.gov.uk" }.allSatisfy { $0.skipReason == nil })
    }
}
