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
        let dumpDirectory = try TestEnvironment.temporaryDirectory("sink")
        self.dumpDirectory = dumpDirectory
        // smtp-sink drops to `nobody` when started as root, and must still write its dumps.
        chmod(dumpDirectory.path, 0o777)
        let logFile = URL(fileURLWithPath: dumpDirectory.path + ".log")
        // A free port can be taken by another test's server before smtp-sink binds it: with a port of its own
        // choosing, the sink starts again on another (three tries).
        var attempt = 0
        while true {
            attempt += 1
            let chosen = try port ?? TestEnvironment.freePort()
            var arguments = [executable]
            if getuid() == 0 { arguments += ["-u", "nobody"] }
            // -d: one file per message; smtp-sink appends a random suffix to the strftime-expanded name.
            arguments += ["-d", dumpDirectory.path + "/%H%M%S."] + flags + ["127.0.0.1:\(chosen)", "64"]
            let process = try TestEnvironment.launch(arguments, captureStdout: false, stderrFile: logFile)
            do {
                try await TestEnvironment.waitForPort(chosen, while: process)
                (self.port, self.process) = (chosen, process)
                return
            } catch {
                await process.stop()
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                guard port == nil, attempt < 3, log.contains("Address already in use") else {
                    try? FileManager.default.removeItem(at: dumpDirectory)
                    try? FileManager.default.removeItem(at: logFile)
                    throw TestSetupError(
                        "smtp-sink \(flags.joined(separator: " ")) did not start on port \(chosen): \(log)")
                }
                try? FileManager.default.removeItem(at: logFile)
            }
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
