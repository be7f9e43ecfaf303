import ConveneCore
import Foundation
import Testing

/// Hostile text from the roster or rules file must never create a header line or a MIME part.
struct MIMEInjectionTests {
    static let expectedHeaders = [
        "Date", "From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "MIME-Version", "Auto-Submitted",
        "Content-Type",
    ]

    /// Input and how it reads after decoding: controls become spaces, whitespace runs collapse, ends trim.
    static let hostile: [(input: String, decoded: String)] = [
        ("Hello\r\nBcc: x@evil.example", "Hello Bcc: x@evil.example"),
        ("Hello\nBcc: x@evil.example\n", "Hello Bcc: x@evil.example"),
        ("Dot\r\n.\r\nMAIL FROM:<x@evil>", "Dot . MAIL FROM:<x@evil>"),
        (
            "Part\r\n\r\n--=_convene_alt_0000\r\nContent-Type: text/html",
            "Part --=_convene_alt_0000 Content-Type: text/html"
        ),
        ("semi;colon,comma:\"quote\"", "semi;colon,comma:\"quote\""),
        ("nul\u{00}bell\u{07}cr\rdel\u{7F}", "nul bell cr del"),
        ("Zoë\r\nBcc: x@evil 🎉", "Zoë Bcc: x@evil 🎉"),
        ("=?UTF-8?Q?Bcc=3A_x=40evil?=", "=?UTF-8?Q?Bcc=3A_x=40evil?="),
    ]

    @Test(arguments: hostile)
    func subjectsAndDisplayNamesCannotAddHeaders(input: String, decoded: String) async throws {
        let person = Mailbox(name: input, address: "zoe@example.gov.uk")
        var message = MailFixtures.message(
            .invitation, to: [person], cc: [Mailbox(name: input, address: "po@example.gov.uk")])
        message.subject = input
        message.from = Mailbox(name: input, address: "team@example.gov.uk")
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(message))
        expectWellFormed(found)
        #expect(found.headerNames == Self.expectedHeaders)
        #expect(
            found.structure
                == "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)")
        #expect(found.subject == decoded)
        #expect(found.from == [.init(name: decoded, address: "team@example.gov.uk")])
        #expect(found.to == [.init(name: decoded, address: "zoe@example.gov.uk")])
        #expect(found.cc == [.init(name: decoded, address: "po@example.gov.uk")])
    }

    @Test func addressesAndMessageIDsCannotAddHeaders() async throws {
        var message = MailFixtures.message(
            .reminder, to: [Mailbox(name: "Zoe", address: "zoe@example.gov.uk\r\nBcc: x@evil")])
        message.messageID = "id@example.gov.uk>\r\nBcc: x@evil"
        message.cc = [Mailbox(name: "", address: "po@example.gov.uk\n\nbody")]
        let bytes = MIMEWriter.render(message)
        let found = try await PythonChecker.checkMessage(bytes)
        #expect(found.headerNames == Self.expectedHeaders)
        #expect(found.sevenBit && found.bareLf == 0 && found.bareCr == 0 && found.nulOrControls == 0)
        #expect(found.to?.count == 1)
        #expect(found.cc == [.init(name: "", address: "po@example.gov.ukbody")])
        #expect(String(decoding: bytes, as: UTF8.self).contains("\r\nMessage-ID: <id@example.gov.ukBccx@evil>\r\n"))
        #expect(found.structure == "multipart/alternative(text/plain,text/html)")
    }

    @Test func bodiesThatLookLikeBoundariesOrTheEndOfDataStayInsideTheirPart() async throws {
        var message = MailFixtures.message(.invitation)
        let text = String(decoding: MIMEWriter.render(message), as: UTF8.self)
        let boundary = text.components(separatedBy: "boundary=\"")[2].prefix(while: { $0 != "\"" })
        message.plain =
            "Before\n--\(boundary)\nContent-Type: text/html\n\n<p>fake</p>\n--\(boundary)--\n.\n\r\n.\r\nQUIT\n"
        message.html = "<p>\r\n.\r\n</p>"
        let found = try await PythonChecker.checkMessage(MIMEWriter.render(message))
        expectWellFormed(found)
        #expect(
            found.structure
                == "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)")
        let plain = try #require(found.parts.first { $0.type == "text/plain" })
        #expect(
            plain.text
                == "Before\r\n--\(boundary)\r\nContent-Type: text/html\r\n\r\n<p>fake</p>\r\n"
                + "--\(boundary)--\r\n.\r\n\r\n.\r\nQUIT\r\n"
        )
        #expect(found.parts.first { $0.type == "text/html" }?.text == "<p>\r\n.\r\n</p>")
    }
}
