import Foundation
import Testing

/// Runs the Python validators next to this file (`check_message.py`, `check_ical.py`) with the
/// project's venv and decodes their JSON findings.
///
/// The interpreter is `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`. When neither exists
/// the test fails with a message naming `scripts/setup`: a missing validator must never look green.
enum PythonChecker {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The folder holding the checker scripts (this file's folder).
    static let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The nearest ancestor of this file that contains Package.swift.
    static var packageRoot: URL {
        var directory = supportDirectory
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return supportDirectory
    }

    static func python() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["CONVENE_PYTHON"], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw Failure(description: "CONVENE_PYTHON=\(configured) is not executable; run scripts/setup")
            }
            return configured
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: venv) else {
            throw Failure(
                description: "no Python venv at \(venv) (needed for the email/icalendar validators); run scripts/setup")
        }
        return venv
    }

    /// A fresh temporary directory for files handed to the checkers.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("convene-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `script` with `arguments` and decodes its stdout as `T`.
    static func run<T: Decodable>(_ script: String, _ arguments: [String], as type: T.Type) throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = [supportDirectory.appendingPathComponent(script).path] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and deadlock.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) exited \(process.terminationStatus): \(errorText)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw Failure(
                description: "\(script) printed unexpected JSON (\(error)): \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// Writes `bytes` to a temporary `.eml` and returns `check_message.py`'s findings.
    static func checkMessage(_ bytes: [UInt8]) throws -> MessageFindings {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("message.eml")
        try Data(bytes).write(to: file)
        return try run("check_message.py", [file.path], as: MessageFindings.self)
    }

    /// Writes each calendar to a temporary `.ics` and returns `check_ical.py`'s findings, in order.
    static func checkCalendars(_ calendars: [String]) throws -> [CalendarFindings] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, calendar) in calendars.enumerated() {
            let file = directory.appendingPathComponent("invite-\(index).ics")
            try Data(calendar.utf8).write(to: file)
            paths.append(file.path)
        }
        struct Files: Decodable { var files: [CalendarFindings] }
        return try run("check_ical.py", paths, as: Files.self).files
    }
}
