import Foundation
import Testing
@testable import ConveneCore

struct JournalCodecTests {
    static let snapshot = EventSnapshot(
        title: "Line\nbreak \"quoted\"", start: Date(timeIntervalSince1970: 1_800_000_000), end: Date(timeIntervalSince1970: 1_800_003_600),
        location: "Room 1", joinURL: nil, description: nil)

    @Test func recordsRoundTripOnOneLineWithVersion() throws {
        let record = JournalRecord(
            type: .sent, at: Date(timeIntervalSince1970: 1_790_000_000), key: "e/20270107/invitation/a@example.gov.uk",
            kind: .invitation, uid: "e-20270107@example.gov.uk", seq: 0, msgid: "m@example.gov.uk", to: "a@example.gov.uk",
            name: "Ann\r\nBcc: evil@example.com", cc: ["po@example.gov.uk"], event: Self.snapshot, reply: "250 ok")
        let line = JournalCodec.encode(record)
        #expect(!line.contains("\n") && !line.contains("\r"), "one record is one line whatever the values hold")
        #expect(line.contains("\"v\":1"))
        #expect(try JournalCodec.decode(Substring(line)).get() == record)
    }

    @Test func tornLastLineIsIgnoredWithAWarningButDamageElsewhereIsAnError() {
        let good = JournalCodec.encode(JournalRecord(type: .attempt, at: Date(timeIntervalSince1970: 0), key: "k", kind: .reminder, msgid: "m"))
        let torn = good + "\n" + good.prefix(20)
        let read = JournalCodec.decodeAll(torn, file: "journal.jsonl")
        #expect(read.records.count == 1 && read.errors.isEmpty)
        #expect(read.warnings.map { "\($0.line) \($0.message)" } == ["2 ignoring a torn last line (an interrupted write)"])

        let damaged = good + "\n" + good.prefix(20) + "\n" + good + "\n"
        let bad = JournalCodec.decodeAll(damaged, file: "journal.jsonl")
        #expect(bad.errors.map(\.line) == [2])
    }

    @Test func aNewerRecordVersionIsRefusedNotMisread() {
        let line = JournalCodec.encode(JournalRecord(type: .attempt, at: Date(timeIntervalSince1970: 0), key: "k", kind: .reminder))
            .replacingOccurrences(of: "\"v\":1", with: "\"v\":2")
        let read = JournalCodec.decodeAll(line + "\n", file: "journal.jsonl")
        #expect(read.errors.first?.message == "journal record version 2 is not supported")
    }

    @Test func foldTracksThreadsInFlightAndFailures() {
        let at = Date(timeIntervalSince1970: 0)
        var state = JournalState()
        state.apply(JournalRecord(type: .attempt, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk"))
        #expect(state.inFlight.keys.sorted() == ["m0"])
        state.apply(JournalRecord(type: .failed, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk", code: 451, permanent: false, reply: "451 later"))
        #expect(state.inFlight.isEmpty && state.failures["m0"]?.count == 1 && !state.finished.contains("m0"))
        state.apply(JournalRecord(type: .sent, at: at, key: "k", kind: .invitation, uid: "u", seq: 0, msgid: "m0", to: "A@x.gov.uk", name: "A", event: Self.snapshot))
        #expect(state.finished.contains("m0") && state.failures["m0"] == nil)
        #expect(state.thread(uid: "u", recipient: "a@x.gov.uk")?.sequence == 0)
        state.apply(JournalRecord(type: .sent, at: at, key: "k2", kind: .cancellation, uid: "u", seq: 1, msgid: "m1", to: "a@x.gov.uk", event: Self.snapshot))
        #expect(state.thread(uid: "u", recipient: "A@x.gov.uk")?.cancelled == true)
        #expect(state.thread(uid: "u", recipient: "A@x.gov.uk")?.name == "A", "a later record without a name keeps the known one")
    }
}
