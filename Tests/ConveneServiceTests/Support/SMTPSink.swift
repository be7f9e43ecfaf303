import ConveneTesting
import Foundation
import Glibc

/// A running Postfix `smtp-sink` on 127.0.0.1 with fault flags (`-r MAIL`, `-Q .`, `-W DATA:3`…),
/// dumping every message it accepts into a directory. Plain SMTP only (no STARTTLS).
final class SMTPSink {
    let port: Int
    let dumpDirectory: URL
    private let process: ChildProcess

    /// Starts smtp-sink with `flags` on `port` (a fresh free port when nil) and waits until it listens.
    init(flags: [String] = [], port: Int? = nil) async throws {
        let executable = "/usr/sbin/smtp-sink"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSetupError("\(executable) is missing; run scripts/setup (Debian package postfix)")
        }
        self.port = try port ?? TestEnvironment.freePort()
        dumpDirectory = try TestEnvironment.temporaryDirectory("sink")
        // smtp-sink drops to `nobody` when started as root, and must still write its dumps.
        chmod(dumpDirectory.path, 0o777)
        var arguments = [executable]
        if getuid() == 0 { arguments += ["-u", "nobody"] }
        // -d: one file per message; smtp-sink appends a random suffix to the strftime-expanded name.
        arguments += ["-d", dumpDirectory.path + "/%H%M%S."] + flags + ["127.0.0.1:\(self.port)", "64"]
        process = try TestEnvironment.launch(
            arguments, captureStdout: false, stderrFile: URL(fileURLWithPath: dumpDirectory.path + ".log"))
        do {
            try await TestEnvironment.waitForPort(self.port, while: process)
        } catch {
            await process.stop()
            let log = (try? String(contentsOfFile: dumpDirectory.path + ".log", encoding: .utf8)) ?? ""
            throw TestSetupError("smtp-sink \(flags.joined(separator: " ")) did not start on port \(self.port): \(log)")
        }
    }

    deinit {
        process.stopBlocking()
        try? FileManager.default.removeItem(at: dumpDirectory)
        try? FileManager.default.removeItem(atPath: dumpDirectory.path + ".log")
    }

    /// Stops the sink (SIGTERM) and waits for it; the port is free afterwards.
    func stop() async {
        await process.stop()
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The dumped messages (smtp-sink's X-* headers, then the message as received).
    func dumps() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dumpDirectory.path)) ?? []
        return names.sorted().compactMap {
            try? String(contentsOf: dumpDirectory.appendingPathComponent($0), encoding: .utf8)
        }
    }
}
