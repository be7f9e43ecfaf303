import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Testing

/// A flipped bit in a record that a sync covered is damage: `run` refuses the journal and says where, rather than
/// taking it for a torn write, cutting it and every synced outcome after it, and sending those messages again.
@Suite(.ownThread)
struct JournalDamageTests {
    @Test func aFlippedBitInAnEarlySyncedRecordMakesRunRefuseTheJournalAndSendNothing() async throws {
        let people = 200
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(
            smtp: .init(url: server.url()), roster: DeliveryFixture.roster(of: people),
            programme: DeliveryFixture.singleInvitation)
        let first = try await fixture.run(from: "2027-02-11 09:00", until: "2027-02-11 09:00")
        #expect(first.status == 0 && first.stdout.contains("sent \(people), failed 0"), "\(first)")
        #expect(try server.messages().count == people)

        // As a crash in the middle of a batch leaves it: the journal ends in padding (FileJournal reserves newlines
        // ahead of its records), and every record is well within the last 256 KiB: the old reader cut a bad line
        // there with everything after it.
        let path = FileJournal.journalPath(fixture.statePath)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count < JournalCodec.tornWriteWindow, "the journal is larger than the torn-write window")
        bytes += [UInt8](repeating: UInt8(ascii: "\n"), count: 64 * 1024)
        var lineStarts: [Int] = [0]
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") { lineStarts.append(index + 1) }
        // Line 3 is the second message's attempt, with all the rest synced after it. Flip one bit of its first
        // byte: `{` (0x7B) becomes `z` (0x7A).
        bytes[lineStarts[2]] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let second = try await fixture.run(from: "2027-02-11 09:00", until: "2027-02-11 12:00")
        #expect(second.status == 74, "\(second)")
        #expect(second.stderr.contains("journal.jsonl:3:1: error: unreadable journal record"), "\(second.stderr)")
        #expect(second.stderr.contains("this is damage, not an interrupted write"), "\(second.stderr)")
        #expect(try server.messages().count == people, "messages were sent again")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "the damaged journal was changed")

        // Repaired (the bit flipped back), the same padded journal is read whole: nothing is due, nothing is sent.
        bytes[lineStarts[2]] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let repaired = try await fixture.run(from: "2027-02-11 09:00", until: "2027-02-11 12:00")
        #expect(repaired.status == 0 && repaired.stdout.contains("sent 0, failed 0"), "\(repaired)")
        #expect(!repaired.stderr.contains("torn"), "\(repaired.stderr)")
        #expect(try server.messages().count == people)
    }
}
