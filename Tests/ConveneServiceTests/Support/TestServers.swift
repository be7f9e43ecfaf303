import ConveneTesting
import Foundation
import Glibc

extension TestEnvironment {
    /// smtp_server.py, next to this file.
    static let smtpServerScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("smtp_server.py").path
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
