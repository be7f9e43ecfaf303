import Foundation
import Testing

@testable import ConveneCore

/// Shared by the delegate-mode tests: Dana (a director) and her private office, invited to one talk.
enum DelegateModeFixture {
    static let principal = "dir1@example.gov.uk"
    static let delegate = "pa.dana@example.gov.uk"
    static let talk = PlanningFixture.event("talk", "2027-01-07 12:00", forums: ["directors"])

    /// Dana's roster, with `delegate` (none when empty) in `mode` (the column's text; empty is `copy`). Dev, a second
    /// director, keeps a leaver from being most of the audience.
    static func roster(delegate: String = delegate, mode: String) -> String {
        """
        email,name,grade,delegate,delegate_mode
        dir1@example.gov.uk,Dana One,SCS2,\(delegate),\(mode)
        dir2@example.gov.uk,Dev Two,SCS2,,

        """
    }

    /// Dana's programme, with her invitation sent on 17 December.
    static func invited(delegate: String = delegate, mode: String) -> PlanningFixture {
        var fixture = PlanningFixture(events: [talk], rosterText: roster(delegate: delegate, mode: mode))
        fixture.run(from: PlanningFixture.at("2026-12-17 09:00"), until: PlanningFixture.at("2026-12-17 09:00"))
        return fixture
    }

    /// Dana's calendar actions in the plan at `now`.
    static func calendarActions(_ fixture: PlanningFixture, now: Date) -> [Action] {
        fixture.plan(now: now).actions.filter { $0.recipientKey == principal && $0.kind.isCalendar }
    }
}

/// Who each kind of message goes to in each `delegate_mode`: the envelope, the To: and Cc: headers, the calendar's
/// ATTENDEE, and the line that tells a delegate receiving it in the principal's place whose it is.
struct DelegateModeRecipientsTests {
    typealias F = DelegateModeFixture

    struct Case: Sendable, CustomTestStringConvertible {
        var mode: DelegateMode
        var kind: MessageKind
        var envelope: [String]
        var to: [String]
        var cc: [String]
        var testDescription: String { "\(mode) \(kind)" }
    }

    static let both = [F.principal, F.delegate]
    static let cases: [Case] =
        MessageKind.allCases.map { Case(mode: .copy, kind: $0, envelope: both, to: [F.principal], cc: [F.delegate]) }
        + MessageKind.allCases.map {
            Case(mode: .instead, kind: $0, envelope: [F.delegate], to: [F.delegate], cc: [])
        }
        + MessageKind.allCases.map {
            !$0.isCalendar
                ? Case(mode: .invitations, kind: $0, envelope: [F.principal], to: [F.principal], cc: [])
                : Case(mode: .invitations, kind: $0, envelope: both, to: [F.principal], cc: [F.delegate])
        }

    /// Dana's five messages in `mode`: the invitation, a plain message (`kind: message`, ten days before), the
    /// week-before reminder, an update (the talk moves) and a cancellation (it is called off).
    static func timeline(_ mode: DelegateMode) -> [Action] {
        var fixture = PlanningFixture(events: [F.talk], rosterText: F.roster(mode: mode.rawValue))
        fixture.config.notifications.append(
            NotificationRule(
                id: "papers", kind: .message,
                send: SendOffset(amount: 10, unit: .days, at: TimeOfDay(hour: 9, minute: 0)),
                template: "papers"))
        var sent = fixture.run(
            from: PlanningFixture.at("2026-12-17 09:00"), until: PlanningFixture.at("2026-12-31 09:00"))
        fixture.config.events[0].start = LocalDateTime(parsing: "2027-01-07 14:00")!
        sent += fixture.run(from: PlanningFixture.at("2027-01-04 10:00"), until: PlanningFixture.at("2027-01-04 10:00"))
        fixture.config.events[0].status = .cancelled
        sent += fixture.run(from: PlanningFixture.at("2027-01-05 10:00"), until: PlanningFixture.at("2027-01-05 10:00"))
        return sent.filter { $0.recipientKey == F.principal }
    }

    @Test(arguments: cases)
    func eachModeAddressesEachKindOfMessage(_ expected: Case) throws {
        let actions = Self.timeline(expected.mode)
        #expect(actions.map(\.kind) == [.invitation, .message, .reminder, .update, .cancellation])
        let action = try #require(actions.first { $0.kind == expected.kind })
        let composer = MessageComposer(config: PlanningFixture(events: [F.talk]).config, templates: [:])
        let message = composer.message(for: action, now: action.due)
        #expect(action.envelopeRecipients == expected.envelope)
        #expect(composer.outgoing(for: action, now: action.due).recipients == expected.envelope)
        #expect(message.to.map(\.address) == expected.to)
        #expect(message.cc.map(\.address) == expected.cc)
        // The calendar entry is the principal's whoever receives it.
        let attendees = composer.invite(for: action, stamp: action.due)?.attendees.map(\.address)
        #expect(attendees == (expected.kind.isCalendar ? [F.principal] : nil))
        // The journal keeps the principal's key and says who was reached.
        let record = action.sentRecord(at: action.due)
        #expect(record.key.hasSuffix("/" + F.principal) && record.to == F.principal)
        #expect(record.cc == expected.cc + (expected.mode == .instead ? [F.delegate] : []))
        #expect(record.instead == (expected.mode == .instead ? true : nil))
        #expect(record.wentToDelegatesAlone == (expected.mode == .instead))
    }

    @Test func aDelegateReceivingInThePrincipalsPlaceIsToldWhoseMessageItIs() throws {
        let templates = try MessageComposerTests.shippedTemplates()
        let composer = MessageComposer(config: PlanningFixture(events: [F.talk]).config, templates: templates)
        for mode in DelegateMode.allCases {
            for action in Self.timeline(mode) {
                let message = composer.message(for: action, now: action.due)
                let line = "Sent to you as delegate for Dana One (dir1@example.gov.uk)."
                #expect(message.plain.hasPrefix(line + "\n\n") == (mode == .instead), "\(mode) \(action.kind)")
                #expect(message.html.contains(line) == (mode == .instead))
                // The template still speaks to the principal: the values are hers.
                #expect(composer.values(for: action)["firstname"] == "Dana")
            }
        }
    }

    @Test func modesWithoutADelegateChangeNothing() {
        for mode in DelegateMode.allCases {
            var fixture = PlanningFixture(events: [F.talk], rosterText: F.roster(delegate: "", mode: mode.rawValue))
            let sent = fixture.run(
                from: PlanningFixture.at("2026-12-17 09:00"), until: PlanningFixture.at("2026-12-31 09:00"))
            let dana = sent.filter { $0.recipientKey == F.principal }
            #expect(dana.map(\.kind) == [.invitation, .reminder])
            #expect(
                dana.allSatisfy {
                    $0.envelopeRecipients == [F.principal] && $0.toHeader.map(\.address) == [F.principal]
                })
        }
    }
}

/// A delegate added or changed gets the current calendar message, and a change of mode sends nobody what they
/// already hold: `copy` → `instead` sends nothing; leaving `instead` sends the principal the entry they were never
/// sent, once.
struct DelegateModeChangeTests {
    typealias F = DelegateModeFixture
    static let now = PlanningFixture.at("2026-12-20 10:00")

    @Test(arguments: DelegateMode.allCases)
    func aDelegateAddedLaterGetsTheCurrentInvitationAloneInEveryMode(_ mode: DelegateMode) throws {
        var fixture = F.invited(delegate: "", mode: "")
        fixture.rosterText = F.roster(mode: mode.rawValue)
        let actions = F.calendarActions(fixture, now: Self.now)
        #expect(actions.map(\.label) == ["delegate copy"])
        let copy = try #require(actions.first)
        #expect(copy.envelopeRecipients == [F.delegate], "never the principal again")
        #expect(copy.toHeader.map(\.address) == (mode == .instead ? [F.delegate] : [F.principal]))
        #expect(copy.ccHeader.map(\.address) == (mode == .instead ? [] : [F.delegate]))
        #expect(copy.sequence == 0 && copy.uid == "talk-20270107@example.gov.uk")

        fixture.run(from: Self.now, until: Self.now)
        #expect(F.calendarActions(fixture, now: Self.now).isEmpty, "sent once")
    }

    @Test func aNewDelegateActingInThePlaceOfTheOldGetsTheEntryAndThePrincipalNothing() throws {
        var fixture = F.invited(mode: "instead")
        let first = try #require(fixture.records.last { $0.type == .sent && $0.to == F.principal })
        #expect(first.cc == [F.delegate] && first.instead == true)
        fixture.rosterText = F.roster(delegate: "office.dana@example.gov.uk", mode: "instead")
        let actions = F.calendarActions(fixture, now: Self.now)
        #expect(actions.map(\.envelopeRecipients) == [["office.dana@example.gov.uk"]])
        #expect(actions.map { $0.toHeader.map(\.address) } == [["office.dana@example.gov.uk"]])
        fixture.run(from: Self.now, until: Self.now)
        #expect(F.calendarActions(fixture, now: Self.now).isEmpty)
    }

    @Test func switchingFromCopyToInsteadSendsNothingAgainAndLaterMessagesGoToTheDelegateAlone() throws {
        var fixture = F.invited(mode: "copy")
        fixture.rosterText = F.roster(mode: "instead")
        #expect(F.calendarActions(fixture, now: Self.now).isEmpty, "both hold the invitation already")
        // Back and forth without a change to the entry: still nothing, both hold it.
        fixture.rosterText = F.roster(mode: "copy")
        #expect(F.calendarActions(fixture, now: Self.now).isEmpty)
        fixture.rosterText = F.roster(mode: "instead")

        fixture.config.events[0].location = "Room 2"
        let later = fixture.run(from: Self.now, until: PlanningFixture.at("2026-12-31 09:00"))
            .filter { $0.recipientKey == F.principal }
        #expect(later.map(\.kind) == [.update, .reminder])
        #expect(later.allSatisfy { $0.envelopeRecipients == [F.delegate] })
    }

    struct Leaving: Sendable, CustomTestStringConvertible {
        var delegate: String
        var mode: String
        /// Who the principal's copy goes to besides the principal.
        var alsoTo: [String]
        var testDescription: String { "to '\(mode)' with delegate '\(delegate)'" }
    }

    @Test(arguments: [
        Leaving(delegate: F.delegate, mode: "copy", alsoTo: []),
        Leaving(delegate: F.delegate, mode: "invitations", alsoTo: []),
        Leaving(delegate: "", mode: "instead", alsoTo: []),
        Leaving(delegate: "office.dana@example.gov.uk", mode: "", alsoTo: ["office.dana@example.gov.uk"]),
    ])
    func leavingInsteadSendsThePrincipalTheCurrentEntryOnce(_ change: Leaving) throws {
        var fixture = F.invited(mode: "instead")
        // The talk moves while the delegate receives in Dana's place: SEQUENCE 1 reaches the delegate alone.
        fixture.config.events[0].start = LocalDateTime(parsing: "2027-01-07 15:00")!
        let update = fixture.run(from: Self.now, until: Self.now).filter { $0.recipientKey == F.principal }
        #expect(update.map(\.kind) == [.update] && update.map(\.envelopeRecipients) == [[F.delegate]])

        fixture.rosterText = F.roster(delegate: change.delegate, mode: change.mode)
        let later = Self.now.addingTimeInterval(3600)
        let actions = F.calendarActions(fixture, now: later)
        #expect(actions.map(\.label) == ["principal copy"])
        let copy = try #require(actions.first)
        #expect(copy.envelopeRecipients == [F.principal] + change.alsoTo)
        #expect(copy.toHeader.map(\.address) == [F.principal] && copy.ccHeader.map(\.address) == change.alsoTo)
        #expect(copy.sequence == 1 && copy.snapshot.start == PlanningFixture.at("2027-01-07 15:00"))
        #expect(copy.kind == .invitation && copy.notification == MessageIdentity.principalCopyNotification)

        fixture.run(from: later, until: later)
        #expect(F.calendarActions(fixture, now: later).isEmpty, "sent once")
        let thread = try #require(
            JournalState(records: fixture.records).thread(uid: copy.uid, recipient: F.principal))
        #expect(thread.reachedPrincipal && thread.sequence == 1)
        #expect(Set(thread.cc) == Set([F.delegate] + change.alsoTo))
    }

    @Test func aLeaverWhoseDelegateReceivedInTheirPlaceIsCancelledThroughTheDelegate() throws {
        var fixture = F.invited(mode: "instead")
        fixture.config.service.maxRosterShrink = 1.0
        fixture.rosterText = """
            email,name,grade
            dir2@example.gov.uk,Dev Two,SCS2

            """
        let actions = F.calendarActions(fixture, now: Self.now)
        #expect(actions.map(\.kind) == [.cancellation])
        let cancellation = try #require(actions.first)
        #expect(cancellation.envelopeRecipients == [F.delegate])
        #expect(cancellation.toHeader.map(\.address) == [F.delegate])
        #expect(cancellation.sentRecord(at: Self.now).instead == true)
    }
}
