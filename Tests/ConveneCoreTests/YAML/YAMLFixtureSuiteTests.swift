import Foundation
import Testing

@testable import ConveneCore

/// Runs every case of `Fixtures/yaml-test-suite` (cases from the official YAML test suite
/// that fall inside convene's subset): `ID.json` cases must parse to that value, `ID.error` cases must
/// be rejected with a located error.
struct YAMLFixtureSuiteTests {
    /// One fixture case: its id and whether a JSON value or an error is expected.
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var directory: URL
        var expectsError: Bool
        var testDescription: String { id + (expectsError ? " (error)" : "") }
    }

    /// The fixture folder, `Fixtures/yaml-test-suite` beside this file (copied into the repository with its
    /// licence, so the suite needs nothing outside the checkout).
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/yaml-test-suite")

    /// The cases in the fixture folder, sorted by id; empty when the folder is missing or unreadable (which
    /// `theFixtureSuiteHasAllItsCases` reports as a failure, never a skip).
    static let cases: [Case] = {
        let directory = fixtureDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { name in
            let id = String(name.dropLast(".yaml".count))
            let expectsError = FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(id + ".error").path)
            return Case(id: id, directory: directory, expectsError: expectsError)
        }
    }()

    @Test func theFixtureSuiteHasAllItsCases() {
        #expect(
            FileManager.default.fileExists(atPath: Self.fixtureDirectory.appendingPathComponent("LICENSE").path),
            "the yaml-test-suite fixtures (and their LICENSE) are missing at \(Self.fixtureDirectory.path)")
        #expect(Self.cases.count == 153, "expected 153 yaml-test-suite cases in \(Self.fixtureDirectory.path)")
        #expect(Self.cases.filter(\.expectsError).count == 39)
    }

    @Test(arguments: cases)
    func fixtureCaseParsesToItsExpectedValueOrIsRejected(_ fixture: Case) throws {
        let yamlData = try Data(contentsOf: fixture.directory.appendingPathComponent(fixture.id + ".yaml"))
        let text = try #require(String(data: yamlData, encoding: .utf8))
        let result = YAMLParser.parse(text, file: fixture.id + ".yaml")
        if fixture.expectsError {
            guard case .failure(let diagnostics) = result else {
                Issue.record("\(fixture.id) must be rejected but parsed as \(String(describing: try? result.get()))")
                return
            }
            #expect(!diagnostics.isEmpty)
            for diagnostic in diagnostics {
                #expect(diagnostic.line >= 1 && diagnostic.column >= 1)
                #expect(diagnostic.file == fixture.id + ".yaml")
            }
            return
        }
        let jsonData = try Data(contentsOf: fixture.directory.appendingPathComponent(fixture.id + ".json"))
        let expected = try JSONSerialization.jsonObject(with: jsonData, options: [.fragmentsAllowed])
        switch result {
        case .failure(let diagnostics):
            Issue.record("\(fixture.id) must parse but failed: \(diagnostics.map(\.description))")
        case .success(let node):
            let root = try #require(node, "\(fixture.id) parsed as an empty document")
            #expect(
                Self.jsonEqual(root.jsonObject, expected),
                "\(fixture.id): got \(root.jsonObject), expected \(expected)")
        }
    }

    /// Structural equality of JSON-like values (strings, arrays, string-keyed dictionaries).
    static func jsonEqual(_ lhs: Any, _ rhs: Any) -> Bool {
        if let left = lhs as? String, let right = rhs as? String { return left == right }
        if let left = lhs as? [Any], let right = rhs as? [Any] {
            return left.count == right.count && zip(left, right).allSatisfy { jsonEqual($0, $1) }
        }
        if let left = lhs as? [String: Any], let right = rhs as? [String: Any] {
            return left.count == right.count
                && left.allSatisfy { key, value in right[key].map { jsonEqual(value, $0) } ?? false }
        }
        return false
    }
}
