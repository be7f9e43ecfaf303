import ConveneTesting
import Foundation
import Glibc
import Testing

/// Runs the built `convene` binary for the delivery tests that need this target's real servers.
///
/// The CLI tests have their own runner (ConveneCLITests/CLITestSupport.swift); these tests live here instead
/// because they need aiosmtpd, smtp-sink and the test CA from this target's Support folder. Both find the binary
/// through ConveneTesting (`$CONVENE_BINARY`, else the debug build) and run it without blocking the cooperative
/// threads.
enum ConveneBinary {
    /// `$CONVENE_BINARY`, else the debug build in the package.
    static var path: String { TestEnvironment.conveneBinary }

    /// What one run printed and how it ended.
    typealias Result = ProcessRunner.Result

    /// Starts convene under coreutils `timeout` (so it cannot outlive a crashed test run by long), stdout
    /// captured, stderr into `stderrFile`. `wrapper` (e.g. a shell setting a resource limit, ending in a
    /// command that runs its arguments) goes between `timeout` and convene.
    static func start(_ arguments: [String], stderrFile: URL, seconds: Int = 120, wrapper: [String] = []) throws
        -> ChildProcess
    {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError("convene is not built at \(path): run 'swift build --build-tests' first")
        }
        return try ChildProcess(
            ["/usr/bin/timeout", "-k", "2", String(seconds)] + wrapper + [path] + arguments, captureStdout: true,
            stderrPath: stderrFile.path)
    }

    /// Runs convene to completion (at most `seconds`, on a thread of its own) and returns its status and output.
    static func run(_ arguments: [String], seconds: Int = 90, wrapper: [String] = []) async throws -> Result {
        let stderrFile = try TestEnvironment.temporaryDirectory("stderr").appendingPathComponent("convene.err")
        defer { try? FileManager.default.removeItem(at: stderrFile.deletingLastPathComponent()) }
        let process = try start(arguments, stderrFile: stderrFile, seconds: seconds, wrapper: wrapper)
        let (stdout, status) = try await onOwnThread {
            let stdout = process.readToEndBlocking()
            return (stdout, process.waitForExitBlocking(seconds: Double(seconds) + 5) ?? -1)
        }
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        recordSanitizerReports(in: stderr)
        return Result(status: status, stdoutData: Data(stdout.utf8), stderr: stderr)
    }

    /// A sanitizer build of convene (`scripts/test`'s ThreadSanitizer pass) prints its findings to stderr and goes
    /// on; it changes the exit status only at the end. Every report fails the test that ran the binary, with the
    /// report itself, whatever status that test expects.
    static func recordSanitizerReports(in stderr: String) {
        let reported = stderr.contains("WARNING: ThreadSanitizer:") || stderr.contains("ERROR: AddressSanitizer:")
        guard reported else { return }
        Issue.record("the sanitizer found a problem in convene:\n\(stderr)")
    }
}
