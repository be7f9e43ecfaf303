import Foundation
import Glibc

/// Long-lived `validator.py` processes (Python's `email` package and `icalendar`) shared by the message and calendar
/// checks of a suite, instead of one Python start per check.
///
/// The protocol (see validator.py): a request is `KIND SP COUNT LF` and COUNT items of `LENGTH LF` + bytes; the
/// answer is one line of JSON. A request takes an idle validator, or starts another one while fewer than `width` are
/// running, or else waits for one to come free: the parallel cases of a suite check side by side instead of queueing
/// behind one Python (a second start costs about 0.15 s of CPU). Each request runs on a thread of its own so a
/// waiting test never holds a cooperative thread. If a validator dies, the request fails with its stderr and that
/// validator is replaced by a fresh one on the next request.
///
/// `@unchecked Sendable`: `idle` and `running` are only read and written with `condition` locked; a validator taken
/// from `idle` is used by one request at a time, outside the lock.
public final class PythonValidator: @unchecked Sendable {
    /// One validator process and the file its stderr goes to.
    private struct Worker {
        var process: ChildProcess
        var stderrPath: String
    }

    private let script: String
    /// How many validators may run at once (`$CONVENE_VALIDATORS`, else one per CPU).
    public let width: Int
    private let condition = NSCondition()
    private var idle: [Worker] = []
    private var running = 0

    /// Validators that run `script` (validator.py) with `TestEnvironment.python()`, started when first needed, at
    /// most `width` at once (default: `$CONVENE_VALIDATORS`, else one per CPU).
    public init(script: URL, width: Int? = nil) {
        self.script = script.path
        self.width = max(
            1,
            width ?? ProcessInfo.processInfo.environment["CONVENE_VALIDATORS"].flatMap { Int($0) }
                ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Sends one request (`kind`, `items`) and returns the validator's JSON answer line. Throws when the validator
    /// cannot start, dies, or answers `{"error": …}`.
    public func request(_ kind: String, _ items: [[UInt8]]) async throws -> Data {
        try await onOwnThread { try self.requestBlocking(kind, items) }
    }

    /// The script's file name, for failure messages.
    private var name: String { URL(fileURLWithPath: script).lastPathComponent }

    private func requestBlocking(_ kind: String, _ items: [[UInt8]]) throws -> Data {
        let worker = try take()
        var request = Array("\(kind) \(items.count)\n".utf8)
        for item in items { request += Array("\(item.count)\n".utf8) + item }
        guard writeAll(request, to: worker.process.stdinFD), let line = worker.process.readLineBlocking() else {
            let log = (try? String(contentsOfFile: worker.stderrPath, encoding: .utf8)) ?? ""
            give(back: nil)
            throw TestSetupError("\(name) stopped answering: \(log)")
        }
        give(back: worker)
        let answer = Data(line.utf8)
        if let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any],
            let error = object["error"] as? String
        {
            throw TestSetupError("\(name) could not check the \(kind): \(error)")
        }
        return answer
    }

    /// An idle running validator, else a new one if fewer than `width` run, else the next one given back.
    private func take() throws -> Worker {
        condition.lock()
        while true {
            while let worker = idle.popLast() {
                if worker.process.isRunning {
                    condition.unlock()
                    return worker
                }
                running -= 1
            }
            if running < width { break }
            condition.wait()
        }
        running += 1
        condition.unlock()
        do {
            return try start()
        } catch {
            give(back: nil)
            throw error
        }
    }

    /// Returns `worker` to the idle ones, or (nil) gives up its place after it died or could not start.
    private func give(back worker: Worker?) {
        condition.lock()
        if let worker { idle.append(worker) } else { running -= 1 }
        condition.signal()
        condition.unlock()
    }

    /// Starts one validator process.
    private func start() throws -> Worker {
        // A validator that died must fail the request (write returns EPIPE), not end the test process.
        signal(SIGPIPE, SIG_IGN)
        let directory = try TestEnvironment.temporaryDirectory("validator")
        let log = directory.appendingPathComponent("validator.err").path
        // `timeout` bounds a validator left behind by a crashed test run.
        let started = try ChildProcess(
            ["/usr/bin/timeout", "-k", "2", "600", try TestEnvironment.python(), script], captureStdout: true,
            stderrPath: log, stdinPipe: true)
        return Worker(process: started, stderrPath: log)
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
