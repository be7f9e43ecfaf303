import Foundation
import Glibc

/// Paths and tools the tests need, found the same way in every checkout.
public enum TestEnvironment {
    /// The package root: the nearest directory above this file that holds Package.swift.
    public static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The Python with aiosmtpd and icalendar: `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`. Throws
    /// (naming `scripts/setup`) when neither is executable: a missing validator must never look green.
    public static func python() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["CONVENE_PYTHON"], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw TestSetupError("CONVENE_PYTHON=\(configured) is not executable; run scripts/setup")
            }
            return configured
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: venv) else {
            throw TestSetupError("no Python at \(venv) and CONVENE_PYTHON is unset; run scripts/setup")
        }
        return venv
    }

    /// The built convene: `$CONVENE_BINARY` (e.g. the ThreadSanitizer build), else the debug build in the package.
    public static var conveneBinary: String {
        if let path = ProcessInfo.processInfo.environment["CONVENE_BINARY"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/convene").path
    }

    /// A fresh directory under the system temporary directory, named `convene-PREFIX-…`.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("convene-\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command to completion and returns its stdout; throws with its stderr when it fails. Blocks the calling
    /// thread: for one-time setup (certificates); tests use `ProcessRunner.run`, which does not.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Data {
        let result = try ProcessRunner.runBlocking(executable, arguments, directory: directory)
        guard result.status == 0 else {
            throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdoutData
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range (32768 and up), so no
    /// client socket of a parallel test can take it while a test restarts a server on it.
    public static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            if canBind(port: port) { return port }
        }
        throw TestSetupError("no free TCP port found in 20000..<32000")
    }

    private static func canBind(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in
            var reuse: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            return bind(fd, address, length) == 0
        }
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    public static func acceptsConnections(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in connect(fd, address, length) == 0 }
    }

    /// Calls `body` with a new TCP socket and the address 127.0.0.1:port; closes the socket after.
    private static func withLoopbackSocket(
        port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool
    ) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Waits (without blocking a cooperative thread) until the port accepts connections; throws when `process`
    /// exits first or `seconds` pass.
    public static func waitForPort(_ port: Int, while process: ChildProcess, seconds: Double = 10) async throws {
        let listening = await pollUntil(seconds: seconds, interval: 0.02) {
            acceptsConnections(port: port) || !process.isRunning
        }
        guard listening, process.isRunning || acceptsConnections(port: port) else {
            throw TestSetupError("nothing listens on 127.0.0.1:\(port)")
        }
    }

    /// Starts a server process under coreutils `timeout`, so a server outlives a crashed test run by at most two
    /// minutes.
    public static func launch(_ arguments: [String], captureStdout: Bool, stderrFile: URL) throws -> ChildProcess {
        try ChildProcess(
            ["/usr/bin/timeout", "-k", "2", "120"] + arguments, captureStdout: captureStdout,
            stderrPath: stderrFile.path)
    }
}
