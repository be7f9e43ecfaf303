import ConveneTesting
import Foundation

/// A running token_server.py: an OAuth 2.0 token endpoint over TLS (the test CA's certificate for 127.0.0.1) that
/// issues short-lived tokens for one client id, secret and scope, and records every token and request. Stopped when
/// the value goes away.
final class TestTokenServer {
    /// What the endpoint accepts and how it answers.
    struct Options: Sendable {
        var clientID = "00000000-1111-2222-3333-444444444444"
        var clientSecret = "Zq8~s3cr3t.Value_with+plus/slash=eq"
        var scope = "https://outlook.office365.com/.default"
        /// `expires_in` of every token, in seconds.
        var lifetime = 3
        /// Answer every request with this HTTP status (503: the endpoint is down).
        var status: Int? = nil
    }

    let port: Int
    let outdir: URL
    let options: Options
    private let process: ChildProcess
    private let logFile: URL
    private let ownsOutdir: Bool

    /// token_server.py beside this file.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("token_server.py").path

    /// Starts the endpoint on `port` (0: any free one), recording into `outdir` (nil: a new temporary folder, removed
    /// with the server). A given port and folder let a test replace a failing endpoint with a working one.
    init(_ options: Options = Options(), port: Int = 0, outdir: URL? = nil) async throws {
        self.options = options
        let python = try TestEnvironment.python()
        let certificates = try TestCertificates.get()
        ownsOutdir = outdir == nil
        self.outdir = try outdir ?? TestEnvironment.temporaryDirectory("tokens")
        logFile = self.outdir.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log")
        var arguments = [
            python, Self.script, "--port", String(port), "--outdir", self.outdir.path, "--cert",
            certificates.certificateFile,
            "--key", certificates.keyFile, "--client-id", options.clientID, "--client-secret", options.clientSecret,
            "--scope", options.scope, "--lifetime", String(options.lifetime),
        ]
        if let status = options.status { arguments += ["--status", String(status)] }
        process = try TestEnvironment.launch(arguments, captureStdout: true, stderrFile: logFile)
        let text = try await process.nextLine() ?? ""
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            await process.stop()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw TestSetupError("token_server.py did not start (stdout \(text.debugDescription)):\n\(log)")
        }
        self.port = port
    }

    deinit {
        process.stopBlocking()
        if ownsOutdir { try? FileManager.default.removeItem(at: outdir) }
    }

    /// The token URL, shaped like Entra ID's.
    var url: String { "https://127.0.0.1:\(port)/tenant-id/oauth2/v2.0/token" }

    /// The file smtp_server.py's `--xoauth2-tokens` reads.
    var tokensFile: String { outdir.appendingPathComponent("tokens.jsonl").path }

    /// Every token issued so far, in order.
    func tokens() -> [String] {
        lines("tokens.jsonl").compactMap { $0["token"] as? String }
    }

    /// When each token was issued and when it expires (Unix seconds), in order.
    func lifetimes() -> [(issued: Double, expires: Double)] {
        lines("tokens.jsonl").compactMap { record in
            guard let issued = record["issued_at"] as? Double, let expires = record["expires_at"] as? Double else {
                return nil
            }
            return (issued, expires)
        }
    }

    /// Every request so far (status, grant_type, client_id, scope, secret_ok), in order.
    func requests() -> [[String: Any]] { lines("requests.jsonl") }

    /// The server's own log, for failure messages.
    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    private func lines(_ name: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: outdir.appendingPathComponent(name).path) else {
            return []
        }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }
}
