import ConveneTesting
import Foundation
import Testing

/// One identity per delivery: the Message-ID `plan --json` lists is the one `preview` renders and the one
/// `run --dry-run` puts on the message it writes to the outbox.
@Suite(.ownThread)
struct MessageIdentityCLITests {
    static let now = "2026-12-01 09:00"

    /// The Message-ID header of a rendered message (headers unfolded), without its angle brackets.
    static func messageIDHeader(_ message: String) -> String? {
        let headers = message.components(separatedBy: "\r\n\r\n").first ?? ""
        let unfolded = headers.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(
            of: "\r\n\t", with: " ")
        for line in unfolded.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("message-id:") {
            let value = line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
            guard value.hasPrefix("<"), value.hasSuffix(">") else { return nil }
            return String(value.dropFirst().dropLast())
        }
        return nil
    }

    @Test func planPreviewAndRunGiveADeliveryTheSameMessageID() async throws {
        let dir = try CLI.exampleCopy()
        let config = dir.appendingPathComponent("convene.yaml").path
        let outbox = dir.appendingPathComponent("outbox").path
        let plan = try await CLI.run([
            "plan", "--config", config, "--state", "/nonexistent-state", "--now", Self.now, "--to", "2026-12-31",
            "--json",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let actions = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
        let sent = actions.filter { $0["kind"] as? String != "skip" }
        #expect(!sent.isEmpty)
        let planned = Set(sent.compactMap { $0["message_id"] as? String })
        #expect(planned.count == sent.count, "every planned delivery has a Message-ID of its own")

        // preview renders the same Message-ID, for a delivery with a delegate copied and for one without.
        let withDelegate = try #require(sent.first { ($0["cc"] as? [String])?.isEmpty == false })
        let without = try #require(sent.first { ($0["cc"] as? [String])?.isEmpty != false })
        for action in [withDelegate, without] {
            let preview = try await CLI.run([
                "preview", "--config", config, "--state", "/nonexistent-state", "--now", Self.now, "--event",
                try #require(action["event"] as? String), "--occurrence", try #require(action["occurrence"] as? String),
                "--notification", try #require(action["notification"] as? String), "--to",
                try #require(action["recipient"] as? String),
            ])
            #expect(preview.status == 0, "\(preview.stderr)")
            #expect(Self.messageIDHeader(preview.stdout) == action["message_id"] as? String)
        }

        // run --dry-run writes each message to the outbox with the same Message-ID, and none other.
        let run = try await CLI.run([
            "run", "--config", config, "--dry-run", outbox, "--now", Self.now, "--until", "2026-12-31 23:59",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }
        let written = try Set(
            files.map { file in
                let text = try String(contentsOfFile: outbox + "/" + file, encoding: .utf8)
                return try #require(Self.messageIDHeader(text), "\(file) has a Message-ID")
            })
        #expect(written.count == files.count)
        #expect(written == planned)
    }
}
