import ConveneCore
import ConveneService
import ConveneTesting
import Foundation
import Glibc
import Testing

/// The journal's promises through the built binary: a torn last line is survived, a second `convene run`
/// on the same state is refused, and a journal that cannot be written stops sending, loudly.
@Suite(.ownThread)
struct JournalFailureTests {
    static let from = "2027-02-01 00:00"
    static let end = "2027-04-01 00:00"

    @Test func aTornLastLineIsCutWithAWarningAndTheProgrammeCarriesOnExactlyOnce() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()))
        let first = try await fixture.run(from: Self.from, until: "2027-02-15 00:00")
        #expect(first.status == 0, "\(first)")
        // A crash in the middle of writing a record: half of one, no newline.
        let journalPath = FileJournal.journalPath(fixture.statePath)
        let text = try String(contentsOfFile: journalPath, encoding: .utf8)
        let last = try #require(text.split(separator: "\n").last)
        let handle = try #require(FileHandle(forWritingAtPath: journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(last.prefix(last.count / 2).utf8))
        handle.closeFile()

        let second = try await fixture.run(from: "2027-02-15 00:00", until: Self.end)
        #expect(second.status == 0, "\(second)")
        #expect(second.stderr.contains("<4>ignoring a torn last line"), "\(second)")
        // Every message of the programme exactly once, and a journal that reads cleanly again.
        let mail = try await DeliveredMail.read(server.outdir, headersOnly: true)
        #expect(mail.count == 24)
        #expect(Set(mail.map(\.messageID)).count == 24)
        let reread = try FileJournal.read(directory: fixture.statePath)
        #expect(reread.warnings.isEmpty)
        #expect(Set(reread.records.filter { $0.type == .sent }.map(\.key)).count == 24)
        #expect(try String(contentsOfFile: journalPath, encoding: .utf8).hasSuffix("}\n"))
    }

    @Test func aSecondRunOnTheSameStateIsRefusedWhileTheFirstHoldsTheLock() async throws {
        // Nothing is due until February 2027, so the daemon sleeps holding the lock; no server is needed.
        let fixture = try DeliveryFixture(smtp: .init(url: "smtp://127.0.0.1:\(try TestEnvironment.freePort())"))
        let log = fixture.directory.appendingPathComponent("daemon.err")
        let daemon = try ConveneBinary.start(fixture.arguments("run"), stderrFile: log)
        let deadline = Date().addingTimeInterval(20)
        while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("started"), daemon.isRunning,
            Date() < deadline
        {
            await pause(seconds: 0.01)
        }
        #expect(daemon.isRunning, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        let second = try await fixture.run(from: "2027-02-11 09:00", until: Self.end)
        #expect(second.status == 75, "\(second)")
        #expect(second.stderr.contains("another convene is using \(fixture.statePath)"), "\(second)")
        #expect(second.stderr.contains("--state"))
        #expect(try fixture.journal().isEmpty, "the refused run must not have written")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        // With the first gone, the lock is free.
        let third = try await fixture.run(from: Self.from, until: Self.from)
        #expect(third.status == 0, "\(third)")
    }

    /// Root ignores file permissions, so a read-only folder proves nothing when tests run as root. A file size
    /// limit (`ulimit -f`, RLIMIT_FSIZE) binds root too and fails `write` exactly like a full disk, part way
    /// through a record. SIGXFSZ is ignored in the wrapper (inherited across exec) so the write fails with
    /// EFBIG instead of killing the process; stderr goes into the stdout pipe, which the limit does not touch.
    @Test func aJournalThatCannotBeWrittenStopsSendingWithExit74AndEverySentMessageWasJournaled() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()))
        let limited = ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 16; exec \"$@\" 2>&1", "sh"]  // 16 × 512 bytes
        let full = try await fixture.convene("run", ["--now", Self.from, "--until", Self.end], wrapper: limited)
        #expect(full.status == 74, "\(full)")
        #expect(full.stdout.contains("<3>journal write failed; sending stops"), "\(full)")
        #expect(full.stdout.contains("File too large"), "\(full)")
        #expect(full.stdout.contains("nothing more will be sent"))

        // Nothing was sent that the journal does not know of: every delivered message has its attempt.
        let journal = try FileJournal.read(directory: fixture.statePath)
        let attempted = Set(journal.records.filter { $0.type == .attempt }.compactMap(\.msgid))
        let delivered = try await DeliveredMail.read(server.outdir, headersOnly: true)
        #expect(!delivered.isEmpty && delivered.count < 24, "the limit should stop the run part way")
        // (A torn `attempt` is cut off when read, and its message was never handed over.)
        #expect(Set(delivered.map(\.messageID)) == attempted)

        // With space again, the run completes; at most the one message whose `sent` was lost goes twice.
        let after = try await fixture.run(from: Self.from, until: Self.end)
        #expect(after.status == 0, "\(after)")
        let all = try await DeliveredMail.read(server.outdir, headersOnly: true)
        #expect(Set(all.map(\.messageID)).count == 24)
        #expect(all.count <= 25)
    }

    @Test func aJournalPathThatCannotBeOpenedExits74BeforeSendingAnything() async throws {
        let server = try await TestSMTPServer(.init(starttls: false))
        let fixture = try DeliveryFixture(smtp: .init(url: server.url()))
        try FileManager.default.createDirectory(
            atPath: FileJournal.journalPath(fixture.statePath), withIntermediateDirectories: true)
        let result = try await fixture.run(from: Self.from, until: Self.end)
        #expect(result.status == 74, "\(result)")
        #expect(result.stderr.contains("journal"), "\(result)")
        #expect(try server.messages().isEmpty)
    }
}
