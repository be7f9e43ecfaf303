import Foundation
import Glibc

/// A process for tests (a server, the built binary, the validator), started with `posix_spawn`.
///
/// Foundation's `Process` lets children inherit the test runner's blocked signals (SIGTERM among them), so a child
/// started that way cannot be stopped politely. Here the child gets an empty signal mask and default handlers, and
/// `stop()` signals the whole group (a `timeout` wrapper and the server behind it) with SIGTERM, then SIGKILL if it
/// lingers. Waits come in two kinds: `async` ones that sleep with `Task.sleep` or block a thread of their own (for
/// tests), and `…Blocking` ones for code already on its own thread.
///
/// `@unchecked Sendable`: the pid and descriptors are immutable after `init`; the reaped state (`exited`,
/// `exitStatus`) is only read and written under `lock`, so tasks and threads may share one instance.
public final class ChildProcess: @unchecked Sendable {
    /// The child's pid (with `ownProcessGroup`, also its process group's id).
    public let pid: pid_t
    /// The read end of the child's stdout when captured; -1 otherwise.
    private let stdoutFD: Int32
    /// The write end of the child's stdin when it is a pipe; -1 otherwise.
    public let stdinFD: Int32
    private let signalsGroup: Bool
    private let lock = NSLock()
    private var exited = false
    private var status: Int32?

    /// Starts `arguments[0]` (an absolute path) in its own process group, stdout captured (read it with `nextLine`)
    /// or sent to /dev/null, stderr appended to the file at `stderrPath`; `stdinPipe` gives it a stdin to write to
    /// (`stdinFD`) instead of /dev/null. `environment` nil inherits the test runner's; otherwise it is the whole
    /// environment.
    public init(
        _ arguments: [String], captureStdout: Bool, stderrPath: String, stdinPipe: Bool = false,
        environment: [String: String]? = nil, ownProcessGroup: Bool = true
    ) throws {
        let spawned = try ChildProcess.spawn(
            arguments, environment: environment, captureStdout: captureStdout, stdinPipe: stdinPipe,
            stderrPath: stderrPath, ownProcessGroup: ownProcessGroup)
        (pid, stdinFD, stdoutFD) = (spawned.pid, spawned.stdin, spawned.stdout)
        signalsGroup = ownProcessGroup
    }

    /// Starts `arguments[0]` (an absolute path) with stdin from /dev/null (or a pipe), stdout captured or
    /// discarded, stderr appended to `stderrPath`, an empty signal mask and default handlers; returns its pid, the
    /// write end of its stdin and the read end of its stdout (-1 when not piped).
    public static func spawn(
        _ arguments: [String], environment: [String: String]?, captureStdout: Bool, stdinPipe: Bool = false,
        stderrPath: String, ownProcessGroup: Bool
    ) throws -> (pid: pid_t, stdin: Int32, stdout: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // O_CLOEXEC on every pipe end: children spawned by parallel tests must not inherit them, or a reader never
        // sees end-of-file. dup2 onto fd 0/1 clears the flag for this child only. (pipe2 is not visible from Swift;
        // the window between pipe and fcntl is tiny.)
        func makePipe() throws -> [Int32] {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw TestSetupError("pipe: errno \(errno)") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            return ends
        }
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        if stdinPipe {
            input = try makePipe()
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if captureStdout {
            output = try makePipe()
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        // The child's ends, closed here once it has its copies.
        defer {
            if input[0] >= 0 { close(input[0]) }
            if output[1] >= 0 { close(output[1]) }
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        // Nothing but 0, 1 and 2 reaches the child: a pipe end another test opened without O_CLOEXEC (Foundation's
        // `Pipe`) would otherwise live on in a long-lived child (the validator, a server) and that test's reader
        // would wait for end-of-file until the child exits.
        // (glibc 2.34 and later; its header hides it from Swift, so it is looked up by name.)
        guard let closeFrom = Self.addCloseFrom else {
            throw TestSetupError("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later needed)")
        }
        _ = closeFrom(&actions, 3)

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
            if input[1] >= 0 { close(input[1]) }
            if output[0] >= 0 { close(output[0]) }
            throw TestSetupError("posix_spawn \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return (pid, input[1], output[0])
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, found at run time.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    deinit {
        stopBlocking()
        if stdoutFD >= 0 { close(stdoutFD) }
        if stdinFD >= 0 { close(stdinFD) }
    }

    /// The next line of the child's stdout without its newline; nil at end-of-file. Blocks the calling thread:
    /// tests use `nextLine()`.
    public func readLineBlocking() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(stdoutFD, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }

    /// The next line of the child's stdout without its newline (nil at end-of-file), read on a thread of its own.
    public func nextLine() async throws -> String? {
        try await onOwnThread { self.readLineBlocking() }
    }

    /// Every byte the child writes to stdout until it closes it. Blocks the calling thread.
    public func readAllBlocking() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(stdoutFD, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Everything the child writes to stdout until it closes it, as lines joined by newlines (without the last
    /// one). Blocks the calling thread.
    public func readToEndBlocking() -> String {
        var lines: [String] = []
        while let line = readLineBlocking() { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// Sends `signal` to the child (its whole process group when it has its own: a `timeout` wrapper and what it
    /// runs).
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(signalsGroup ? -pid : pid, signal)
    }

    /// True while the process has not exited (reaps it when it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !exited else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { reaped(raw) }
        return !exited
    }

    /// The exit status once the process has exited (128 + the signal number when a signal ended it).
    public var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return status
    }

    /// Call with `lock` held.
    private func reaped(_ raw: Int32) {
        exited = true
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Waits for the process to exit by itself and returns its status; after `seconds` it is stopped and nil is
    /// returned. Sleeps with `Task.sleep` between checks.
    public func waitForExit(seconds: Double) async -> Int32? {
        if await pollUntil(seconds: seconds, interval: 0.005, { !isRunning }) { return exitStatus }
        await stop()
        return nil
    }

    /// `waitForExit(seconds:)` for code on a thread of its own.
    public func waitForExitBlocking(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            guard Date() < deadline else {
                stopBlocking()
                return nil
            }
            usleep(5_000)
        }
        return exitStatus
    }

    /// SIGTERM (to the process group), SIGKILL after `grace` seconds; returns once the process is gone.
    public func stop(grace: Double = 3) async {
        guard isRunning else { return }
        signal(SIGTERM)
        if await pollUntil(seconds: grace, { !isRunning }) { return }
        killAndReap()
    }

    /// `stop(grace:)` for code that cannot await (`deinit`).
    public func stopBlocking(grace: Double = 3) {
        guard isRunning else { return }
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning { killAndReap() }
    }

    private func killAndReap() {
        kill(signalsGroup ? -pid : pid, SIGKILL)
        lock.lock()
        defer { lock.unlock() }
        guard !exited else { return }
        var raw: Int32 = 0
        _ = waitpid(pid, &raw, 0)
        reaped(raw)
    }
}
