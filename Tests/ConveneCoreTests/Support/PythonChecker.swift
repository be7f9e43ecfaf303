import ConveneTesting
import Foundation
import Testing

/// Checks messages and calendars with the Python validators next to this file (`check_message.py`,
/// `check_ical.py`) and decodes their JSON findings.
///
/// Each suite's checks go to long-lived `validator.py` processes of its own (ConveneTesting's `PythonValidator`, one
/// per calling file, i.e. per suite) instead of starting Python once per check; suites check in parallel, and so do
/// the parallel cases of one suite, up to one validator per CPU each. The interpreter is `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`;
/// when neither exists the check throws a message naming `scripts/setup`: a missing validator must never look
/// green.
enum PythonChecker {
    /// The folder holding the checker scripts (this file's folder).
    static let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The package root (the nearest ancestor holding Package.swift).
    static var packageRoot: URL { TestEnvironment.packageRoot }

    /// The validators, one per suite (keyed by the calling file's `#fileID`), started when first used.
    static let validators = ValidatorsBySuite(script: supportDirectory.appendingPathComponent("validator.py"))

    /// Decodes a validator answer as `T`.
    static func decode<T: Decodable>(_ data: Data, as type: T.Type, from kind: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw TestSetupError(
                "validator.py printed unexpected JSON for a \(kind) (\(error)): \(String(decoding: data, as: UTF8.self))"
            )
        }
    }

    /// `check_message.py`'s findings for `bytes` (one .eml).
    static func checkMessage(_ bytes: [UInt8], suite: String = #fileID) async throws -> MessageFindings {
        let answer = try await validators.validator(for: suite).request("message", [bytes])
        return try decode(answer, as: MessageFindings.self, from: "message")
    }

    /// `check_ical.py`'s findings for each calendar (one .ics each), in order.
    static func checkCalendars(_ calendars: [String], suite: String = #fileID) async throws -> [CalendarFindings] {
        struct Files: Decodable { var files: [CalendarFindings] }
        let answer = try await validators.validator(for: suite).request("ical", calendars.map { Array($0.utf8) })
        return try decode(answer, as: Files.self, from: "calendar").files
    }
}

/// One `PythonValidator` per suite, made on first use.
///
/// `@unchecked Sendable`: `validators` is only read and written under `lock`.
final class ValidatorsBySuite: @unchecked Sendable {
    private let script: URL
    private let lock = NSLock()
    private var validators: [String: PythonValidator] = [:]

    init(script: URL) { self.script = script }

    /// The validator of `suite`, made if needed.
    func validator(for suite: String) -> PythonValidator {
        lock.lock()
        defer { lock.unlock() }
        if let validator = validators[suite] { return validator }
        let validator = PythonValidator(script: script)
        validators[suite] = validator
        return validator
    }
}
