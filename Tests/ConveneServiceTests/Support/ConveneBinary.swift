import Foundation
import Glibc
import Testing

/// Runs the built `convene` binary for the delivery tests that need this target's real servers.
///
/// The CLI tests have their own runner (ConveneCLITests/CLITestSupport.swift); these tests live here instead
/// because they need aiosmtpd, smtp-sink and the test CA from this target's Support folder, and test targets
/// cannot import each other. The binary is found the same way: `$CONVENE_BINARY`, else the debug build.
enum ConveneBinary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["CONVENE_BINARY"], !path.isEmpty { return path }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/debug/convene").path
    }

    /// What one run printed and how it ended.
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

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

    /// Runs convene to completion (at most `seconds`) and returns its status and output.
    static func run(_ arguments: [String], seconds: Int = 90, wrapper: [String] = []) throws -> Result {
        let stderrFile = try TestEnvironment.temporaryDirectory("stderr").appendingPathComponent("convene.err")
        defer { try? FileManager.default.removeItem(at: stderrFile.deletingLastPathComponent()) }
        let process = try start(arguments, stderrFile: stderrFile, seconds: seconds, wrapper: wrapper)
        let stdout = process.readToEnd()
        let status = process.waitForExit(seconds: Double(seconds) + 5) ?? -1
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        recordSanitizerReports(in: stderr)
        return Result(status: status, stdout: stdout, stderr: stderr)
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
