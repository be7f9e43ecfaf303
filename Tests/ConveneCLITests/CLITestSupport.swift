import Foundation
import Testing

/// Runs the built `convene` binary the way an admin does, in real temp folders.
enum CLI {
    /// The package root, found by walking up from this file to Package.swift.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// `$CONVENE_BINARY`, else the debug build next to the tests.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONVENE_BINARY"] { return path }
        return root.appendingPathComponent(".build/debug/convene").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs convene with `arguments`, a clean environment plus `environment`, and returns everything it printed.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Result
    {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("convene is not built at \(binary): run 'swift build' (scripts/test does) first")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "TZ": "UTC"]
        env.merge(environment) { _, new in new }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes fully before waiting so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh temp folder holding a copy of the shipped example (rules file, holidays, roster, templates).
    static func exampleCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convene-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for item in ["convene.yaml", "holidays-england-and-wales.txt", "roster.csv", "templates"] {
            try FileManager.default.copyItem(
                at: root.appendingPathComponent("config/\(item)"), to: dir.appendingPathComponent(item))
        }
        return dir
    }
}
