import Foundation
import Glibc

/// One long-lived `validator.py` (Python's `email` package and `icalendar`) shared by every message and calendar
/// check of a test process, instead of one Python start per check.
///
/// The protocol (see validator.py): a request is `KIND SP COUNT LF` and COUNT items of `LENGTH LF` + bytes; the
/// answer is one line of JSON. Requests from parallel tests take turns under `lock`, each on a thread of its own so
/// a waiting test never holds a cooperative thread. If the validator dies, the request fails with its stderr and the
/// next one starts a fresh validator.
///
/// `@unchecked Sendable`: `process` is only read and written under `lock`, and the pipe is only used under it.
public final class PythonValidator: @unchecked Sendable {
    private let script: String
    private let lock = NSLock()
    private var process: ChildProcess?
    private var stderrPath: String?

    /// A validator that runs `script` (validator.py) with `TestEnvironment.python()` when first asked.
    public init(script: URL) {
        self.script = script.path
    }

    /// Sends one request (`kind`, `items`) and returns the validator's JSON answer line. Throws when the validator
    /// cannot start, dies, or answers `{"error": …}`.
    public func request(_ kind: String, _ items: [[UInt8]]) async throws -> Data {
        try await onOwnThread { try self.requestBlocking(kind, items) }
    }

    private func requestBlocking(_ kind: String, _ items: [[UInt8]]) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        let process = try running()
        var request = Array("\(kind) \(items.count)\n".utf8)
        for item in items { request += Array("\(item.count)\n".utf8) + item }
        guard writeAll(request, to: process.stdinFD), let line = process.readLineBlocking() else {
            let log = stderrPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            self.process = nil
            throw TestSetupError("validator.py stopped answering: \(log)")
        }
        let answer = Data(line.utf8)
        if let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any],
            let error = object["error"] as? String
        {
            throw TestSetupError("validator.py could not check the \(kind): \(error)")
        }
        return answer
    }

    /// The validator process, started if needed. Call with `lock` held.
    private func running() throws -> ChildProcess {
        if let process, process.isRunning { return process }
        // A validator that died must fail the request (write returns EPIPE), not end the test process.
        signal(SIGPIPE, SIG_IGN)
        let directory = try TestEnvironment.temporaryDirectory("validator")
        let log = directory.appendingPathComponent("validator.err").path
        // `timeout` bounds a validator left behind by a crashed test run.
        let started = try ChildProcess(
            ["/usr/bin/timeout", "-k", "2", "600", try TestEnvironment.python(), script], captureStdout: true,
            stderrPath: log, stdinPipe: true)
        process = started
        stderrPath = log
        return started
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
