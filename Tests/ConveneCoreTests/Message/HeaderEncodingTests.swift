import Foundation
import Testing

@testable import ConveneCore

/// Decodes one RFC 2047 encoded word to its bytes (enough to test our own output).
private func decodedBytes(_ word: String) -> [UInt8]? {
    let pieces = word.split(separator: "?", omittingEmptySubsequences: false)
    guard pieces.count == 5, pieces[0] == "=", pieces[4] == "=", pieces[1] == "UTF-8" else { return nil }
    if pieces[2] == "B" { return Data(base64Encoded: String(pieces[3])).map(Array.init) }
    var bytes: [UInt8] = []
    var scalars = Array(pieces[3].utf8)[...]
    while let byte = scalars.popFirst() {
        if byte == UInt8(ascii: "_") {
            bytes.append(32)
        } else if byte == UInt8(ascii: "=") {
            guard scalars.count >= 2, let value = UInt8(String(decoding: scalars.prefix(2), as: UTF8.self), radix: 16)
            else {
                return nil
            }
            bytes.append(value)
            scalars = scalars.dropFirst(2)
        } else {
            bytes.append(byte)
        }
    }
    return bytes
}

struct EncodedWordTests {
    @Test(arguments: [
        "Zoë O'Brien-Müller, \"Jr\"",
        String(repeating: "🎉", count: 40),
        String(repeating: "é", count: 100),
        "Invitation: Your Agenda, Your Conversations — 7 January 2027 🎉 " + String(repeating: "ü", count: 30),
        "日本語のテキストがとても長い場合でも正しく分割されること" + String(repeating: "漢字", count: 20),
        "👩🏽‍💻 family: 👨‍👩‍👧‍👦 flags: 🇬🇧🇫🇷",
    ])
    func wordsStayWithin75CharactersAndNeverSplitACharacter(text: String) throws {
        let words = HeaderEncoding.encodedWords(text, firstLimit: 69)
        #expect(words.first!.utf8.count <= 69)
        var joined: [UInt8] = []
        for word in words {
            #expect(word.utf8.count <= 75)
            #expect(word.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 })
            let bytes = try #require(decodedBytes(word))
            #expect(String(validating: bytes, as: UTF8.self) != nil, "\(word) splits a UTF-8 sequence")
            joined += bytes
        }
        #expect(String(decoding: joined, as: UTF8.self) == text)
    }

    @Test func mostlyASCIITextUsesQAndMostlyNonASCIITextUsesB() {
        #expect(HeaderEncoding.encodedWords("Zoë Smith").first?.hasPrefix("=?UTF-8?Q?") == true)
        #expect(HeaderEncoding.encodedWords("🎉🎉🎉🎉").first?.hasPrefix("=?UTF-8?B?") == true)
    }

    @Test func qEncodingUsesOnlyCharactersSafeInAPhrase() {
        let payload = HeaderEncoding.qEncode(Array("a (b) \"c\", d; e: <f@g> [h] i.j_k=l?m é\t".utf8))
        #expect(payload == "a_=28b=29_=22c=22=2C_d=3B_e=3A_=3Cf=40g=3E_=5Bh=5D_i=2Ej=5Fk=3Dl=3Fm_=C3=A9=09")
    }
}

struct DisplayNameTests {
    @Test(arguments: [
        ("Zoe Smith", ["Zoe", "Smith"]),
        ("O'Brien-Muller", ["O'Brien-Muller"]),
        ("Smith, Zoe", ["\"Smith,", "Zoe\""]),
        ("Dr. Zoe (Acting)", ["\"Dr.", "Zoe", "(Acting)\""]),
        ("Say \"hi\" \\ bye", [#""Say"#, #"\"hi\""#, #"\\"#, #"bye""#]),
        ("a@b <c>: [d]; e", ["\"a@b", "<c>:", "[d];", "e\""]),
        ("  spaced \t out  ", ["spaced", "out"]),
        ("Line\r\nBcc: x@evil", ["\"Line", "Bcc:", "x@evil\""]),
        (String(repeating: "x", count: 90), [String(repeating: "x", count: 90)]),
        ("", []),
    ])
    /// Tokens are joined by a space or CRLF + space, so a quoted string split at its spaces still reads whole.
    func asciiNamesAreAtomsOrOneQuotedString(name: String, tokens: [String]) {
        #expect(HeaderEncoding.phrase(name, firstLimit: 72) == tokens)
    }

    @Test(arguments: ["Zoë", "=?UTF-8?B?QQ==?=", String(repeating: "x", count: 1000), "Zoë O'Brien-Müller, \"Jr\""])
    func otherNamesBecomeEncodedWords(name: String) {
        let tokens = HeaderEncoding.phrase(name, firstLimit: 72)
        #expect(!tokens.isEmpty && tokens.allSatisfy { $0.hasPrefix("=?UTF-8?") && $0.hasSuffix("?=") })
        #expect(tokens.allSatisfy { $0.utf8.count <= 75 })
    }

    /// Python keeps the whitespace between adjacent encoded words in a display name (RFC 2047 says to
    /// drop it), so plain words stay plain and each run of other words is one encoded word.
    @Test func atomWordsStayPlainBetweenEncodedRuns() {
        let tokens = HeaderEncoding.phrase("Émilie-Anne de la Fontaine-Ó Súilleabháin, Director", firstLimit: 72)
        #expect(tokens.count == 5)
        #expect(tokens[1...2] == ["de", "la"])
        #expect(tokens[4] == "Director")
        #expect(decodedBytes(tokens[0]) == Array("Émilie-Anne".utf8))
        // The space inside the run is encoded, not left as folding whitespace.
        #expect(decodedBytes(tokens[3]) == Array("Fontaine-Ó Súilleabháin,".utf8))
    }

    @Test(arguments: [
        ("a\r\nb", "a b"), ("a\u{00}b", "a b"), ("  a  \t b  ", "a b"), ("a\u{2028}b", "a b"), ("a\u{85}b", "a b"),
        ("\r\n", ""),
    ])
    func sanitisingTurnsControlsIntoSingleSpaces(input: String, expected: String) {
        #expect(HeaderEncoding.sanitized(input) == expected)
    }

    @Test func addressesKeepOnlyAddrSpecCharacters() {
        #expect(HeaderEncoding.addressText("zoe@example.gov.uk\r\nBcc: x@evil") == "zoe@example.gov.ukBccx@evil")
        #expect(HeaderEncoding.addressText("first.o'last+tag@example.gov.uk") == "first.o'last+tag@example.gov.uk")
        #expect(HeaderEncoding.addressText(String(repeating: "a", count: 2000)).count == 900)
    }
}

struct HeaderFoldingTests {
    @Test func foldsBetweenTokensAtSeventyEightCharacters() {
        let tokens = (1...30).map { "word\($0)" }
        let field = HeaderEncoding.field("Subject", tokens)
        let lines = String(field.utf8.dropLast(2))!.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.joined() == "Subject: " + tokens.joined(separator: " "))
    }

    @Test func theFirstTokenStaysOnTheFieldLine() {
        let field = HeaderEncoding.field(
            "Subject",
            HeaderEncoding.unstructured(
                String(repeating: "é", count: 60), firstLimit: HeaderEncoding.firstLimit(forField: "Subject")))
        #expect(field.hasPrefix("Subject: =?UTF-8?"))
        #expect(String(field.utf8.dropLast(2))!.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MIMEWriter.dateHeader(Date(timeIntervalSince1970: 1_799_323_200)) == "Thu, 07 Jan 2027 12:00:00 +0000")
        #expect(MIMEWriter.dateHeader(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func boundariesAreDeterministicAndStartWithEqualsUnderscore() {
        let first = MIMEWriter.boundary("alt", messageID: "a@example.gov.uk")
        #expect(first == MIMEWriter.boundary("alt", messageID: "a@example.gov.uk"))
        #expect(first != MIMEWriter.boundary("mixed", messageID: "a@example.gov.uk"))
        #expect(first != MIMEWriter.boundary("alt", messageID: "b@example.gov.uk"))
        #expect(first.hasPrefix("=_convene_alt_") && first.utf8.count == 30)
    }
}
