import ConveneTesting
import Foundation
import Testing

@testable import ConveneCore

/// `convene send` and `kind: message` rules through the built binary: a one-off with a PDF is queued once however
/// often the command runs, each recipient gets it once with the file's bytes intact (read back by Python's `email`),
/// a rule's plain message goes on its date with no calendar part, and every mistake has its exit status.
@Suite(.ownThread)
struct SendCommandTests {
    /// A small valid PDF (one empty page), with its cross-reference offsets computed.
    static let pdf: [UInt8] = {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        ]
        var text = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(text.utf8.count)
            text += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = text.utf8.count
        text += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { text += String(format: "%010d 00000 n \n", offset) }
        text += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(text.utf8)
    }()

    /// A copy of the example with an `agenda` template and `papers/agenda.pdf`; `rule` is appended to its rules.
    static func workspace(rule: String = "") throws -> URL {
        let dir = try CLI.exampleCopy()
        try "subject: Agenda for ((event title))\n---\nDear ((first name)),\n\nThe agenda is attached.\n".write(
            to: dir.appendingPathComponent("templates/agenda.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("papers"), withIntermediateDirectories: true)
        try Data(pdf).write(to: dir.appendingPathComponent("papers/agenda.pdf"))
        if !rule.isEmpty {
            let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("convene.yaml"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(rule.utf8))
            try handle.close()
        }
        return dir
    }

    /// The messages in `outbox` whose file name contains `marker` (the outbox writes `+` as `_`), read by Python (only those: reading a whole
    /// programme's outbox would cost seconds).
    static func mails(in outbox: String, containing marker: String) async throws -> [OutboxMail] {
        let chosen = outbox + "/chosen-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: chosen, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: outbox) where name.contains(marker) {
            try FileManager.default.copyItem(atPath: outbox + "/" + name, toPath: chosen + "/" + name)
        }
        defer { try? FileManager.default.removeItem(atPath: chosen) }
        return try await OutboxMail.read(chosen)
    }

    @Test func aOneOffWithAPDFIsQueuedOnceAndEachRecipientGetsTheFileOnce() async throws {
        let dir = try Self.workspace()
        let out = dir.appendingPathComponent("out").path
        let paper = dir.appendingPathComponent("papers/agenda.pdf")
        let send = [
            "send", "--config", dir.appendingPathComponent("convene.yaml").path, "--state", out + "/state", "--now",
            "2027-02-01 10:00", "--template", "agenda", "--event", "cslg-leadership-day", "--attach", paper.path,
        ]
        let first = try await CLI.run(send)
        #expect(first.status == 0, "\(first.stderr)")
        let count = try #require(Int(first.stdout.prefix { $0.isNumber }))
        #expect(count > 1)
        #expect(first.stdout.contains("queued cslg-leadership-day/20270318/send+"))
        #expect(first.stdout.contains("Content-Type: application/pdf;"))
        let second = try await CLI.run(send)
        #expect(second.status == 0)
        #expect(second.stdout.contains("already queued"))
        // Before any run there is no journal: status says so (74) and names what waits to be sent.
        let early = try await CLI.run([
            "status", "--config", dir.appendingPathComponent("convene.yaml").path, "--state", out + "/state", "--now",
            "2027-02-01 10:00",
        ])
        #expect(early.status == 74)
        #expect(early.stderr.contains("1 one-off message is queued there (cslg-leadership-day/20270318/send+"))
        // The file changes after it was queued: what goes is what was given.
        try Data("%PDF-1.4 changed".utf8).write(to: paper)

        let run = [
            "run", "--config", dir.appendingPathComponent("convene.yaml").path, "--dry-run", out, "--now",
            "2027-02-01 10:00", "--until", "2027-02-01 10:00",
        ]
        let sent = try await CLI.run(run)
        #expect(sent.status == 0, "\(sent.stderr)")
        let mails = try await Self.mails(in: out, containing: ".send_")
        #expect(mails.count == count)
        #expect(Set(mails.flatMap(\.to)).count == count)
        let expected = OutboxMail.File(
            filename: "agenda.pdf", contentType: "application/pdf", disposition: "attachment",
            sha256: SHA256.hex(Self.pdf))
        for mail in mails {
            #expect(mail.event == nil)
            #expect(mail.attachments == [expected])
            #expect(mail.subject == "Agenda for Civil Service Leadership Group Day")
        }
        let again = try await CLI.run(run)
        #expect(again.status == 0)
        #expect(try await Self.mails(in: out, containing: ".send_").count == count)
        let status = try await CLI.run([
            "status", "--config", dir.appendingPathComponent("convene.yaml").path, "--state", out + "/state", "--now",
            "2027-02-01 10:05",
        ])
        let row = status.stdout.split(separator: "\n").first { $0.hasPrefix("message ") }
        #expect(row?.split(separator: " ") == ["message", "\(count)", "0", "0"], "\(status.stdout)")
    }

    @Test func aOneOffWhoseStoredFileIsGoneIsSkippedWithTheReasonNeverSentWithoutIt() async throws {
        let dir = try Self.workspace()
        let config = dir.appendingPathComponent("convene.yaml").path
        let out = dir.appendingPathComponent("out").path
        // Not papers/agenda.pdf: the example's agenda rule loads that file, so its bytes would still be at hand.
        let notes = Self.pdf + Array("% notes\n".utf8)
        try Data(notes).write(to: dir.appendingPathComponent("papers/notes.pdf"))
        let send = try await CLI.run([
            "send", "--config", config, "--state", out + "/state", "--now", "2027-02-01 10:00", "--template", "agenda",
            "--forum", "hod", "--attach", dir.appendingPathComponent("papers/notes.pdf").path,
        ])
        #expect(send.status == 0, "\(send.stderr)")
        try FileManager.default.removeItem(atPath: out + "/state/attachments/" + SHA256.hex(notes))
        let run = try await CLI.run([
            "run", "--config", config, "--dry-run", out, "--now", "2027-02-01 10:00", "--until", "2027-02-01 10:00",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.contains(".send_") }.isEmpty)
        let journal = try String(contentsOfFile: out + "/state/journal.jsonl", encoding: .utf8)
        let skips = journal.split(separator: "\n").filter { $0.contains("/send+") && $0.contains("\"skipped\"") }
        #expect(!skips.isEmpty)
        #expect(skips.allSatisfy { $0.contains("its attachment notes.pdf") })
    }

    @Test func aDryRunWritesEveryMessageAndQueuesNothing() async throws {
        let dir = try Self.workspace()
        let out = dir.appendingPathComponent("outbox").path
        let result = try await CLI.run([
            "send", "--config", dir.appendingPathComponent("convene.yaml").path, "--state",
            dir.appendingPathComponent("state").path, "--now", "2027-02-01 10:00", "--template", "agenda", "--forum",
            "hod", "--dry-run", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let count = try #require(Int(result.stdout.prefix { $0.isNumber }))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).count == count)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("state").path))
    }

    @Test func anEventScopedMessageRuleGoesOnItsDateWithItsFileAndNoCalendarPart() async throws {
        let dir = try Self.workspace(
            rule: """
                  - id: agenda
                    kind: message
                    send: 6 weeks before at 09:00
                    template: agenda
                    events: [cslg-leadership-day]
                    attach: [papers/agenda.pdf]

                """)
        let config = dir.appendingPathComponent("convene.yaml").path
        let out = dir.appendingPathComponent("out").path
        // Six weeks before Thursday 18 March 2027 is Thursday 4 February, 09:00.
        let before = try await CLI.run([
            "run", "--config", config, "--dry-run", out, "--now", "2027-02-01 09:00", "--until", "2027-02-04 08:59",
        ])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(try await Self.mails(in: out, containing: ".agenda.").isEmpty)
        let on = try await CLI.run([
            "run", "--config", config, "--dry-run", out, "--now", "2027-02-04 08:59", "--until", "2027-02-04 09:30",
        ])
        #expect(on.status == 0, "\(on.stderr)")
        let agendas = try await Self.mails(in: out, containing: ".agenda.")
        #expect(!agendas.isEmpty)
        #expect(agendas.allSatisfy { $0.messageID.hasPrefix("cslg-leadership-day.20270318.agenda.") })
        #expect(agendas.allSatisfy { $0.event == nil && $0.attachments.map(\.sha256) == [SHA256.hex(Self.pdf)] })
    }

    @Test(arguments: [
        (["--template", "nope", "--forum", "cslg"], 64, "unknown template 'nope'"),
        (["--template", "agenda", "--event", "nope"], 64, "unknown event 'nope'"),
        (["--template", "agenda", "--forum", "nope"], 64, "unknown forum 'nope'"),
        (["--template", "agenda", "--forum", "cslg", "--event", "cslg-leadership-day"], 64, "either --event"),
        (["--template", "agenda", "--forum", "cslg", "--occurrence", "2027-03-18"], 64, "--occurrence goes with"),
        (["--template", "agenda", "--forum", "cslg", "--attach", "missing.pdf"], 66, "cannot read --attach"),
        (["--template", "agenda", "--forum", "cslg", "--attach", "big.pdf"], 65, "one file may be at most 5.0 MB"),
    ])
    func eachMistakeHasItsExitStatus(arguments: [String], status: Int32, message: String) async throws {
        let dir = try Self.workspace()
        if arguments.contains("big.pdf") {
            try Data(count: 5_000_001).write(to: dir.appendingPathComponent("big.pdf"))
        }
        let result = try await CLI.run(
            ["send", "--config", "convene.yaml", "--state", "state", "--now", "2027-02-01 10:00"] + arguments,
            directory: dir)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("state").path))
    }

    @Test(arguments: [
        ("[papers/missing.pdf]", "cannot read attachment"),
        ("[big.pdf]", "one file may be at most 5.0 MB"),
        ("[half.pdf, half2.pdf]", "its attachments add up to 8.0 MB"),
    ])
    func validateChecksTheFilesOfAMessageRule(attach: String, message: String) async throws {
        let dir = try Self.workspace(
            rule: """
                  - id: agenda
                    kind: message
                    send: 6 weeks before at 09:00
                    template: agenda
                    attach: \(attach)

                """)
        for (name, size) in [("big.pdf", 5_000_001), ("half.pdf", 4_000_000), ("half2.pdf", 4_000_000)]
        where attach.contains(name) {
            try Data(count: size).write(to: dir.appendingPathComponent(name))
        }
        let result = try await CLI.run(["validate", "--config", "convene.yaml"], directory: dir)
        #expect(result.status == 78)
        #expect(result.stderr.contains("convene.yaml:"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
