import Foundation
import Glibc

/// Why a real test peer could not be started; tests fail with this message rather than pass.
struct TestSetupError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Paths and tools the transport tests need, found the same way in every checkout.
enum TestEnvironment {
    /// The package root: the nearest directory above this file that holds Package.swift.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The Python with aiosmtpd: `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`.
    static func python() throws -> String {
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

    /// smtp_server.py, next to this file.
    static let smtpServerScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("smtp_server.py").path

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("convene-\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command to completion and returns its stdout; throws with its stderr when it fails.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError(
                "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return data
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range
    /// (32768 and up), so no client socket of a parallel test can take it while a test restarts a
    /// server on it.
    static func freePort() throws -> Int {
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
    static func acceptsConnections(port: Int) -> Bool {
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

    /// Waits until the port accepts connections, or `process` exits, or `seconds` pass.
    static func waitForPort(_ port: Int, while process: ChildProcess, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !acceptsConnections(port: port) {
            guard Date() < deadline, process.isRunning else {
                throw TestSetupError("nothing listens on 127.0.0.1:\(port)")
            }
            usleep(20_000)
        }
    }

    /// Starts a server process under coreutils `timeout`, so a server outlives a crashed test run by
    /// at most two minutes.
    static func launch(_ arguments: [String], captureStdout: Bool, stderrFile: URL) throws -> ChildProcess {
        try ChildProcess(
            ["/usr/bin/timeout", "-k", "2", "120"] + arguments, captureStdout: captureStdout,
            stderrPath: stderrFile.path)
    }
}

/// A self-signed test CA and a server certificate for 127.0.0.1 and localhost, made once per test run
/// with the openssl command-line tool.
struct TestCertificates: Sendable {
    var directory: String
    var caFile: String
    var certificateFile: String
    var keyFile: String

    static let shared: Result<TestCertificates, TestSetupError> = {
        do {
            return .success(try make())
        } catch let error as TestSetupError {
            return .failure(error)
        } catch {
            return .failure(TestSetupError("making test certificates: \(error)"))
        }
    }()

    /// The shared certificates, or a thrown error saying why openssl failed.
    static func get() throws -> TestCertificates { try shared.get() }

    private static func make() throws -> TestCertificates {
        let directory = try TestEnvironment.temporaryDirectory("certs")
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let openssl else { throw TestSetupError("openssl not found; run scripts/setup") }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try TestEnvironment.run(
            openssl,
            ["req", "-x509"] + curve + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "3",
                "-subj", "/CN=convene test CA",
            ], in: directory)
        try TestEnvironment.run(
            openssl, ["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            in: directory)
        let extensions = """
            subjectAltName=IP:127.0.0.1,DNS:localhost
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """
        try extensions.write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try TestEnvironment.run(
            openssl,
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "3", "-extfile", "server.ext",
            ], in: directory)
        return TestCertificates(
            directory: directory.path, caFile: directory.appendingPathComponent("ca.pem").path,
            certificateFile: directory.appendingPathComponent("server.pem").path,
            keyFile: directory.appendingPathComponent("server.key").path)
    }
}
