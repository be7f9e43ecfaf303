import ConveneTesting
import Foundation
import Testing

/// The messages a `run --dry-run DIR` wrote, read by Python's `email` and `icalendar` packages (the parsers the
/// checks trust, not ours).
struct OutboxMail: Decodable, Sendable {
    /// The calendar part's event as `icalendar` reads it.
    struct Event: Decodable, Sendable {
        var method: String
        var uid: String
        var sequence: Int
        /// `2027-01-07T12:00:00+00:00`, in UTC.
        var start: String
        var status: String?
        var summary: String
        var location: String?
        var description: String?
        var url: String?
        var conference: [String]
        /// The ATTENDEE addresses, lower case, without `mailto:`.
        var attendees: [String]
    }

    /// A file part (not the invitation's own `invite.ics`) as Python's `email` decodes it.
    struct File: Decodable, Sendable, Equatable {
        var filename: String
        var contentType: String
        var disposition: String
        /// SHA-256 of the decoded bytes.
        var sha256: String
    }

    var file: String
    var messageID: String
    var subject: String
    var to: [String]
    /// The Cc: addresses, lower case.
    var cc: [String]
    /// The text/plain part, decoded.
    var plain: String
    var event: Event?
    /// Every part with a file name other than `invite.ics`, in order.
    var attachments: [File]

    /// Long-lived `outbox_reader.py` processes (Fixtures) shared by every read of this test run: Python and its
    /// `email` and `icalendar` imports start a few times instead of once per read, and each read still runs in a
    /// fresh forked child (no cache of `icalendar`'s is shared between reads).
    private static let reader = PythonValidator(
        script: CLI.root.appendingPathComponent("Tests/ConveneCLITests/Fixtures/outbox_reader.py"))

    /// Every message in `directory`, in file-name order.
    static func read(_ directory: String) async throws -> [OutboxMail] {
        let answer = try await reader.request("outbox", [Array(directory.utf8)])
        return try JSONDecoder().decode([OutboxMail].self, from: answer)
    }
}

/// The project's Python venv, which holds the external validators.
enum Python {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// `$CONVENE_PYTHON`, else `<package root>/.venv/bin/python`; a missing one fails the test, never skips it.
    static func interpreter() throws -> String {
        let path =
            ProcessInfo.processInfo.environment["CONVENE_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? CLI.root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure(description: "no Python at \(path) (the email/icalendar validators); run scripts/setup")
        }
        return path
    }

    /// Runs python with `arguments` (on a thread of its own); its stdout, or a failure carrying its stderr.
    static func run(_ python: String, _ arguments: [String]) async throws -> Data {
        let result = try await ProcessRunner.run(python, arguments)
        guard result.status == 0 else {
            throw Failure(description: "python exited \(result.status): \(result.stderr)")
        }
        return result.stdoutData
    }
}

/// A programme of the admin's own in a temp folder: rules file, roster and the shipped templates, run with the built
/// binary into a dry-run outbox, edited between runs as an admin edits it.
struct Programme {
    let directory: URL
    var rulesPath: String { directory.appendingPathComponent("convene.yaml").path }
    var outbox: String { directory.appendingPathComponent("outbox").path }
    var state: String { outbox + "/state" }

    init(rules: String, roster: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "convene-programme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("config/templates"), to: directory.appendingPathComponent("templates"))
        try write(rules: rules)
        try Data(roster.utf8).write(to: directory.appendingPathComponent("roster.csv"))
    }

    func write(rules: String) throws { try Data(rules.utf8).write(to: URL(fileURLWithPath: rulesPath)) }

    func write(roster: String) throws {
        try Data(roster.utf8).write(to: directory.appendingPathComponent("roster.csv"))
    }

    /// `run --dry-run` from `now` until `until`; the messages it wrote (those not in the outbox before).
    @discardableResult
    func run(now: String, until: String) async throws -> [OutboxMail] {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? [])
        let result = try await CLI.run([
            "run", "--config", rulesPath, "--dry-run", outbox, "--now", now, "--until", until,
        ])
        #expect(result.status == 0, "run: \(result.stderr)")
        return try await OutboxMail.read(outbox).filter { !before.contains($0.file) }
    }

    /// `plan --json` at `now` with the outbox's journal.
    func plan(now: String, extra: [String] = []) async throws -> [[String: Any]] {
        let result = try await CLI.run(
            ["plan", "--config", rulesPath, "--state", state, "--now", now, "--json"] + extra)
        #expect(result.status == 0, "plan: \(result.stderr)")
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// The journal's records as JSON objects.
    func journal() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: state + "/journal.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}
