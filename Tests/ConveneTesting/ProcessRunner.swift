import Foundation

/// Runs a program to completion and collects what it printed: the built `convene` for the CLI tests, openssl, a
/// Python one-off.
public enum ProcessRunner {
    /// What one run printed and how it ended.
    public struct Result: Sendable, CustomStringConvertible {
        /// The exit status (the signal number when a signal ended it, as Foundation reports it).
        public var status: Int32
        /// Everything written to stdout, as bytes.
        public var stdoutData: Data
        /// Everything written to stderr, decoded as UTF-8.
        public var stderr: String
        /// Everything written to stdout, decoded as UTF-8.
        public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
        /// The status and both outputs, for a failing test's message.
        public var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }

        /// A result with these parts.
        public init(status: Int32, stdoutData: Data, stderr: String) {
            self.status = status
            self.stdoutData = stdoutData
            self.stderr = stderr
        }
    }

    /// Runs `executable arguments…` on a thread of its own (so the awaiting test leaves its cooperative thread to
    /// others) and returns its status and output. `environment` nil inherits the test runner's; otherwise it is the
    /// whole environment. `input` is written to its stdin (nil: stdin is empty).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: Data? = nil
    ) async throws -> Result {
        try await onOwnThread {
            try runBlocking(executable, arguments, environment: environment, directory: directory, input: input)
        }
    }

    /// `run` on the calling thread (which it blocks until the program ends).
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input, !input.isEmpty {
            // A writer thread, so a large input and a large output cannot block each other.
            let writer = Thread {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
            writer.start()
        } else {
            try? stdin.fileHandleForWriting.close()
        }
        // stderr on a thread of its own and stdout here, both fully before waiting, so neither pipe can fill and
        // block the child.
        let errorBox = DataBox()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            errorBox.set(errors.fileHandleForReading.readDataToEndOfFile())
            done.signal()
        }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdoutData: data,
            stderr: String(decoding: errorBox.get(), as: UTF8.self))
    }
}

/// Bytes handed from a reader thread to the thread that waits for it.
private final class DataBox: @unchecked Sendable {
    // @unchecked Sendable: `data` is only touched under `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }
    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
