import Glibc

/// The one place signals are handled: SIGHUP, SIGTERM and SIGINT become bytes on a self-pipe that the daemon's
/// `poll` waits on, so a signal wakes the loop without interrupting a send in progress.
///
/// A stop must also be bounded when the main thread is blocked inside a slow SMTP exchange (libcurl may wait up
/// to `response_timeout`, 10 minutes by default). So the first SIGTERM/SIGINT also arms `alarm(stopGrace)`; if
/// the loop has not returned by then, SIGALRM ends the process with status 0. That is safe because the journal's
/// `attempt` record for the message in flight is already on disk: the next start resends it with the same
/// Message-ID (at most one duplicate, never a loss).
public enum SignalPipe {
    /// The signal that arrived.
    public enum Event: Sendable { case reload, stop }

    /// Seconds a stop may take before the process exits anyway; below systemd's `TimeoutStopSec=` in the unit.
    public static let defaultStopGrace: UInt32 = 20

    /// The stop grace in force: `defaultStopGrace`, or `$CONVENE_STOP_GRACE` (whole seconds, 1 to 20) so tests need
    /// not wait 20 s to see it expire. Never longer than the default: the unit's `TimeoutStopSec=` is sized for it.
    /// Written only by install(), before any handler is installed; read by the C handler.
    public nonisolated(unsafe) private(set) static var stopGrace: UInt32 = defaultStopGrace

    static func stopGrace(environment value: String?) -> UInt32 {
        guard let value, let seconds = UInt32(value), (1...defaultStopGrace).contains(seconds) else {
            return defaultStopGrace
        }
        return seconds
    }

    // Written only by install(), before any handler is installed; read by the C handlers.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    /// The pipe's read end, for `poll`: readable (one byte per signal) when a stop or reload signal arrived.
    public nonisolated(unsafe) private(set) static var readEnd: Int32 = -1
    // Set by the first stop signal, so a second one does not push the deadline back.
    nonisolated(unsafe) private static var stopArmed: Int32 = 0

    /// Installs the handlers (once) and ignores SIGPIPE (a closed stderr or socket must not kill the daemon).
    /// Returns the descriptor to poll for readability, or -1 if no pipe could be made.
    @discardableResult
    public static func install() -> Int32 {
        if readEnd >= 0 { return readEnd }
        stopGrace = stopGrace(environment: getenv("CONVENE_STOP_GRACE").map { String(cString: $0) })
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGHUP, SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                // Async-signal-safe only: one write of one byte, and alarm(2).
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(SignalPipe.writeEnd, &byte, 1)
                if number != SIGHUP && SignalPipe.stopArmed == 0 {
                    SignalPipe.stopArmed = 1
                    alarm(SignalPipe.stopGrace)
                }
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        var expiry = sigaction()
        expiry.__sigaction_handler.sa_handler = { _ in
            // A StaticString: no allocation in a signal handler.
            let line: StaticString = """
                <4>stop grace expired during a send; the message in flight is resent with the same Message-ID \
                on the next start

                """
            _ = write(2, line.utf8Start, line.utf8CodeUnitCount)
            _exit(0)
        }
        sigemptyset(&expiry.sa_mask)
        sigaction(SIGALRM, &expiry, nil)
        return readEnd
    }

    /// Every signal waiting in the pipe, in arrival order (non-blocking).
    public static func drain() -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readEnd, &buffer, buffer.count)
            guard n > 0 else { break }
            for byte in buffer.prefix(n) {
                events.append(Int32(byte) == SIGHUP ? .reload : .stop)
            }
        }
        return events
    }

    /// True when a signal is waiting in the pipe (does not consume it).
    public static var hasPending: Bool {
        var fds = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return poll(&fds, 1, 0) > 0
    }
}
