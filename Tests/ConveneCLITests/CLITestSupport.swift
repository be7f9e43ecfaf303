import ConveneTesting
import Foundation
import Testing

/// Runs the built `convene` binary the way an admin does, in real temp folders.
enum CLI {
    /// The package root (the nearest ancestor holding Package.swift).
    static var root: URL { TestEnvironment.packageRoot }

    /// `$CONVENE_BINARY`, else the debug build next to the tests.
    static var binary: String { TestEnvironment.conveneBinary }

    /// What one run printed and how it ended.
    typealias Result = ProcessRunner.Result

    /// Runs convene with `arguments`, a clean environment plus `environment`, and returns everything it printed. The
    /// run happens on a thread of its own, so the awaiting test leaves its cooperative thread to the others.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) async throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("convene is not built at \(binary): run 'swift build' (scripts/test does) first")
            return Result(status: -1, stdoutData: Data(), stderr: "")
        }
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "TZ": "UTC"]
        env.merge(environment) { _, new in new }
        return try await ProcessRunner.run(binary, arguments, environment: env, directory: directory)
    }

    /// A fresh temp folder holding a copy of the shipped example (rules file, holidays, roster, people, templates,
    /// papers).
    static func exampleCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for item in [
            "convene.yaml", "holidays-england-and-wales.txt", "roster.csv", "people.csv", "templates", "papers",
        ] {
            try FileManager.default.copyItem(
                at: root.appendingPathComponent("config/\(item)"), to: dir.appendingPathComponent(item))
        }
        return dir
    }
}
