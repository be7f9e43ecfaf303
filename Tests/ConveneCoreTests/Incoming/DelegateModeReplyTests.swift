import Foundation
import Testing

@testable import ConveneCore

/// A delegate who receives the invitations in the principal's place answers them; the answer is the principal's.
struct DelegateModeReplyTests {
    typealias F = DelegateModeFixture

    static func reply(attendee: String) -> [UInt8] {
        let lines = [
            "From: \(F.delegate)", "To: team@example.gov.uk", "Subject: Accepted", "Message-ID: <r1@example.gov.uk>",
            "MIME-Version: 1.0", "Content-Type: text/calendar; method=REPLY; charset=UTF-8", "",
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Reply//EN", "METHOD:REPLY", "BEGIN:VEVENT",
            "UID:talk-20270107@example.gov.uk", "SEQUENCE:0", "DTSTAMP:20261218T101500Z",
            "ORGANIZER:mailto:team@example.gov.uk", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:\(attendee)", "END:VEVENT",
            "END:VCALENDAR", "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    @Test(arguments: [F.principal, F.delegate])
    func anAnswerFromTheDelegateIsCreditedToThePrincipal(_ attendee: String) {
        let fixture = F.invited(mode: "instead")
        let state = JournalState(records: fixture.records)
        let context = ReplyContext(records: fixture.records, state: state, people: fixture.roster.people)
        let answer = ReplyInterpreter.interpret(Self.reply(attendee: attendee), context: context)
        #expect(answer.outcome == .applied, "\(answer.reason)")
        #expect(answer.attendee == F.principal && answer.partstat == "ACCEPTED")
    }

    @Test(arguments: [(F.delegate, ReplyOutcome.bounce), (F.principal, .needsAttention)])
    func aBounceOfTheDelegatesAddressFailsTheMessageSentInThePrincipalsPlace(
        _ finalRecipient: String, _ outcome: ReplyOutcome
    ) throws {
        let fixture = F.invited(mode: "instead")
        let invitation = try #require(fixture.records.last { $0.type == .sent && $0.to == F.principal })
        let lines = [
            "From: MAILER-DAEMON@smtp.example.gov.uk", "To: team@example.gov.uk", "Subject: Undelivered",
            "Message-ID: <dsn1@smtp.example.gov.uk>", "MIME-Version: 1.0",
            #"Content-Type: multipart/report; report-type=delivery-status; boundary="b""#, "", "--b",
            "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; smtp.example.gov.uk", "",
            "Final-Recipient: rfc822; \(finalRecipient)", "Action: failed", "Status: 5.1.1",
            "Diagnostic-Code: smtp; 550 5.1.1 user unknown", "", "--b", "Content-Type: text/rfc822-headers", "",
            "Message-ID: <\(invitation.msgid ?? "")>", "", "--b--", "",
        ]
        let context = ReplyContext(
            records: fixture.records, state: JournalState(records: fixture.records), people: fixture.roster.people)
        let bounce = ReplyInterpreter.interpret(Array(lines.joined(separator: "\r\n").utf8), context: context)
        #expect(bounce.outcome == outcome, "\(bounce.reason)")
        #expect((bounce.bounced?.instead == true) == (outcome == .bounce))
    }
}
