import Foundation
import Glibc

/// A server process for tests, started with `posix_spawn` in its own process group.
///
/// Foundation's `Process` lets children inherit the test runner's blocked signals (SIGTERM among
/// them), so a child started that way cannot be stopped politely. Here the child gets an empty
/// signal mask and default handlers, and `stop()` signals the whole group (a `timeout` wrapper and
/// the server behind it) with SIGTERM, then SIGKILL if it lingers.
final class ChildProcess {
    let pid: pid_t
    private var exited = false
    /// The read end of the child's stdout when captured; -1 otherwise.
    private var stdoutFD: Int32 = -1

    /// Starts `arguments[0]` (an absolute path) with stdout captured (read it with `readLine`) or
    /// sent to /dev/null, and stderr appended to the file at `stderrPath`.
    init(_ arguments: [String], captureStdout: Bool, stderrPath: String) throws {
        (pid, stdoutFD) = try ChildProcess.spawn(
            arguments, environment: nil, captureStdout: captureStdout, stderrPath: stderrPath, ownProcessGroup: true)
    }

    /// Starts `arguments[0]` (an absolute path) with stdin from /dev/null, stdout captured or discarded, stderr
    /// appended to `stderrPath`, an empty signal mask and default handlers; returns its pid and the read end of its
    /// stdout (-1 when discarded). `environment` nil inherits the test runner's; otherwise it is the whole
    /// environment. Shared by the server helpers and `DaemonProcess`.
    static func spawn(
        _ arguments: [String], environment: [String: String]?, captureStdout: Bool, stderrPath: String,
        ownProcessGroup: Bool
    ) throws -> (pid: pid_t, stdout: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var ends: [Int32] = [-1, -1]
        if captureStdout {
            // O_CLOEXEC: children spawned by parallel tests must not inherit this pipe, or its reader
            // never sees end-of-file. dup2 onto fd 1 clears the flag for this child only.
            // (pipe2 is not visible from Swift; the window between pipe and fcntl is tiny.)
            guard pipe(&ends) == 0 else { throw TestSetupError("pipe: errno \(errno)") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        defer { if ends[1] >= 0 { close(ends[1]) } }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] =
            (environment?.map { strdup("\($0.key)=\($0.value)") } ?? []) + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result =
            environment == nil
            ? posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
            : posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard result == 0 else {
            if ends[0] >= 0 { close(ends[0]) }
            throw TestSetupError("posix_spawn \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return (pid, ends[0])
    }

    deinit {
        stop()
        if stdoutFD >= 0 { close(stdoutFD) }
    }

    /// The next line of the child's stdout without its newline; nil at end-of-file.
    func readLine() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(stdoutFD, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    /// Everything the child writes to stdout until it closes it.
    func readToEnd() -> String {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// Sends `signal` to the child's whole process group (a `timeout` wrapper and what it runs).
    func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(-pid, signal)
    }

    /// True while the process has not exited.
    var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped(status) }
        return !exited
    }

    /// The exit status once the process has exited (128 + the signal number when a signal ended it).
    private(set) var exitStatus: Int32?

    private func reaped(_ status: Int32) {
        exited = true
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Waits for the process to exit by itself and returns its status; after `seconds` it is stopped and
    /// nil is returned.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            guard Date() < deadline else {
                stop()
                return nil
            }
            usleep(5_000)
        }
        return exitStatus
    }

    /// SIGTERM to the process group, SIGKILL after `grace` seconds; waits until the process is gone.
    func stop(grace: Double = 3) {
        guard isRunning else { return }
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            reaped(status)
        }
    }
}
