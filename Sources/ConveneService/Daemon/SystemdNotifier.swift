import Foundation
import Glibc

/// Speaks systemd's sd_notify datagram protocol without libsystemd: one `AF_UNIX`/`SOCK_DGRAM` datagram of
/// `KEY=VALUE` lines to `$NOTIFY_SOCKET` (a leading `@` is an abstract socket). Does nothing when it is unset.
public struct SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET`, or nil when convene is not run by systemd with `Type=notify`.
    public let socketPath: String?
    /// Half of `$WATCHDOG_USEC` when the watchdog is for this process, else nil.
    public let watchdogInterval: TimeInterval?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        // No socket, no watchdog: pings would go nowhere, and waking for them would be wasted CPU.
        if path != nil, let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true
        {
            watchdogInterval = usec / 2 / 1_000_000
        } else {
            watchdogInterval = nil
        }
    }

    /// True when there is a socket to notify.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends one datagram; failures are returned, not thrown, since systemd being away must not stop mail.
    @discardableResult
    public func send(_ fields: [String]) -> Bool {
        guard let path = socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace: leading NUL, no terminator
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, b) in bytes.enumerated() { buffer[i] = b }
        }
        // The length must cover exactly the name for abstract sockets, or the kernel looks up a different name.
        let length = socklen_t(
            MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (bytes.first == 0 ? 0 : 1))
        let message = Array((fields.joined(separator: "\n") + "\n").utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
        return sent == message.count
    }

    /// Tells systemd start-up is complete (`READY=1`), with the first status line.
    public func ready(status: String) { send(["READY=1", "STATUS=\(status)"]) }
    /// Tells systemd a reload has begun (`RELOADING=1` with the monotonic time `Type=notify-reload` wants).
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        send(["RELOADING=1", "MONOTONIC_USEC=\(Int(ts.tv_sec) * 1_000_000 + Int(ts.tv_nsec) / 1000)"])
    }
    /// Tells systemd the daemon is stopping (`STOPPING=1`).
    public func stopping() { send(["STOPPING=1"]) }
    /// Pings the watchdog (`WATCHDOG=1`).
    public func watchdog() { send(["WATCHDOG=1"]) }
    /// Sets the status line `systemctl status` shows.
    public func status(_ text: String) { send(["STATUS=\(text)"]) }
}
