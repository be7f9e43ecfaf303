import ConveneCore
import ConveneTesting
import Foundation
import Glibc
import Testing

/// `convene send-test` exits 69 (service unavailable) when no SMTP server answers at all, as its help says: a name
/// that does not resolve, a refused connection, a server that accepts the connection and never speaks. Those need
/// the settings or the server looked at; 75 (try again later) is for a server that answered 4xx.
@Suite(.ownThread)
struct SendTestUnreachableTests {
    /// A TCP port on 127.0.0.1 that accepts connections (the kernel completes them from the listen backlog) and
    /// never sends a byte: a server that hangs before its greeting.
    final class SilentListener {
        let port: Int
        private let fd: Int32

        init() throws {
            port = try TestEnvironment.freePort()
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSetupError("socket: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(fd, 8) == 0 else {
                close(fd)
                throw TestSetupError("cannot listen on 127.0.0.1:\(port): errno \(errno)")
            }
        }

        deinit { close(fd) }
    }

    enum Peer: String, CaseIterable, Sendable {
        case unresolvableName = "a host name that does not resolve (smtp.invalid)"
        case refusedConnection = "a closed loopback port"
        case silentServer = "a loopback port that accepts and never answers"
    }

    @Test(arguments: Peer.allCases)
    func exits69WhenNoServerAnswers(_ peer: Peer) async throws {
        var listener: SilentListener?
        let smtp: DeliveryFixture.SMTP
        switch peer {
        case .unresolvableName:
            // tls: none is only allowed to loopback; the name fails to resolve before TLS matters.
            smtp = .init(url: "smtp://smtp.invalid:587", tls: "starttls")
        case .refusedConnection:
            smtp = .init(url: "smtp://127.0.0.1:\(try TestEnvironment.freePort())")
        case .silentServer:
            listener = try SilentListener()
            smtp = .init(url: "smtp://127.0.0.1:\(listener!.port)", responseTimeout: 1)
        }
        let fixture = try DeliveryFixture(smtp: smtp)
        let started = Date()
        let result = try await fixture.convene("send-test", ["--to", "ada@example.test"], seconds: 30)
        #expect(result.status == 69, "\(peer.rawValue): \(result)")
        #expect(result.stderr.contains("convene send-test: cannot reach \(smtp.url): "), "\(result)")
        // Within the configured timeouts (5 s to connect, 1 s for a reply), not libcurl's defaults of minutes.
        #expect(Date().timeIntervalSince(started) < 20, "\(peer.rawValue)")
        withExtendedLifetime(listener) {}
    }
}
