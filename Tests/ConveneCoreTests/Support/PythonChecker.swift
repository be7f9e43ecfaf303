import ConveneTesting
import Foundation
import Testing

/// Checks messages and calendars with the Python validators next to this file (`check_message.py`,
/// `check_ical.py`) and decodes their JSON findings.
///
/// All checks of the test run go to one long-lived `validator.py` (ConveneTesting's `PythonValidator`) instead of
/// starting Python once per check. The interpreter is `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`;
/// when neither exists the check throws a message naming `scripts/setup`: a missing validator must never look
/// green.
enum PythonChecker {
    /// The folder holding the checker scripts (this file's folder).
    static let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The package root (the nearest ancestor holding Package.swift).
    static var packageRoot: URL { TestEnvironment.packageRoot }

    /// The validator every check of this test process shares.
    static let validator = PythonValidator(script: supportDirectory.appendingPathComponent("validator.py"))

    /// Decodes a validator answer as `T`.
    static func decode<T: Decodable>(_ data: Data, as type: T.Type, from kind: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw TestSetupError(
                "validator.py printed unexpected JSON for a \(kind) (\(error)): \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// `check_message.py`'s findings for `bytes` (one .eml).
    static func checkMessage(_ bytes: [UInt8]) async throws -> MessageFindings {
        try decode(try await validator.request("message", [bytes]), as: MessageFindings.self, from: "message")
    }

    /// `check_ical.py`'s findings for each calendar (one .ics each), in order.
    static func checkCalendars(_ calendars: [String]) async throws -> [CalendarFindings] {
        struct Files: Decodable { var files: [CalendarFindings] }
        let answer = try await validator.request("ical", calendars.map { Array($0.utf8) })
        return try decode(answer, as: Files.self, from: "calendar").files
    }
}
