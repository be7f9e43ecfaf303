import Foundation
import Testing

@testable import ConveneCore

/// Decodes quoted-printable (soft breaks, =XX) back to bytes, lines joined by CRLF.
private func decodeQuotedPrintable(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var input = Array(text.utf8)[...]
    while let byte = input.popFirst() {
        guard byte == UInt8(ascii: "=") else {
            bytes.append(byte)
            continue
        }
        if input.starts(with: [13, 10]) {
            input = input.dropFirst(2)
        } else {
            guard input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
            else {
                return nil
            }
            bytes.append(value)
            input = input.dropFirst(2)
        }
    }
    return bytes
}

struct QuotedPrintableTests {
    @Test(
        arguments: [
            "Hello",
            "Dear Zoë,\n\nSee you there.\n",
            "trailing space \nand tab\t\nend ",
            "a=b == c",
            String(repeating: "x", count: 76),
            String(repeating: "x", count: 77),
            String(repeating: "wörd ", count: 60),
            String(repeating: "🎉", count: 40),
            "windows\r\nline\rends\n",
            "nul\u{00}bell\u{07}",
            ".\n..\n.leading dots\n",
            String(repeating: "x", count: 74) + " y", String(repeating: "x", count: 75) + "=",
            String(repeating: "x", count: 151),
            String(repeating: "x", count: 74) + "é" + String(repeating: "x", count: 80),
            "=" + String(repeating: "x", count: 80),
        ] + QuotedPrintableTests.mixedTexts)
    func linesStayWithin76AndDecodeBackToTheText(text: String) throws {
        let encoded = ContentEncoding.quotedPrintable(text)
        let lines = encoded.components(separatedBy: "\r\n")
        for line in lines {
            #expect(line.utf8.count <= 76)
            #expect(line.utf8.allSatisfy { ($0 >= 32 && $0 < 127) || $0 == 9 })
            #expect(!(line.hasSuffix(" ") || line.hasSuffix("\t")), "trailing whitespace in \(line)")
            // Every "=" is a whole =XX escape or the final soft-break mark: no escape is cut in half.
            let chars = Array(line.utf8)
            for index in chars.indices where chars[index] == UInt8(ascii: "=") && index != chars.count - 1 {
                let hex = chars.count > index + 2 ? String(decoding: chars[index + 1...index + 2], as: UTF8.self) : ""
                #expect(UInt8(hex, radix: 16) != nil && hex == hex.uppercased(), "broken escape in \(line)")
            }
        }
        let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try #require(decodeQuotedPrintable(encoded)) == Array(expected.utf8))
    }

    /// Texts mixing long plain runs with spaces, tabs, `=`, multi-byte characters and line ends at every position,
    /// from a fixed seed.
    static let mixedTexts: [String] = {
        var generator = SplitMix(seed: 7)
        let pieces = ["x", "xxxxxxxxxx", " ", "\t", "=", "é", "🎉", "\n", "\r\n", "abc def", "."]
        return (0..<40).map { _ in
            (0..<Int(generator.next() % 120)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
        }
    }()

    @Test func softBreaksNeverSplitAUTF8Character() throws {
        let encoded = ContentEncoding.quotedPrintable(String(repeating: "aé🎉", count: 30))
        for line in encoded.components(separatedBy: "\r\n") {
            let body = line.hasSuffix("=") ? String(line.dropLast()) : line
            let bytes = try #require(decodeQuotedPrintable(body))
            #expect(String(validating: bytes, as: UTF8.self) != nil, "\(line) splits a character")
        }
    }

    @Test func equalsSignsAndTrailingWhitespaceAreEncoded() {
        #expect(ContentEncoding.quotedPrintable("a=b \nc\t") == "a=3Db=20\r\nc=09")
    }

    @Test func aSeventySixCharacterLineIsNotBroken() {
        #expect(ContentEncoding.quotedPrintable(String(repeating: "x", count: 76)) == String(repeating: "x", count: 76))
        #expect(
            ContentEncoding.quotedPrintable(String(repeating: "x", count: 77)) == String(repeating: "x", count: 75)
                + "=\r\nxx")
    }
}

struct Base64Tests {
    @Test(arguments: [0, 1, 2, 3, 56, 57, 58, 114, 1000])
    func matchesFoundationIn76CharacterCRLFLines(count: Int) {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let encoded = ContentEncoding.base64(bytes)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect(lines.joined() == Data(bytes).base64EncodedString())
    }
}
