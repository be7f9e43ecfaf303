import Glibc

/// The one place signals are handled: SIGHUP, SIGTERM and SIGINT become bytes on a self-pipe that the daemon's
/// `poll` waits on, so a signal wakes the loop without interrupting a send in progress.
public enum SignalPipe {
    /// The signal that arrived.
    public enum Event: Sendable { case reload, stop }

    // Written only once, by install() before any signal can arrive; read by the C handler.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    public nonisolated(unsafe) private(set) static var readEnd: Int32 = -1

    /// Installs the handlers (once). Returns the descriptor to poll for readability.
    @discardableResult
    public static func install() -> Int32 {
        if readEnd >= 0 { return readEnd }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
        for signal in [SIGHUP, SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                // Async-signal-safe: one write of one byte.
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(SignalPipe.writeEnd, &byte, 1)
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
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
}
