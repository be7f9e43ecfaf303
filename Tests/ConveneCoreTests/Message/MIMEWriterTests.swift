import ConveneCore
import Foundation
import Testing

/// The checks every message convene writes must pass, whatever it contains.
func expectWellFormed(_ found: MessageFindings, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(found.strictError == nil, "email.policy.strict: \(found.strictError ?? "")", sourceLocation: sourceLocation)
    #expect(found.defects.isEmpty, "defects: \(found.defects)", sourceLocation: sourceLocation)
    #expect(found.sevenBit, "8-bit octets in the message", sourceLocation: sourceLocation)
    #expect(found.bareLf == 0 && found.bareCr == 0 && found.endsWithCrlf, "line ends", sourceLocation: sourceLocation)
    #expect(found.nulOrControls == 0, sourceLocation: sourceLocation)
    #expect(found.maxLine <= 998, sourceLocation: sourceLocation)
    #expect(found.maxHeaderLine <= 78, sourceLocation: sourceLocation)
    #expect(found.maxBodyLine <= 76, sourceLocation: sourceLocation)
    #expect(found.maxEncodedWord <= 75, "encoded words: \(found.encodedWords)", sourceLocation: sourceLocation)
    #expect(!found.encodedWordInQuotes, sourceLocation: sourceLocation)
    #expect(found.dotStuffedLines == 0, sourceLocation: sourceLocation)
    #expect(found.date != nil && found.mimeVersion == "1.0", sourceLocation: sourceLocation)
    #expect(found.autoSubmitted == "auto-generated", sourceLocation: sourceLocation)
}

private func addresses(_ mailboxes: [Mailbox]) -> [MessageFindings.Address] {
    mailboxes.map { MessageFindings.Address(name: $0.name, address: $0.address) }
}

private let invitationStructure =
    "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)"

struct MIMEWriterTests {
    static let recipients: [Mailbox] = [MailFixtures.zoe, MailFixtures.zoeASCII, MailFixtures.party]

    @Test(arguments: MailFixtures.Kind.allCases, recipients)
    func everyKindOfMessagePassesPythonEmailAndTheByteChecks(kind: MailFixtures.Kind, recipient: Mailbox) async throws {
        let message = MailFixtures.message(kind, to: [recipient])
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(message))
        expectWellFormed(found)
        #expect(
            found.headerNames == [
                "Date", "From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "MIME-Version", "Auto-Submitted",
                "Content-Type",
            ])
        #expect(found.from == addresses([MailFixtures.organizer]))
        #expect(found.to == addresses([recipient]))
        #expect(found.cc == addresses([MailFixtures.delegate]))
        #expect(found.replyTo == addresses([MailFixtures.organizer]))
        #expect(found.subject == message.subject)
        #expect(found.date == "2026-09-21T14:13:20+00:00")
        #expect(found.messageId == "<\(message.messageID)>")

        let plain = try #require(found.parts.first { $0.type == "text/plain" })
        #expect(plain.params["charset"] == "UTF-8" && plain.transferEncoding == "quoted-printable")
        #expect(plain.text == message.plain.replacingOccurrences(of: "\n", with: "\r\n"))
        let html = try #require(found.parts.first { $0.type == "text/html" })
        #expect(html.text == message.html.replacingOccurrences(of: "\n", with: "\r\n"))

        guard let calendar = message.calendar else {
            #expect(found.structure == "multipart/alternative(text/plain,text/html)")
            return
        }
        #expect(found.structure == invitationStructure)
        let inline = try #require(found.parts.first { $0.type == "text/calendar" })
        #expect(inline.params == ["charset": "UTF-8", "method": calendar.method.rawValue])
        #expect(inline.transferEncoding == "base64" && inline.disposition == nil)
        #expect(inline.text == calendar.body)
        let ical = try #require(inline.ical)
        #expect(ical.method == calendar.method.rawValue)
        #expect(ical.errors?.isEmpty == true && ical.maxLineOctets <= 75 && ical.bareLf == 0)
        #expect(ical.events?.first?.attendees.first?.params["CN"] == recipient.name)
        let attachment = try #require(found.parts.first { $0.type == "application/ics" })
        #expect(attachment.params == ["name": "invite.ics"])
        #expect(attachment.disposition == "attachment" && attachment.filename == "invite.ics")
        #expect(attachment.transferEncoding == "base64")
        #expect(attachment.text == calendar.body)
    }

    @Test func sequenceAndMethodTravelIntoTheCalendarParts() async throws {
        for (kind, method, sequence) in [(MailFixtures.Kind.update, "REQUEST", 1), (.cancellation, "CANCEL", 2)] {
            let found = try await PythonChecker.checkMessage(MIMEWriter.render(MailFixtures.message(kind)))
            let inline = try #require(found.parts.first { $0.type == "text/calendar" })
            #expect(inline.params["method"] == method)
            #expect(inline.ical?.events?.first?.sequence == sequence)
            #expect(inline.ical?.events?.first?.status == (method == "CANCEL" ? "CANCELLED" : "CONFIRMED"))
        }
    }

    @Test func withoutCcOrReplyToThoseHeadersAreLeftOut() async throws {
        var message = MailFixtures.message(.reminder, cc: [])
        message.replyTo = nil
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(message))
        expectWellFormed(found)
        #expect(
            found.headerNames == [
                "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Auto-Submitted", "Content-Type",
            ])
    }

    @Test func manyRecipientsWithLongNamesFoldWithinTheLineLimit() async throws {
        let people = (1...12).map {
            Mailbox(
                name: "Émilie-Anne de la Fontaine-Ó Súilleabháin \($0), Director", address: "person\($0)@example.gov.uk"
            )
        }
        let plain = ["Ann Smith", "O'Hara, Bob", String(repeating: "Long", count: 17)].enumerated().map {
            Mailbox(name: $0.element, address: "plain\($0.offset)@example.gov.uk")
        }
        let message = MailFixtures.message(.invitation, to: people + plain, cc: people)
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(message))
        expectWellFormed(found)
        #expect(found.to == addresses(people + plain))
        #expect(found.cc == addresses(people))
    }

    /// A word longer than a line cannot fold: the line may pass 78 but never 998, and the name survives.
    @Test func anUnbreakableNameStaysWholeAndUnder998Octets() async throws {
        let names = [
            String(repeating: "Long", count: 30), String(repeating: "Ü", count: 40),
            String(repeating: "x", count: 1200),
        ]
        let people = names.enumerated().map { Mailbox(name: $0.element, address: "p\($0.offset)@example.gov.uk") }
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(MailFixtures.message(.reminder, to: people)))
        #expect(found.strictError == nil && found.defects.isEmpty && found.sevenBit)
        #expect(found.maxLine <= 998 && found.maxEncodedWord <= 75)
        #expect(found.to?.prefix(1) == addresses(people).prefix(1))
        #expect(found.to?.map(\.address) == people.map(\.address))
    }

    @Test func renderingIsDeterministicAndBoundariesFollowTheMessageID() {
        let message = MailFixtures.message(.invitation)
        #expect(MIMEWriter.render(message) == MIMEWriter.render(message))
        var other = message
        other.messageID = "other@example.gov.uk"
        let first = String(decoding: MIMEWriter.render(message), as: UTF8.self)
        let second = String(decoding: MIMEWriter.render(other), as: UTF8.self)
        let boundary = { (text: String) in text.components(separatedBy: "boundary=\"")[1].prefix(while: { $0 != "\"" })
        }
        #expect(boundary(first) != boundary(second))
    }
}
