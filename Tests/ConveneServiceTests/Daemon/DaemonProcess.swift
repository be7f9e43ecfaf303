import ConveneTesting
import Foundation
import Glibc

/// The built `convene` binary running as a daemon child of the test, started with `posix_spawn` so it gets an
/// empty signal mask and default handlers (Foundation's `Process` would pass on the test runner's blocked
/// SIGTERM/SIGHUP, and the daemon could then never be signalled). Unlike `ChildProcess` it takes an exact
/// environment, reports the exit status, and exposes the pid for signals and `/proc` readings.
///
/// A daemon never exits by itself, so it runs under `timeout -s KILL 120`: if the test runner dies without
/// cleaning up, the daemon still goes within two minutes. `timeout` exits with the daemon's own status, which
/// is what `waitForExit` reports; signals go straight to the daemon. A daemon still running when this object
/// goes away is killed.
///
/// Its waits are `async` and sleep with `Task.sleep` between checks, so a test waiting for its daemon leaves the
/// cooperative thread to the other tests.
final class DaemonProcess {
    /// The daemon's pid (the child of `timeout`).
    let pid: pid_t
    /// The `timeout` wrapper, our direct child, reaped for the exit status.
    private let wrapper: pid_t
    let stderrPath: String
    private var exitStatus: Int32?

    /// `$CONVENE_BINARY`, else the debug build in the package.
    static var binary: String { TestEnvironment.conveneBinary }

    /// Starts `convene arguments…` with only `environment` (plus PATH and HOME), stdout discarded and stderr
    /// written to `stderrPath`.
    init(_ arguments: [String], environment: [String: String], stderrPath: String) throws {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("convene is not built at \(binary): run 'swift build' first")
        }
        self.stderrPath = stderrPath
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        let pid = try ChildProcess.spawn(
            ["/usr/bin/timeout", "-s", "KILL", "120", binary] + arguments, environment: env, captureStdout: false,
            stderrPath: stderrPath, ownProcessGroup: false
        ).pid
        wrapper = pid
        // timeout forks the daemon at once; find it among the wrapper's children.
        let deadline = Date().addingTimeInterval(5)
        var daemon: pid_t?
        while daemon == nil && Date() < deadline {
            let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
            daemon = children?.split(separator: " ").first.flatMap { pid_t($0) }
            if daemon == nil { usleep(2_000) }
        }
        guard let daemon else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw TestSetupError("timeout did not start \(binary)")
        }
        self.pid = daemon
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            kill(wrapper, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(wrapper, &status, 0)
        }
    }

    func signal(_ number: Int32) { kill(pid, number) }

    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(wrapper, &status, WNOHANG) == wrapper else { return true }
        // Exit code, or 128 + signal number as a shell reports it.
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return false
    }

    /// Waits up to `seconds` for the process to exit; its status, or nil if it is still running. A sanitizer
    /// report in its log fails the test (see `ConveneBinary.recordSanitizerReports`).
    func waitForExit(seconds: Double) async -> Int32? {
        _ = await pollUntil(seconds: seconds) { !isRunning }
        if exitStatus != nil { ConveneBinary.recordSanitizerReports(in: stderr) }
        return exitStatus
    }

    /// Kills the process at once (a crash, or systemd's SIGKILL after its stop timeout) and reaps it.
    /// Never awaits: a SIGKILLed daemon is gone at once, and its `timeout` wrapper exits with it, so the blocking
    /// `waitpid` is brief (and `defer` blocks can call this).
    func kill9() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        if waitpid(wrapper, &status, 0) == wrapper {
            exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        ConveneBinary.recordSanitizerReports(in: stderr)
    }

    /// Everything the daemon logged so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`; false after `seconds`.
    func waitForLog(_ text: String, seconds: Double) async -> Bool {
        await pollUntil(seconds: seconds, interval: 0.02) { stderr.contains(text) }
    }

    /// User plus system CPU time so far, in clock ticks, from `/proc/PID/stat` (fields 14 and 15).
    func cpuTicks() -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may contain spaces), starting at field 3 (state).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
