import Testing

@testable import ConveneCore

/// Unfolds RFC 5545 lines (CRLF + one space) and returns the physical lines too.
private func physicalLines(_ folded: String) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    var bytes = Array(folded.utf8)[...]
    while let byte = bytes.popFirst() {
        if byte == 13, bytes.first == 10 {
            bytes.removeFirst()
            lines.append(current)
            current = []
        } else {
            current.append(byte)
        }
    }
    #expect(current.isEmpty, "output must end with CRLF")
    return lines
}

struct ICalendarFoldingTests {
    @Test(arguments: [
        String(repeating: "a", count: 74),
        String(repeating: "a", count: 75),
        String(repeating: "a", count: 76),
        String(repeating: "é", count: 80),
        "SUMMARY:" + String(repeating: "🎉", count: 40),
        "DESCRIPTION:" + String(repeating: "x", count: 62) + "€€€€€€€€€€" + String(repeating: "🇬🇧", count: 30),
        "X:" + String(repeating: "ab€", count: 100),
    ])
    func foldedLinesStayWithin75OctetsOnCharacterBoundaries(line: String) throws {
        var bytes: [UInt8] = []
        ICalendarText.appendFolded(line, to: &bytes)
        let output = String(decoding: bytes, as: UTF8.self)
        let lines = physicalLines(output)
        for (index, physical) in lines.enumerated() {
            #expect(physical.count <= 75)
            #expect(String(validating: physical, as: UTF8.self) != nil, "a fold split a UTF-8 sequence")
            if index > 0 {
                #expect(physical.first == 32)
                #expect(physical.count > 1, "empty continuation line")
            }
        }
        let unfolded = lines.enumerated().flatMap { $0.offset == 0 ? $0.element : Array($0.element.dropFirst()) }
        #expect(String(decoding: unfolded, as: UTF8.self) == line)
    }

    @Test func aLineOfExactly75OctetsIsNotFolded() {
        var bytes: [UInt8] = []
        ICalendarText.appendFolded(String(repeating: "é", count: 37) + "a", to: &bytes)
        let output = String(decoding: bytes, as: UTF8.self)
        #expect(output.utf8.count == 77)
        #expect(!output.dropLast(2).contains("\r\n"))
    }

    @Test func aMultiByteCharacterThatWouldStraddleTheLimitMovesWhole() {
        var bytes: [UInt8] = []
        ICalendarText.appendFolded(String(repeating: "a", count: 73) + "🎉b", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(repeating: "a", count: 73) + "\r\n 🎉b\r\n")
    }
}

struct ICalendarEscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a,b;c\\d", #"a\,b\;c\\d"#),
        ("one\ntwo\r\nthree\rfour", #"one\ntwo\nthree\nfour"#),
        ("x\r\n.\r\nBEGIN:VALARM", #"x\n.\nBEGIN:VALARM"#),
        ("bell\u{07}nul\u{00}del\u{7F}c1\u{85}", "bellnuldelc1"),
        ("tab\tkept", "tab\tkept"),
        ("line\u{2028}separator", #"line\nseparator"#),
        ("Zoë: \"quoted\"", "Zoë: \"quoted\""),
    ])
    func textValuesAreEscaped(input: String, expected: String) {
        #expect(ICalendarText.text(input) == expected)
    }

    @Test(arguments: [
        ("Zoe Smith", "Zoe Smith"),
        ("Müller, Jürgen", "\"Müller, Jürgen\""),
        ("a:b", "\"a:b\""),
        ("a;b", "\"a;b\""),
        ("Say \"hi\"", "Say ^'hi^'"),
        ("caret ^ here", "caret ^^ here"),
        ("two\r\nlines", "two^nlines"),
        ("Zoë O'Brien-Müller, \"Jr\"", "\"Zoë O'Brien-Müller, ^'Jr^'\""),
        ("evil\r\nATTENDEE:mailto:x@evil", "\"evil^nATTENDEE:mailto:x@evil\""),
        ("nul\u{00}bell\u{07}", "nulbell"),
    ])
    func parameterValuesAreQuotedAndCaretEncoded(input: String, expected: String) {
        #expect(ICalendarText.parameter(input) == expected)
    }

    @Test func uriValuesLoseControlCharactersAndEncodeSpaces() {
        #expect(ICalendarText.uri("https://x.example/a b\r\nLOCATION:evil") == "https://x.example/a%20bLOCATION:evil")
    }
}
