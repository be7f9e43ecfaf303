import ConveneTesting
import Foundation
import Glibc

/// The test's side of sd_notify: an `AF_UNIX` datagram socket bound to a file path or to an abstract name, as
/// systemd's own `$NOTIFY_SOCKET` is. Every datagram received is kept, in order.
final class NotifySocket {
    /// The value for `NOTIFY_SOCKET` (`@name` for an abstract socket).
    let address: String
    private let fd: Int32
    private let directory: URL?
    private(set) var received: [String] = []

    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: errno \(errno)") }
        var name: [UInt8]
        if abstract {
            address = "@convene-test-\(UUID().uuidString.prefix(12))"
            name = [0] + Array(address.utf8.dropFirst())
            directory = nil
        } else {
            // sun_path holds 108 bytes: keep the path short.
            let dir = URL(fileURLWithPath: "/tmp/convene-notify-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            address = dir.appendingPathComponent("notify").path
            name = Array(address.utf8)
        }
        var sockaddr = sockaddr_un()
        sockaddr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sockaddr.sun_path) { buffer in
            for (i, byte) in name.enumerated() { buffer[i] = byte }
        }
        // Abstract names are exactly `name.count` bytes long; a path needs its terminating NUL counted.
        let length = socklen_t(
            MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + name.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &sockaddr) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestSetupError("bind \(address): errno \(errno)")
        }
    }

    deinit {
        close(fd)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The next datagram within `seconds`, or nil. Checks without blocking and sleeps with `Task.sleep` between
    /// checks, so the waiting test leaves its cooperative thread to others.
    func receive(seconds: Double) async -> String? {
        var datagram: String?
        _ = await pollUntil(seconds: seconds) {
            datagram = receiveNow()
            return datagram != nil
        }
        return datagram
    }

    /// A datagram already queued, or nil at once.
    private func receiveNow() -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer.prefix(n), as: UTF8.self)
        received.append(text)
        return text
    }

    /// Receives until a datagram contains `field` (e.g. `READY=1`); that datagram, or nil after `seconds`.
    func waitFor(_ field: String, seconds: Double) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let datagram = await receive(seconds: deadline.timeIntervalSinceNow),
                Self.lines(datagram).contains(field)
            {
                return datagram
            }
        }
        return nil
    }

    /// Receives until a datagram contains `first`, then until one contains `second` (each within `seconds`); that
    /// second datagram, or nil.
    func waitFor(_ first: String, then second: String, seconds: Double) async -> String? {
        guard await waitFor(first, seconds: seconds) != nil else { return nil }
        return await waitFor(second, seconds: seconds)
    }

    /// Receives until a datagram has a line starting with `prefix` (e.g. `STATUS=next: `); that datagram, or nil.
    func waitFor(lineStartingWith prefix: String, seconds: Double) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let datagram = await receive(seconds: deadline.timeIntervalSinceNow),
                Self.lines(datagram).contains(where: { $0.hasPrefix(prefix) })
            {
                return datagram
            }
        }
        return nil
    }

    /// Everything still queued, waiting at most `seconds` for each next datagram.
    func drain(seconds: Double = 0.2) async {
        while await receive(seconds: seconds) != nil {}
    }

    /// The state changes received so far (READY=1, RELOADING=1, STOPPING=1), in order; WATCHDOG=1 and STATUS=
    /// are left out.
    var stateChanges: [String] {
        received.flatMap(Self.lines).filter { ["READY=1", "RELOADING=1", "STOPPING=1"].contains($0) }
    }

    /// How many datagrams were watchdog pings.
    var watchdogPings: Int { received.filter { Self.lines($0).contains("WATCHDOG=1") }.count }

    /// The STATUS= texts received so far.
    var statuses: [String] {
        received.flatMap(Self.lines).filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) }
    }

    static func lines(_ datagram: String) -> [String] {
        datagram.split(separator: "\n").map(String.init)
    }
}
