import Foundation
import Testing

@testable import ConveneCore

/// A plain message with files: multipart/mixed around the multipart/alternative, one base64 part per file with the
/// type its extension names, `Content-Disposition: attachment`, and RFC 2231 file names when they are not plain ASCII.
struct MIMEAttachmentTests {
    static func message(_ attachments: [MailAttachment]) -> String {
        let message = MailMessage(
            from: Mailbox(name: "Team", address: "team@example.gov.uk"),
            to: [Mailbox(name: "Ann", address: "ann@example.gov.uk")], subject: "Papers",
            date: Date(timeIntervalSince1970: 0),
            messageID: "m1@example.gov.uk", plain: "The papers.\n", html: "<p>The papers.</p>",
            attachments: attachments)
        return String(decoding: MIMEWriter.render(message), as: UTF8.self)
    }

    /// The part whose headers contain `marker`: its headers and its body, up to the next boundary.
    static func part(containing marker: String, in text: String) -> (headers: String, body: String)? {
        guard let start = text.range(of: marker) else { return nil }
        let headerStart = text[..<start.lowerBound].range(of: "\r\n--", options: .backwards)?.upperBound
        guard let headerStart, let blank = text[start.lowerBound...].range(of: "\r\n\r\n"),
            let end = text[blank.upperBound...].range(of: "\r\n--")
        else { return nil }
        return (String(text[headerStart..<blank.lowerBound]), String(text[blank.upperBound..<end.lowerBound]))
    }

    @Test func aFileBecomesABase64PartOfAMultipartMixedAfterTheAlternatives() throws {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let text = Self.message([MailAttachment(filename: "agenda.pdf", bytes: bytes)])
        #expect(text.contains("Content-Type: multipart/mixed;"))
        let alternative = try #require(text.range(of: "Content-Type: multipart/alternative;"))
        let pdf = try #require(text.range(of: "Content-Type: application/pdf;"))
        #expect(alternative.lowerBound < pdf.lowerBound)
        #expect(!text.contains("text/calendar"))
        let part = try #require(Self.part(containing: "Content-Type: application/pdf;", in: text))
        #expect(part.headers.contains("name=\"agenda.pdf\""))
        #expect(part.headers.contains("Content-Disposition: attachment;\r\n filename=\"agenda.pdf\""))
        #expect(part.headers.contains("Content-Transfer-Encoding: base64"))
        let lines = part.body.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        let decoded = try #require(Data(base64Encoded: lines.joined()))
        #expect([UInt8](decoded) == bytes)
    }

    @Test func withoutFilesAPlainMessageStaysAMultipartAlternative() {
        let text = Self.message([])
        #expect(text.contains("Content-Type: multipart/alternative;"))
        #expect(!text.contains("multipart/mixed"))
    }

    @Test func severalFilesComeInTheOrderGiven() throws {
        let text = Self.message([
            MailAttachment(filename: "b.docx", bytes: [1]), MailAttachment(filename: "a.csv", bytes: [2]),
        ])
        let docx = try #require(text.range(of: "wordprocessingml.document"))
        let csv = try #require(text.range(of: "Content-Type: text/csv"))
        #expect(docx.lowerBound < csv.lowerBound)
    }

    @Test(arguments: [
        ("agenda.pdf", "application/pdf"),
        ("Notes.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("event.ics", "application/ics"),
        ("readme.txt", "text/plain"),
        ("list.csv", "text/csv"),
        ("map.png", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("archive.tar.xz", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ])
    func theTypeComesFromTheExtension(filename: String, type: String) {
        #expect(AttachedFile.contentType(forFilename: filename) == type)
    }

    @Test(arguments: [
        ("agenda.pdf", "filename=\"agenda.pdf\""),
        ("Ordre du jour été.pdf", "filename*=UTF-8''Ordre%20du%20jour%20%C3%A9t%C3%A9.pdf"),
        ("say \"hi\".txt", "filename*=UTF-8''say%20%22hi%22.txt"),
    ])
    func aNameThatIsNotPlainASCIIIsEncodedAsRFC2231Says(filename: String, expected: String) {
        #expect(MIMEWriter.fileParameter("filename", filename) == expected)
    }

    @Test func aLongNameIsSplitIntoNumberedContinuationsThatNeverSplitACharacter() throws {
        let name = String(repeating: "Überprüfung der Tagesordnung ", count: 4) + ".pdf"
        let parameter = MIMEWriter.fileParameter("filename", name)
        let lines = parameter.components(separatedBy: ";\r\n ")
        #expect(lines.count > 2)
        for (index, line) in lines.enumerated() {
            #expect(line.hasPrefix("filename*\(index)*="))
            #expect(line.utf8.count + 2 <= 78)
        }
        // Rejoined and percent-decoded, the continuations give the name back.
        let joined = lines.map { $0.split(separator: "=", maxSplits: 1)[1] }.joined()
        #expect(joined.hasPrefix("UTF-8''"))
        #expect(joined.dropFirst(7).removingPercentEncoding == name)
        let text = Self.message([MailAttachment(filename: name, bytes: [0])])
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(text.utf8.allSatisfy { $0 < 0x80 })
    }
}
