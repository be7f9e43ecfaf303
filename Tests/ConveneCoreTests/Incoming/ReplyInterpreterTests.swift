import Foundation
import Testing

@testable import ConveneCore

/// The corpus in `Incoming/Replies/`: one message per client behaviour, written for these tests, each with the one
/// outcome it must come to.
@Suite struct ReplyInterpreterTests {
    static let climate = "pslg-climate-20271014@example.gov.uk"
    static let agenda = "your-agenda-20270121@example.gov.uk"

    /// The journal as these replies meet it: the climate invitation to five people (Connor already had an update,
    /// SEQUENCE 1), a series occurrence to Zainab, Samuel's private office as his delegate.
    static let context: ReplyContext = {
        let invite = ReplyContext.Invitation(occurrence: "pslg-climate/20271014", sequence: 0, cancelled: false)
        var climateInvites: [String: ReplyContext.Invitation] = [:]
        for person in ["lucy.iqbal", "harriet.kelly", "lucy.venkatesh", "grace.evans", "samuel.jenkins"] {
            climateInvites[person + "@example.gov.uk"] = invite
        }
        climateInvites["connor.rahman@example.gov.uk"] = ReplyContext.Invitation(
            occurrence: "pslg-climate/20271014", sequence: 1, cancelled: false)
        let sentID = "pslg-climate.20271014.invitation.0.abc123@example.gov.uk"
        return ReplyContext(
            invitations: [
                Self.climate: climateInvites,
                Self.agenda: [
                    "zainab.usher@example.gov.uk": ReplyContext.Invitation(
                        occurrence: "your-agenda/20270121", sequence: 0, cancelled: false)
                ],
            ],
            sent: [
                sentID: ReplyContext.Sent(
                    messageID: sentID, key: "pslg-climate/20271014/invitation/lucy.iqbal@example.gov.uk",
                    kind: .invitation, to: "lucy.iqbal@example.gov.uk", cc: [], uid: Self.climate)
            ],
            principals: ["private.office.hmt@example.gov.uk": ["samuel.jenkins@example.gov.uk"]])
    }()

    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var outcome: ReplyOutcome
        var attendee: String?
        var partstat: String?
        var note: String?
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(
            file: "outlook-accepted-note.eml", outcome: .applied, attendee: "lucy.iqbal@example.gov.uk",
            partstat: "ACCEPTED", note: "Looking forward to it & bringing my deputy."),
        Case(
            file: "exchange-no-organizer-declined.eml", outcome: .applied, attendee: "harriet.kelly@example.gov.uk",
            partstat: "DECLINED"),
        Case(
            file: "google-tentative-comment.eml", outcome: .applied, attendee: "lucy.venkatesh@example.gov.uk",
            partstat: "TENTATIVE", note: "Depends on the board meeting, will confirm"),
        Case(
            file: "google-counter-under-reply-header.eml", outcome: .counterProposal,
            attendee: "lucy.iqbal@example.gov.uk", note: "Could we start at 11?"),
        Case(
            file: "apple-german-qp.eml", outcome: .applied, attendee: "harriet.kelly@example.gov.uk",
            partstat: "ACCEPTED"),
        Case(
            file: "valarm-inside-reply.eml", outcome: .applied, attendee: "lucy.venkatesh@example.gov.uk",
            partstat: "ACCEPTED"),
        Case(
            file: "mailto-capitals-declined.eml", outcome: .applied, attendee: "grace.evans@example.gov.uk",
            partstat: "DECLINED"),
        Case(
            file: "delegate-sent-by.eml", outcome: .applied, attendee: "samuel.jenkins@example.gov.uk",
            partstat: "ACCEPTED", note: "Samuel will attend in person."),
        Case(
            file: "delegate-from-address.eml", outcome: .applied, attendee: "samuel.jenkins@example.gov.uk",
            partstat: "TENTATIVE"),
        Case(
            file: "one-occurrence-declined.eml", outcome: .applied, attendee: "zainab.usher@example.gov.uk",
            partstat: "DECLINED"),
        Case(
            file: "stale-sequence.eml", outcome: .stale, attendee: "connor.rahman@example.gov.uk",
            partstat: "ACCEPTED"),
        Case(file: "unknown-uid.eml", outcome: .unknown),
        Case(file: "text-only-yes.eml", outcome: .needsAttention),
        Case(file: "tnef-winmail.eml", outcome: .needsAttention),
        Case(file: "dsn-bounce-invitation.eml", outcome: .bounce, attendee: "lucy.iqbal@example.gov.uk"),
        Case(file: "dsn-delay.eml", outcome: .bounce, attendee: "lucy.iqbal@example.gov.uk"),
        Case(file: "spoofed-from.eml", outcome: .needsAttention, attendee: "lucy.iqbal@example.gov.uk"),
    ]

    static func corpus(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Replies/" + name)
        return Array(try Data(contentsOf: url))
    }

    @Test(arguments: cases)
    func eachCorpusMessageComesToItsOutcome(_ expected: Case) throws {
        let reply = ReplyInterpreter.interpret(try Self.corpus(expected.file), context: Self.context)
        #expect(reply.outcome == expected.outcome, "\(reply.reason)")
        #expect(reply.attendee == expected.attendee)
        #expect(reply.partstat == expected.partstat)
        #expect(reply.note == expected.note)
        #expect(!reply.reason.isEmpty)
        #expect(reply.messageID != nil)
    }

    @Test func everyCorpusFileIsInTheTable() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Replies")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
    }

    @Test func aBounceNamesTheMessageConveneSentAndItsStatus() throws {
        let reply = ReplyInterpreter.interpret(try Self.corpus("dsn-bounce-invitation.eml"), context: Self.context)
        #expect(reply.bounced?.key == "pslg-climate/20271014/invitation/lucy.iqbal@example.gov.uk")
        #expect(reply.status == "5.1.1")
        #expect(reply.code == 550)
        let delay = ReplyInterpreter.interpret(try Self.corpus("dsn-delay.eml"), context: Self.context)
        #expect(delay.bounced == nil)
        #expect(delay.status == "4.4.1")
    }

    @Test func theOccurrenceAndSequenceComeFromTheJournalAndTheReply() throws {
        let reply = ReplyInterpreter.interpret(try Self.corpus("one-occurrence-declined.eml"), context: Self.context)
        #expect(reply.occurrence == "your-agenda/20270121")
        #expect(reply.recurrenceID == "20270121T120000")
        #expect(reply.sequence == 0)
        #expect(reply.uid == Self.agenda)
    }

    @Test func theSubjectIsNeverReadForMeaning() throws {
        // An "Accepted:" subject over a DECLINED calendar part is a decline.
        var bytes = try Self.corpus("mailto-capitals-declined.eml")
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(
            of: "Subject: Declined", with: "Subject: Accepted: Climate")
        bytes = Array(text.utf8)
        let reply = ReplyInterpreter.interpret(bytes, context: Self.context)
        #expect(reply.partstat == "DECLINED")
    }

    @Test func aMessageOfAnyBytesComesToAnOutcomeWithoutCrashing() throws {
        var generator = SystemRandomNumberGenerator()
        let seeds = try Self.cases.map { try Self.corpus($0.file) }
        for round in 0..<400 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + round % 40) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch round % 3 {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(contentsOf: [0x0D, 0x0A, 0x3D, 0x0A], at: index)
                }
            }
            let reply = ReplyInterpreter.interpret(bytes, context: Self.context)
            #expect(!reply.reason.isEmpty)
            #expect(!(reply.note ?? "").unicodeScalars.contains { $0.value < 0x20 })
        }
        for size in [0, 1, 2, 100] {
            let random = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(ReplyInterpreter.interpret(random, context: Self.context).outcome == .needsAttention)
        }
    }
}

/// The pieces of the MIME reader the interpreter stands on.
@Suite struct MIMEReaderTests {
    @Test func encodedWordsAreDecodedAndJoined() {
        #expect(
            MIMEReader.decodeWords("=?utf-8?Q?Zugesagt:_Klima?= =?UTF-8?B?IOKAkyBqYQ==?=") == "Zugesagt: Klima – ja")
        #expect(MIMEReader.decodeWords("=?iso-8859-1?q?Accept=E9?= : x") == "Accepté : x")
        #expect(MIMEReader.decodeWords("plain =?x-unknown?q?kept?=") == "plain =?x-unknown?q?kept?=")
        #expect(MIMEReader.decodeWords("=?utf-8?Q?line=0Abreak?=") == "line break")
    }

    @Test func foldedHeadersAreUnfolded() {
        let (headers, _) = MIMEReader.headers(
            ArraySlice(Array("Content-Type: text/calendar;\r\n\tmethod=REPLY\r\n\r\nx".utf8)))
        #expect(headers.count == 1)
        #expect(MIMEReader.parameters(of: headers[0].value).parameters["method"] == "REPLY")
    }

    @Test func quotedPrintableAndBase64Decode() {
        #expect(MIMEReader.quotedPrintable(ArraySlice(Array("a=3Db=\r\nc=\nd".utf8))) == Array("a=bcd".utf8))
        #expect(MIMEReader.base64(Array("aGVs\r\nbG8=".utf8)) == Array("hello".utf8))
    }

    @Test func addressesAreFoundInEitherForm() {
        #expect(MIMEReader.address(in: "\"Evans, Grace\" <Grace.Evans@Example.gov.uk>") == "grace.evans@example.gov.uk")
        #expect(MIMEReader.address(in: "a@b.example (A)") == "a@b.example")
        #expect(MIMEReader.messageID(" <x@y> ") == "x@y")
    }

    @Test func outlookHTMLNotesBecomePlainText() {
        let html =
            "<html><head><style>p{}</style></head><body><p>Yes &ndash; 10&#37; late &amp; &#x263A; &bogus; &</p></body>"
        #expect(
            ReplyInterpreter.plainText(html: html).trimmingCharacters(in: .whitespaces)
                == "Yes \u{2013} 10% late & \u{263A} &bogus; &")
    }

    /// 25,000 unclosed `<style>` tags are all removed, and the text before them kept. How long that takes is measured
    /// by `scripts/bench` (its hostile-replies row), not here.
    @Test func manyUnclosedStyleTagsAreRemoved() {
        let text = ReplyInterpreter.plainText(html: "Yes, I can come" + String(repeating: "<style>x", count: 25_000))
        let tagsLeft = text.contains("<")
        #expect(text.hasPrefix("Yes, I can come"))
        #expect(!tagsLeft)
    }

    @Test func deepNestingStopsAtTheLimit() {
        var text = ""
        for level in 0..<50 { text += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n" }
        text += "Content-Type: text/plain\r\n\r\nhello\r\n"
        let part = MIMEReader.parse(Array(text.utf8))
        #expect(part.allParts.count <= MIMEReader.Limits.depth + 1)
    }
}

/// Nothing an incoming message says reaches the screen or the journal with a control character in it.
@Suite struct ReplyTerminalSafetyTests {
    @Test func controlCharactersInMethodPartstatAndStatusAreDropped() {
        let escape = "\u{1B}[2J"
        let reply = """
            From: lucy.iqbal@example.gov.uk\r
            Message-ID: <esc@x>\r
            Content-Type: text/calendar; method=REPLY\r
            \r
            BEGIN:VCALENDAR\r
            METHOD:REQ\(escape)UEST\r
            BEGIN:VEVENT\r
            UID:pslg-climate-20271014@example.gov.uk\(escape)\r
            ATTENDEE;PARTSTAT=ACC\(escape):mailto:lucy.iqbal@example.gov.uk\r
            END:VEVENT\r
            END:VCALENDAR\r

            """
        let result = ReplyInterpreter.interpret(Array(reply.utf8), context: ReplyInterpreterTests.context)
        #expect(!result.reason.unicodeScalars.contains { $0.value < 0x20 })
        #expect(!(result.uid ?? "").unicodeScalars.contains { $0.value < 0x20 })
        let dsn = """
            From: MAILER-DAEMON@x\r
            Content-Type: multipart/report; report-type=delivery-status; boundary=b\r
            \r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; x\r
            \r
            Final-Recipient: rfc822; lucy\(escape)@example.gov.uk\r
            Action: failed\r
            Status: 5.1.1\(escape)\r
            X-Original-Message-ID: <pslg-climate.20271014.invitation.0.abc123@example.gov.uk>\r
            \r
            --b--\r

            """
        let bounce = ReplyInterpreter.interpret(Array(dsn.utf8), context: ReplyInterpreterTests.context)
        #expect(!bounce.reason.unicodeScalars.contains { $0.value < 0x20 })
        #expect(!(bounce.status ?? "").unicodeScalars.contains { $0.value < 0x20 })
    }
}

/// Large or hostile messages are read to an outcome (their time is measured by `scripts/bench`'s hostile-replies row).
@Suite struct ReplySizeTests {
    @Test func aMessageOfTwoThousandQuotedPrintablePartsIsReadToTheLimitAndNeedsAPerson() {
        var text = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        for index in 0..<2000 {
            text += "--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            text += String(repeating: "=3D=\r\nline \(index) ", count: 100) + "\r\n"
        }
        text += "--x--\r\n"
        let reply = ReplyInterpreter.interpret(Array(text.utf8), context: ReplyInterpreterTests.context)
        #expect(reply.outcome == .needsAttention)
        #expect(MIMEReader.parse(Array(text.utf8)).allParts.count == MIMEReader.Limits.parts, "parts stop at the limit")
    }
}
