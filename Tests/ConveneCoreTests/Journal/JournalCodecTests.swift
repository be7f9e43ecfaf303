import Foundation
import Testing

@testable import ConveneCore

/// Decodes a line given as text.
private func decode(_ line: String) -> Result<JournalRecord, JournalCodec.LineError> {
    JournalCodec.decode(Array(line.utf8))
}

/// What Foundation makes of a line, as the journal read it before the hand-written decoder: the reference the
/// decoder must agree with wherever JSONDecoder is not more lenient than strict JSON.
private func foundationDecode(_ line: String) -> JournalRecord? {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try? decoder.decode(JournalRecord.self, from: Data(line.utf8))
}

private let at = Date(timeIntervalSince1970: 1_799_323_200)  // 2027-01-07T12:00:00Z

/// A valid attempt line with its fields in a given order.
private func attemptLine(
    _ members: [String] = [
        #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"reminder""#,
    ]
) -> String {
    "{" + members.joined(separator: ",") + "}"
}

/// A valid attempt line with one piece of it replaced.
private func attemptLine(replacing old: String, with new: String) -> String {
    attemptLine().replacingOccurrences(of: old, with: new)
}

private let attempt = JournalRecord(type: .attempt, at: at, key: "k", kind: .reminder)

struct JournalCodecTests {
    static let snapshot = EventSnapshot(
        title: "Line\nbreak \"quoted\"", start: Date(timeIntervalSince1970: 1_800_000_000),
        end: Date(timeIntervalSince1970: 1_800_003_600),
        location: "Room 1", joinURL: nil, description: nil)

    /// Every shape `Action+Journal` writes, with the values most likely to break an encoder or decoder.
    static let records: [JournalRecord] = [
        JournalRecord(
            type: .attempt, at: at, key: "e/20270107/invitation/a@x.gov.uk", kind: .invitation,
            uid: "e-20270107@x.gov.uk", seq: 0, msgid: "m@x.gov.uk", to: "a@x.gov.uk"),
        JournalRecord(
            type: .sent, at: at, key: "e/20270107/invitation/a@x.gov.uk", kind: .invitation, uid: "e-20270107@x.gov.uk",
            seq: 3, msgid: "m@x.gov.uk",
            to: "a@x.gov.uk", name: "Zoë Ölçer 山田 😀", cc: ["po@x.gov.uk", "pa@x.gov.uk"],
            event: EventSnapshot(
                title: "Review \\ \"Q3\" /", start: at, end: at.addingTimeInterval(5400),
                location: "Room 4.12\tFloor 4",
                joinURL: "https://meet.example/j/1?a=b&c=d", description: "Agenda:\r\n1. \u{0}\u{1}\u{1f}\u{7f}\u{2028}"
            ),
            reply: "250 2.0.0 Ok"),
        JournalRecord(
            type: .sent, at: at, key: "e/20270107/reminder/a@x.gov.uk", kind: .reminder, uid: "u", seq: 0, msgid: "m",
            to: "a@x.gov.uk", name: "", cc: []),
        JournalRecord(
            type: .sent, at: at, key: "k", kind: .cancellation, uid: "u", seq: 1, msgid: "m", to: "a@x.gov.uk",
            event: snapshot),
        JournalRecord(
            type: .sent, at: at, key: "k", kind: .update,
            event: EventSnapshot(title: "", start: at, end: at, location: nil, joinURL: nil, description: nil)),
        JournalRecord(
            type: .failed, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m", to: "a@x.gov.uk",
            code: 451, permanent: false, reply: "451 4.7.1 \"later\" \\ C:\\path\n"),
        JournalRecord(
            type: .failed, at: at, key: "k", kind: .reminder, code: nil, permanent: true, reply: "connection dropped"),
        JournalRecord(
            type: .failed, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m", to: "a@x.gov.uk",
            code: 451, permanent: false,
            reply: "451 4.2.0 later",
            copies: [
                .init(to: "po@x.gov.uk", outcome: .delivered, code: 250, reply: "250 2.0.0 \"ok\"\r\n"),
                .init(to: "pa@x.gov.uk", outcome: .permanent, code: 550, reply: "550 5.1.1 unknown"),
                .init(to: "pb@x.gov.uk", outcome: .unknown),
            ]),
        JournalRecord(type: .sent, at: at, key: "k", kind: .reminder, msgid: "m", copies: []),
        // Deliveries to someone the roster knows by employee number (an address change follows the number).
        JournalRecord(
            type: .sent, at: at, key: "e/20270107/address-change/b@x.gov.uk", kind: .invitation, uid: "u", seq: 2,
            msgid: "m", to: "b@x.gov.uk", name: "B", cc: [], event: snapshot, reason: "address changed from a@x.gov.uk",
            employee: "E0042 \"x\""),
        JournalRecord(type: .attempt, at: at, key: "k", kind: .reminder, msgid: "m", to: "b@x.gov.uk", employee: ""),
        // Sent to the delegate in the principal's place (`delegate_mode: instead`).
        JournalRecord(
            type: .sent, at: at, key: "e/20270107/reminder/a@x.gov.uk", kind: .reminder, msgid: "m", to: "a@x.gov.uk",
            cc: ["po@x.gov.uk"], instead: true),
        JournalRecord(
            type: .failed, at: at, key: "k", kind: .reminder, msgid: "m", code: 421, permanent: false,
            reply: "421 closing", connection: true),
        JournalRecord(
            type: .skipped, at: at, key: "k", kind: .reminder, uid: "u", seq: 0, msgid: "m", to: "a@x.gov.uk",
            reason: "grace ended\u{0}"),
        JournalRecord(
            type: .attempt, at: Date(timeIntervalSince1970: 0), key: "", kind: .reminder, seq: Int.min, code: Int.max),
        JournalRecord(
            type: .attempt, at: Date(timeIntervalSince1970: 253_402_300_799), key: "9999-12-31T23:59:59Z",
            kind: .reminder),
        JournalRecord(type: .attempt, at: Date(timeIntervalSince1970: 951_782_400), key: "2000-02-29", kind: .reminder),
        JournalRecord(
            type: .attempt, at: Date(timeIntervalSince1970: 253_402_300_800), key: "10000-01-01", kind: .reminder),
        JournalRecord(
            type: .queued, at: at, key: "forum+cslg/20270610/send+0123456789abcdef", kind: .message,
            template: "venue \"note\"", due: at.addingTimeInterval(3600),
            attachments: [
                AttachedFile(filename: "été.pdf", sha256: String(repeating: "a", count: 64), size: 12),
                AttachedFile(filename: "b.csv", sha256: String(repeating: "b", count: 64), size: 0),
            ]),
    ]

    @Test func recordsRoundTripOnOneLineWithVersion() throws {
        let record = JournalRecord(
            type: .sent, at: Date(timeIntervalSince1970: 1_790_000_000), key: "e/20270107/invitation/a@example.gov.uk",
            kind: .invitation, uid: "e-20270107@example.gov.uk", seq: 0, msgid: "m@example.gov.uk",
            to: "a@example.gov.uk",
            name: "Ann\r\nBcc: evil@example.com", cc: ["po@example.gov.uk"], event: Self.snapshot, reply: "250 ok")
        let line = JournalCodec.encode(record)
        #expect(!line.contains("\n") && !line.contains("\r"), "one record is one line whatever the values hold")
        #expect(line.contains("\"v\":1"))
        #expect(try decode(line).get() == record)
    }

    @Test(arguments: records) func everyRecordShapeRoundTripsAsFoundationReadsIt(record: JournalRecord) throws {
        let line = JournalCodec.encode(record)
        #expect(try decode(line).get() == record)
        #expect(foundationDecode(line) == record)
    }

    /// Foundation reads dates before 15 October 1582 as Julian, `isoUTC` writes them proleptic Gregorian: the
    /// decoder must read them as written.
    @Test func datesBeforeTheGregorianReformRoundTrip() throws {
        let record = JournalRecord(
            type: .attempt, at: Date(timeIntervalSince1970: -59_006_361_600), key: "0100-03-01", kind: .reminder)
        #expect(JournalCodec.encode(record).contains("0100-03-01T00:00:00Z"))
        #expect(try decode(JournalCodec.encode(record)).get() == record)
    }

    @Test func tornLastLineIsIgnoredWithAWarningButDamageElsewhereIsAnError() {
        let good = JournalCodec.encode(
            JournalRecord(type: .attempt, at: Date(timeIntervalSince1970: 0), key: "k", kind: .reminder, msgid: "m"))
        let torn = good + "\n" + good.prefix(20)
        let read = JournalCodec.read(Data(torn.utf8), file: "journal.jsonl")
        #expect(read.records.count == 1 && read.errors.isEmpty)
        #expect(
            read.warnings.map { "\($0.line) \($0.message)" } == ["2 ignoring a torn last line (an interrupted write)"])

        let damaged = good + "\n" + good.prefix(20) + "\n" + good + "\n"
        let bad = JournalCodec.read(Data(damaged.utf8), file: "journal.jsonl")
        #expect(bad.errors.map(\.line) == [2])
    }

    /// A journal that ends in padding (blank lines) was being written over when its writer stopped: a power cut can
    /// have put a later record on disk and not an earlier one, so a bad line followed by records is a torn write
    /// there, within `tornWriteWindow`, and everything from it on is cut off. Farther back, or in a journal without
    /// padding, it is damage.
    @Test func inAPaddedJournalATornWriteWithinTheWindowIsCutOffWithEverythingAfterIt() {
        let good = JournalCodec.encode(
            JournalRecord(type: .attempt, at: Date(timeIntervalSince1970: 0), key: "k", kind: .reminder, msgid: "m"))
        let later = JournalCodec.encode(
            JournalRecord(type: .sent, at: Date(timeIntervalSince1970: 0), key: "k", kind: .reminder, msgid: "m"))
        let prefix = good + "\n"
        let torn = prefix + later.prefix(30) + "\n" + later + "\n" + String(repeating: "\n", count: 100)
        let read = JournalCodec.read(Data(torn.utf8), file: "journal.jsonl")
        #expect(read.records.map(\.type) == [.attempt] && read.errors.isEmpty)
        #expect(read.end == prefix.utf8.count && read.endsWithNewline)
        #expect(read.warnings.map(\.line) == [2])
        #expect(
            read.warnings.first?.message.hasPrefix(
                "ignoring a torn write from line 2 on (1 unreadable line(s) and 1 record(s)") == true)

        // The same lines without padding: damage.
        let unpadded = prefix + later.prefix(30) + "\n" + later + "\n"
        #expect(JournalCodec.read(Data(unpadded.utf8), file: "journal.jsonl").errors.map(\.line) == [2])

        // Padded, but with more records after the bad line than a writer ever leaves unsynced: damage.
        let records = (later + "\n").utf8.count
        let many = String(repeating: later + "\n", count: JournalCodec.tornWriteWindow / records + 1)
        let deep = prefix + "{not json\n" + many + "\n\n"
        let damaged = JournalCodec.read(Data(deep.utf8), file: "journal.jsonl")
        #expect(damaged.errors.map(\.line) == [2] && damaged.warnings.isEmpty)

        // Padding after whole records only: nothing to warn about, and the content ends after the last record.
        let idle = JournalCodec.read(Data((prefix + later + "\n\n\n").utf8), file: "journal.jsonl")
        #expect(idle.records.count == 2 && idle.warnings.isEmpty && idle.errors.isEmpty)
        #expect(idle.end == (prefix + later + "\n").utf8.count)
    }

    /// Each line `FileJournal` writes says how much of the file was synced before it. A bad line that a later line
    /// says was synced reached the disk whole: it is damage (a flipped bit), never a torn write, even in a padded
    /// journal within the window, so the synced outcomes after it are never cut off and their messages never resent.
    @Test func aBadLineThatASyncCoveredIsDamageNeverATornWrite() throws {
        func line(_ id: String, _ type: JournalRecord.RecordType, synced: Int?) -> String {
            var bytes: [UInt8] = []
            JournalCodec.append(
                JournalRecord(
                    type: type, at: Date(timeIntervalSince1970: 0), key: "k/\(id)", kind: .reminder, msgid: id),
                synced: synced, to: &bytes)
            return String(decoding: bytes, as: UTF8.self) + "\n"
        }
        let first = line("a", .attempt, synced: 0)
        let second = line("a", .sent, synced: 0)
        // One bit of the third line's first byte flipped: `{` (0x7B) became `z` (0x7A).
        let third = "z" + line("b", .attempt, synced: 0).dropFirst()
        let covered = (first + second + third).utf8.count
        let padding = String(repeating: "\n", count: 100)

        // A later line says the first `covered` bytes were synced: the bad line 3 is damage.
        let damaged = first + second + third + line("b", .sent, synced: covered) + padding
        let read = JournalCodec.read(Data(damaged.utf8), file: "journal.jsonl")
        #expect(read.errors.map(\.line) == [3] && read.warnings.isEmpty)
        #expect(read.errors.first?.hint?.contains("line 4") == true, "\(read.errors)")

        // The later line says only the first two lines were synced: line 3 may be a torn write, cut with what follows.
        let torn = first + second + third + line("b", .sent, synced: (first + second).utf8.count) + padding
        let cut = JournalCodec.read(Data(torn.utf8), file: "journal.jsonl")
        #expect(cut.errors.isEmpty && cut.warnings.map(\.line) == [3])
        #expect(cut.records.map(\.msgid) == ["a", "a"])

        // The field is the line's, not the record's: records read back equal what was written, as Foundation reads them.
        let record = JournalRecord(type: .sent, at: at, key: "k", kind: .reminder, msgid: "m")
        var bytes: [UInt8] = []
        JournalCodec.append(record, synced: 1234, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""seq"#) == false)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""synced":1234,"type""#))
        #expect(try JournalCodec.decode(bytes).get() == record)
        #expect(foundationDecode(String(decoding: bytes, as: UTF8.self)) == record)
    }

    @Test func blankLinesAreSkippedButCountedAndAWholeLastRecordNeedsNoNewline() {
        let good = JournalCodec.encode(attempt)
        let read = JournalCodec.read(Data((good + "\n\n{\n" + good).utf8), file: "journal.jsonl")
        #expect(read.records == [attempt, attempt])
        #expect(read.errors.map(\.line) == [3] && read.warnings.isEmpty)
        #expect(JournalCodec.read(Data(), file: "journal.jsonl").records.isEmpty)
    }

    @Test func aNewerRecordVersionIsRefusedNotMisread() {
        let line = JournalCodec.encode(attempt).replacingOccurrences(of: "\"v\":1", with: "\"v\":2")
        let read = JournalCodec.read(Data((line + "\n").utf8), file: "journal.jsonl")
        #expect(read.errors.first?.message == "journal record version 2 is not supported")
    }

    @Test(arguments: [
        (#"{"v":2,"type":"bounced","at":5,"extra":{"a":[1.5e3,null]}}"#, 2),
        (#"{"v":2}"#, 2),
        (#" {"x":"y", "v" : -1 } "#, -1),
        (attemptLine(replacing: #""v":1"#, with: #""v":0"#), 0),
    ])
    func anotherVersionIsReportedWhateverTheRestOfTheObjectHolds(line: String, version: Int) {
        #expect(decode(line) == .failure(.unsupportedVersion(version)))
    }

    @Test(arguments: [
        #"{"v":2.0}"#, #"{"v":"2"}"#, #"{"v":2} x"#, #"{"v":2,"v":3}"#, #"{"v":2,"x":[}"#, #"{"type":"attempt"}"#,
        #"[{"v":2}]"#,
    ])
    func aLineThatIsNotAnObjectWithAnIntegerVersionIsMalformed(line: String) {
        #expect(decode(line) == .failure(.malformed))
    }

    @Test(arguments: [
        (
            attemptLine([
                #""kind":"reminder""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""type":"attempt""#, #""v":1"#,
            ]), attempt
        ),
        (
            " \t{ \"v\" :\t1 ,\r\n\"type\": \"attempt\" , \"at\":\"2027-01-07T12:00:00Z\",\"key\" :\"k\",\"kind\":\"reminder\" } \r",
            attempt
        ),
        (
            attemptLine([
                #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"reminder""#,
                #""uid":null"#, #""cc":null"#, #""event":null"#, #""permanent":null"#,
            ]), attempt
        ),
        (
            attemptLine([
                #""v":1"#, #""future":{"a":[1,-2.5e-3,0.0,true,false,null,{"b":"\u00e9"}],"c":{}}"#,
                #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"reminder""#,
                #""later":[]"#,
            ]), attempt
        ),
        (
            attemptLine([
                #""\u0076":1"#, #""type":"\u0061ttempt""#, #""at":"2027-01-07T12:00:00\u005A""#, #""key":"k""#,
                #""kind":"reminder""#,
            ]), attempt
        ),
        (
            attemptLine([
                #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#,
                #""key":"\"\\\/\b\f\n\r\t\u00e9\u00C9\u4e2d\ud83d\ude00\uD83D\uDE00\u0000""#, #""kind":"reminder""#,
            ]),
            JournalRecord(
                type: .attempt, at: at, key: "\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{c9}\u{4e2d}😀😀\u{0}", kind: .reminder)
        ),
        (
            attemptLine([
                #""v":1"#, #""type":"sent""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"update""#,
                #""seq":-0"#, #""cc":[ "a" , "b" ]"#,
                #""event":{ "end":"2027-01-07T13:00:00Z", "location":null, "title":"T", "unknown":1, "start":"2027-01-07T12:00:00Z" }"#,
            ]),
            JournalRecord(
                type: .sent, at: at, key: "k", kind: .update, seq: 0, cc: ["a", "b"],
                event: EventSnapshot(
                    title: "T", start: at, end: at.addingTimeInterval(3600), location: nil, joinURL: nil,
                    description: nil))
        ),
    ])
    func handWrittenLinesDecodeInAnyKeyOrderSpacingAndEscaping(line: String, expected: JournalRecord) throws {
        #expect(try decode(line).get() == expected)
        #expect(foundationDecode(line) == expected)
    }

    /// Lines Foundation's decoder also refuses.
    static let malformedLines: [String] =
        [
            "", " ", "{}", "[]", "null", "1", #""v""#, "{", attemptLine() + "x", attemptLine() + "{}",
            attemptLine() + ",",
            attemptLine(replacing: #""key":"k""#, with: "\"key\":\"a\u{1}b\""),
            attemptLine(replacing: #""key":"k""#, with: "\"key\":\"a\tb\""),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\x""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\u12""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\u12g4""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\ud83d""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\ud83dx""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\ud83d\u0041""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":"\ude00""#),
            attemptLine(replacing: #""key":"k""#, with: #""key":'k'"#),
            attemptLine(replacing: #""key":"k""#, with: #""key":k"#),
            attemptLine(replacing: #""key":"k""#, with: #""key":1"#),
            attemptLine(replacing: #""key":"k""#, with: #""key":null"#),
            attemptLine(replacing: #""key":"k""#, with: #""key""k""#),
            attemptLine(replacing: #""key":"k""#, with: #"key:"k""#),
            attemptLine(replacing: #""v":1"#, with: #""v":"1""#),
            attemptLine(replacing: #""v":1"#, with: #""v":01"#),
            attemptLine(replacing: #""v":1"#, with: #""v":+1"#),
            attemptLine(replacing: #""v":1"#, with: #""v":true"#),
            attemptLine(replacing: #""type":"attempt""#, with: #""type":"bounced""#),
            attemptLine(replacing: #""type":"attempt""#, with: #""type":"Attempt""#),
            attemptLine(replacing: #""kind":"reminder""#, with: #""kind":"letter""#),
            attemptLine(replacing: #""kind":"reminder""#, with: #""kind":["reminder"]"#),
            attemptLine(replacing: "}", with: #","seq":9223372036854775808}"#),
            attemptLine(replacing: "}", with: #","seq":-9223372036854775809}"#),
            attemptLine(replacing: "}", with: #","seq":1.5}"#),
            attemptLine(replacing: "}", with: #","seq":"1"}"#),
            attemptLine(replacing: "}", with: #","code":true}"#),
            attemptLine(replacing: "}", with: #","permanent":1}"#),
            attemptLine(replacing: "}", with: #","permanent":"true"}"#),
            attemptLine(replacing: "}", with: #","permanent":tru}"#),
            attemptLine(replacing: "}", with: #","cc":"a"}"#),
            attemptLine(replacing: "}", with: #","cc":[null]}"#),
            attemptLine(replacing: "}", with: #","cc":[1]}"#),
            attemptLine(replacing: "}", with: #","cc":[["a"]]}"#),
            attemptLine(replacing: "}", with: #","cc":["a" "b"]}"#),
            attemptLine(replacing: "}", with: #","event":"T"}"#),
            attemptLine(
                replacing: "}", with: #","event":{"start":"2027-01-07T12:00:00Z","end":"2027-01-07T12:00:00Z"}}"#),
            attemptLine(replacing: "}", with: #","event":{"title":"T","start":"2027-01-07T12:00:00Z"}}"#),
            attemptLine(
                replacing: "}",
                with: #","event":{"title":"T","start":"2027-01-07T12:00:00Z","end":"2027-13-07T12:00:00Z"}}"#),
            attemptLine(replacing: "}", with: #","x":.5}"#),
            attemptLine(replacing: "}", with: #","x":NaN}"#),
            attemptLine(replacing: "}", with: #","x":[1,}"#),
            attemptLine(
                replacing: "}",
                with: ",\"x\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"),
            attemptLine(replacing: "}", with: "}\u{0b}"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-13-07T12:00:00Z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-00T12:00:00Z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07 12:00:00Z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00:00"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07t12:00:00z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00Z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: "20270107T120000Z"),
            attemptLine(replacing: "2027-01-07T12:00:00Z", with: " 2027-01-07T12:00:00Z"),
            attemptLine(replacing: #""at":"2027-01-07T12:00:00Z""#, with: #""at":1799323200"#),
        ]
        + ["v", "type", "at", "key", "kind"].map { field in  // each required field missing
            attemptLine(
                [
                    #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#,
                    #""kind":"reminder""#,
                ]
                .filter { !$0.hasPrefix("\"\(field)\"") })
        }

    @Test(arguments: malformedLines) func malformedLinesAreRejectedLikeFoundationRejectsThem(line: String) {
        #expect(decode(line) == .failure(.malformed))
        #expect(foundationDecode(line) == nil)
    }

    /// Where JSONDecoder is lenient and this decoder keeps to strict JSON and to the one date form `encode` writes,
    /// or (for repeated keys) refuses to guess. Foundation accepts all of these.
    static let linesJSONDecoderTolerates: [String] = [
        "\u{feff}" + attemptLine(),
        attemptLine([
            #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"reminder""#,
            #""key":"j""#,
        ]),
        attemptLine([
            #""v":1"#, #""type":"attempt""#, #""at":"2027-01-07T12:00:00Z""#, #""key":"k""#, #""kind":"reminder""#,
            #""uid":null"#, #""uid":"u""#,
        ]),
        attemptLine(replacing: "}", with: ",}"),
        attemptLine(replacing: "}", with: #","cc":["a",]}"#),
        attemptLine(replacing: #""v":1"#, with: #""v":1.0"#),
        attemptLine(replacing: #""v":1"#, with: #""v":1e0"#),
        attemptLine(replacing: "}", with: #","x":1.}"#),
        attemptLine(replacing: "}", with: #","x":-}"#),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-02-30T12:00:00Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2023-02-29T12:00:00Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T24:00:00Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:60:00Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00:60Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00:00.5Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00:00+00:00"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-1-07T12:00:00Z"),
        attemptLine(replacing: "2027-01-07T12:00:00Z", with: "2027-01-07T12:00:00Z "),
    ]

    @Test(arguments: linesJSONDecoderTolerates) func linesJSONDecoderToleratesAreMalformed(line: String) {
        #expect(decode(line) == .failure(.malformed))
    }

    @Test func everyTruncationOfAValidLineIsMalformedAndATornLastLine() throws {
        let line = Array(JournalCodec.encode(Self.records[1]).utf8)
        let good = Array((JournalCodec.encode(attempt) + "\n").utf8)
        for count in 0..<line.count {
            let prefix = Array(line.prefix(count))
            #expect(JournalCodec.decode(prefix) == .failure(.malformed), "cut after \(count) bytes")
            #expect(foundationDecode(String(decoding: prefix, as: UTF8.self)) == nil, "cut after \(count) bytes")
            let read = JournalCodec.read(good + prefix, file: "journal.jsonl")
            #expect(read.records == [attempt] && read.errors.isEmpty && read.warnings.count == (count == 0 ? 0 : 1))
        }
        #expect(try JournalCodec.decode(line).get() == Self.records[1])
    }

    @Test func invalidUTF8InAStringIsReplacedAsWhenTheJournalWasReadAsText() throws {
        let line = Array(attemptLine(replacing: #""key":"k""#, with: #""key":"!""#).utf8)
            .map { $0 == UInt8(ascii: "!") ? 0xFF : $0 }
        #expect(try JournalCodec.decode(line).get().key == "\u{FFFD}")
    }

    /// A principal's 4xx with the delegate's copy delivered: the retry goes to the principal alone, and a copy refused
    /// for good is not retried either; once the message is finished nothing about its copies is kept.
    @Test func foldRemembersSettledCopiesSoARetryGoesOnlyToThoseStillOwedIt() {
        let at = Date(timeIntervalSince1970: 0)
        let envelope = ["Bob@x.gov.uk", "Office.Bob@x.gov.uk", "pa@x.gov.uk", "later@x.gov.uk"]
        var state = JournalState()
        #expect(state.envelope(for: "m", envelope) == envelope)
        state.apply(
            JournalRecord(
                type: .failed, at: at, key: "k", kind: .invitation, msgid: "m", to: "bob@x.gov.uk", code: 451,
                permanent: false, reply: "451",
                copies: [
                    .init(to: "office.bob@x.gov.uk", outcome: .delivered, code: 250),
                    .init(to: "pa@x.gov.uk", outcome: .permanent, code: 550),
                    .init(to: "later@x.gov.uk", outcome: .temporary, code: 452),
                ]))
        #expect(state.envelope(for: "m", envelope) == ["Bob@x.gov.uk", "later@x.gov.uk"])
        #expect(state.envelope(for: "other", envelope) == envelope)
        // The second attempt went to those two; the delegate still owed it is delivered, the principal fails again.
        state.apply(
            JournalRecord(
                type: .failed, at: at, key: "k", kind: .invitation, msgid: "m", to: "bob@x.gov.uk", code: 451,
                permanent: false, reply: "451",
                copies: [.init(to: "later@x.gov.uk", outcome: .delivered, code: 250)]))
        #expect(state.envelope(for: "m", envelope) == ["Bob@x.gov.uk"])
        #expect(state.failures["m"]?.count == 2)
        state.apply(JournalRecord(type: .sent, at: at, key: "k", kind: .invitation, msgid: "m", to: "bob@x.gov.uk"))
        #expect(state.settledCopies.isEmpty)
    }

    /// A connection that failed before anything was handed over (a 421 greeting) closes the attempt but is not a
    /// failure of the message: no back-off, not counted by `status`, still listed among the last failures.
    @Test func aConnectionFailureIsNotCountedAgainstTheMessage() {
        let at = Date(timeIntervalSince1970: 0)
        let records = [
            JournalRecord(type: .attempt, at: at, key: "k", kind: .invitation, msgid: "m", to: "a@x.gov.uk"),
            JournalRecord(
                type: .failed, at: at, key: "k", kind: .invitation, msgid: "m", to: "a@x.gov.uk", code: 421,
                permanent: false,
                reply: "421 4.3.2 closing", connection: true),
        ]
        let state = JournalState(records: records)
        #expect(state.inFlight.isEmpty && state.failures.isEmpty && !state.finished.contains("m"))
        let summary = JournalSummary(records: records, state: state)
        #expect(summary.counts["invitation.failed"] == nil)
        #expect(summary.lastFailures.map(\.code) == [421])
    }

    @Test func foldTracksThreadsInFlightAndFailures() {
        let at = Date(timeIntervalSince1970: 0)
        var state = JournalState()
        state.apply(
            JournalRecord(
                type: .attempt, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk"))
        #expect(state.inFlight.keys.sorted() == ["m0"])
        state.apply(
            JournalRecord(
                type: .failed, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk",
                code: 451, permanent: false, reply: "451 later"))
        #expect(state.inFlight.isEmpty && state.failures["m0"]?.count == 1 && !state.finished.contains("m0"))
        state.apply(
            JournalRecord(
                type: .sent, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk",
                name: "A", event: Self.snapshot))
        #expect(state.finished.contains("m0") && state.failures["m0"] == nil)
        #expect(state.thread(uid: "u", recipient: "a@x.gov.uk")?.sequence == 0)
        state.apply(
            JournalRecord(
                type: .sent, at: at, key: "k2", kind: .cancellation, uid: "u", seq: 1, msgid: "m1", to: "a@x.gov.uk",
                event: Self.snapshot))
        #expect(state.thread(uid: "u", recipient: "A@x.gov.uk")?.cancelled == true)
        #expect(
            state.thread(uid: "u", recipient: "A@x.gov.uk")?.name == "A",
            "a later record without a name keeps the known one")
    }
}
