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
    /// whole environment. `directory` is its working directory (nil: the test runner's).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil
    ) async throws -> Result {
        try await onOwnThread {
            try runBlocking(executable, arguments, environment: environment, directory: directory)
        }
    }

    /// `run` on the calling thread (which it blocks until the program ends). The program is started by
    /// `ChildProcess.spawn` (empty stdin, an empty signal mask, no descriptor but 0, 1 and 2 inherited); stdout comes
    /// through a pipe and stderr through a temporary file, so neither can fill up and block it.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil
    ) throws -> Result {
        let scratch = try TestEnvironment.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stderrPath = scratch.appendingPathComponent("stderr").path
        // coreutils `env -C` changes directory just before the program starts (posix_spawn cannot, portably).
        let command = directory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let process = try ChildProcess(
            command + arguments, captureStdout: true, stderrPath: stderrPath, environment: environment,
            ownProcessGroup: false)
        let stdout = process.readAllBlocking()
        let status = process.waitForExitBlocking(seconds: .infinity) ?? -1
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return Result(status: status, stdoutData: stdout, stderr: stderr)
    }
}
