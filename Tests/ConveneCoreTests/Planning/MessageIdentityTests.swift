import Foundation
import Testing

@testable import ConveneCore

/// `MessageIdentity` is the one place a delivery's key, Message-ID and recipient hash are built.
struct MessageIdentityTests {
    static let identity = MessageIdentity(
        eventID: "cslg", compactDate: "20270107", notification: "week-before", sequence: 2,
        recipientKey: "dana.one@example.gov.uk", domain: "example.gov.uk")

    @Test func keyAndMessageIDHaveTheirDocumentedShape() {
        #expect(Self.identity.key == "cslg/20270107/week-before/dana.one@example.gov.uk")
        #expect(
            Self.identity.messageID
                == "cslg.20270107.week-before.2." + FNV1a.hash("dana.one@example.gov.uk") + "@example.gov.uk")
        #expect(!Self.identity.messageID.contains("dana"), "the recipient appears only hashed")
        #expect(Self.identity.recipientHash == FNV1a.value("dana.one@example.gov.uk"))
    }

    /// `plan --json` writes the Message-ID from a shared prefix, the recipient hash and a shared suffix: the same text.
    @Test func thePartsPlanJSONWritesMakeTheSameMessageIDAndKey() {
        let id = Self.identity
        var bytes = Array(
            MessageIdentity.messageIDPrefix(
                eventID: id.eventID, compactDate: id.compactDate, notification: id.notification, sequence: id.sequence
            ).utf8)
        MessageIdentity.appendRecipientHash(of: id.recipientKey, to: &bytes)
        bytes += MessageIdentity.messageIDSuffix(domain: id.domain).utf8
        #expect(String(decoding: bytes, as: UTF8.self) == id.messageID)
        #expect(
            MessageIdentity.keyPrefix(eventID: id.eventID, compactDate: id.compactDate, notification: id.notification)
                + id.recipientKey == id.key)
    }

    @Test func anActionTakesItsKeyAndMessageIDFromItsIdentity() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let occurrence = Occurrence(
            eventID: "cslg", date: LocalDate(year: 2027, month: 1, day: 8),
            identity: LocalDate(year: 2027, month: 1, day: 7), uid: "u@example.gov.uk",
            snapshot: EventSnapshot(
                title: "CSLG", start: start, end: start + 3600, location: nil, joinURL: nil, description: nil),
            active: false, forums: [])
        let ref = OccurrenceRef(occurrence, domain: "example.gov.uk")
        // A leaver no longer in the roster: the journal's mailbox, in whatever case it was written.
        let leaver = Action(
            kind: .cancellation, due: start, grace: start, occurrence: ref, notification: "cancellation",
            template: "cancellation", person: nil, recipient: Mailbox(name: "Dana", address: "Dana.One@Example.gov.uk"),
            sequence: 1, forum: nil)
        let person = Person(email: "Dana.One@Example.gov.uk", name: "Dana One", grade: "SCS2")
        let member = Action(
            kind: .cancellation, due: start, grace: start, occurrence: ref, notification: "cancellation",
            template: "cancellation", person: person, sequence: 1, forum: nil)
        for action in [leaver, member] {
            let identity = action.messageIdentity
            #expect(identity.compactDate == "20270107", "the identity date, not the date it moved to")
            #expect(identity.recipientKey == "dana.one@example.gov.uk")
            #expect(action.key == identity.key && action.messageID == identity.messageID)
        }
        #expect(leaver.messageID == member.messageID, "one delivery, one Message-ID, however the address is cased")
    }

    @Test func aDelegateCopyIsNamedByTheDelegateInAnyCase() {
        let notification = MessageIdentity.delegateCopyNotification(for: "PO@example.gov.uk")
        #expect(notification == "delegate+" + FNV1a.hash("po@example.gov.uk"))
        #expect(notification == Action.delegateCopyNotification(for: "po@EXAMPLE.gov.uk"))
    }
}
