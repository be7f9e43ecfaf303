import ConveneTesting
import Foundation
import Testing

/// The README is the operator's manual: every file it names and every link it gives must exist in a clean clone,
/// and its performance section stays the short block `scripts/bench` rewrites.
@Suite(.ownThread)
struct ReadmeLinkTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func readme() throws -> String {
        try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// Matches of `pattern`'s first capture group in `text`.
    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test func everyRepositoryPathTheReadmeNamesExists() throws {
        let text = try Self.readme()
        let paths = try Self.captures(#"`((?:Sources|Tests|config|systemd|scripts|\.ci)/[^` ]*)`"#, in: text)
        #expect(paths.count >= 5, "the README names the code it explains")
        let missing = paths.filter {
            !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent($0).path)
        }
        #expect(missing.isEmpty, "README names paths that do not exist: \(missing)")
    }

    @Test func everyLinkResolves() throws {
        let text = try Self.readme()
        // Markdown links outside code spans and fences; a link to a heading must name one.
        var prose = text
        for fence in try Self.captures("(?s)(```.*?```)", in: text) {
            prose = prose.replacingOccurrences(of: fence, with: "")
        }
        for span in try Self.captures("(`[^`\n]*`)", in: prose) {
            prose = prose.replacingOccurrences(of: span, with: "")
        }
        let anchors = Set(
            try Self.captures("(?m)^#+ (.+)$", in: text).map { heading in
                heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }
                    .replacingOccurrences(of: " ", with: "-")
            })
        for target in try Self.captures(#"\]\(([^)\s]+)\)"#, in: prose) {
            if target.hasPrefix("http://") || target.hasPrefix("https://") { continue }
            if target.hasPrefix("#") {
                #expect(anchors.contains(String(target.dropFirst())), "no heading for the link \(target)")
            } else {
                let file = Self.root.appendingPathComponent(String(target.prefix { $0 != "#" })).standardizedFileURL
                #expect(
                    file.path.hasPrefix(Self.root.standardizedFileURL.path + "/")
                        && FileManager.default.fileExists(atPath: file.path),
                    "the link \(target) points outside the repository or at nothing")
            }
        }
        #expect(!text.contains("../shared"), "a clean clone has nothing beside it")
    }

    @Test func thePerformanceSectionIsTheBlockBenchWritesAndAtMostFifteenLines() throws {
        let text = try Self.readme()
        let section = try #require(text.range(of: "## Performance\n")).upperBound
        let rest = text[section...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        let lines = rest[..<end].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.first?.hasPrefix("<!-- bench:begin") == true && lines.last == "<!-- bench:end -->")
        #expect(lines.count <= 15, "\(lines.count) lines")
        let bench = try String(contentsOf: Self.root.appendingPathComponent("scripts/bench"), encoding: .utf8)
        #expect(bench.contains("<!-- bench:begin") && bench.contains("<!-- bench:end -->"))
    }
}
