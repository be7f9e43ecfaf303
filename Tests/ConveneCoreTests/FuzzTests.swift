import Foundation
import Testing

@testable import ConveneCore

/// Mutation fuzzing of every reader of a user file: the shipped example's rules file, roster and templates, and a
/// journal written by an earlier release, each mutated thousands of times (seeded, so a failure is repeatable: the
/// message names the seed and the iteration). A trap (an integer overflow, an index out of range) kills the test
/// process, so getting to the end is the "no crash" half; the other half is that every problem is reported at a
/// place in the file (line and column from 1, the file's own name) and that a reader that gives up says why.
/// A rules file that survives its mutations without errors is also planned against the roster, where the values
/// it holds (dates, durations, counts, offsets) are used for arithmetic.
struct FuzzTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func bytes(_ path: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FuzzSetupError("cannot read \(url.path)")
        }
        return [UInt8](data)
    }

    struct FuzzSetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Tokens that have found bugs in parsers like ours: numbers at and past the edges of Int, dates and times that
    /// do not exist, YAML and CSV punctuation, line ends, NUL, non-ASCII.
    static let tokens: [String] = [
        "99999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "0", "00",
        "2027-02-30", "2027-13-01", "9999-12-31", "0000-01-01", "24:00", "25:61", "23:59", "every 0 weeks",
        "every 99999999999 days", "for 99999999999 times", "on Mon,Funday", "until 1900-01-01", "99999999999m",
        "99999999999h", "1h99999999999m", "9999999999 days before", "87673 hours before", "at 99:99",
        "\n", "\r\n", "\r", "\t", " ", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "\"", "'", "#", "|", ">", ">-",
        "&a", "*a", "!!str", "---", "...", "%YAML 1.2", "((", "))", "((event title))", "((nope))", "??", "[x](",
        "\u{0}", "\u{7}", "é", "😀", "\u{FEFF}", "\u{202E}", ";", ";;", "=", "mailto:", "a@b", "@", "<>",
    ]

    /// One to four mutations: a byte changed, a token inserted, a stretch deleted, a line repeated, a run of digits
    /// made huge, or the end cut off.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            let at = random.below(bytes.count + 1)
            switch random.below(6) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: random.next())
            case 1:
                bytes.insert(contentsOf: Array(tokens[random.below(tokens.count)].utf8), at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + random.below(40))
                bytes.removeSubrange(min(at, bytes.count - 1)..<end)
            case 3:
                let start = bytes[..<at].lastIndex(of: 10).map { $0 + 1 } ?? 0
                let end = bytes[at...].firstIndex(of: 10).map { $0 + 1 } ?? bytes.count
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            case 4:
                if let digit = bytes[at...].firstIndex(where: { (48...57).contains($0) }) {
                    bytes.insert(contentsOf: Array("99999999999999999999".utf8), at: digit)
                }
            default:
                bytes.removeSubrange(at..<bytes.count)
            }
        }
        return bytes
    }

    /// Every diagnostic names `file` and a place in it.
    static func expectLocated(_ diagnostics: [Diagnostic], in file: String, seed: String) {
        for diagnostic in diagnostics {
            #expect(diagnostic.file == file, "\(seed): \(diagnostic)")
            #expect(diagnostic.line >= 1 && diagnostic.column >= 1, "\(seed): \(diagnostic)")
            #expect(!diagnostic.message.isEmpty, "\(seed): \(diagnostic)")
        }
    }

    static let rosterText = (try? bytes("config/roster.csv")) ?? []

    @Test func mutatedRulesFilesAreReportedAtAPlaceAndThoseThatPassArePlanned() throws {
        let original = try Self.bytes("config/convene.yaml")
        let (example, _) = ConfigParser.parse(String(decoding: original, as: UTF8.self), file: "convene.yaml")
        #expect(example != nil, "the example itself parses")
        var random = SplitMix(seed: 12)
        var planned = 0
        for iteration in 0..<800 {
            let seed = "rules seed 12 iteration \(iteration)"
            let text = String(decoding: Self.mutate(original, &random), as: UTF8.self)
            let (parsed, diagnostics) = ConfigParser.parse(text, file: "convene.yaml")
            Self.expectLocated(diagnostics, in: "convene.yaml", seed: seed)
            guard let parsed else {
                #expect(diagnostics.hasErrors, "\(seed): no config and no error")
                continue
            }
            guard !diagnostics.hasErrors, planned < 120 else { continue }
            planned += 1
            let rosterForIt = RosterParser.parse(
                Self.rosterText, file: "roster.csv", grades: parsed.gradeTable, forumIDs: Set(parsed.forums.map(\.id))
            ).roster
            let reconciler = Reconciler(
                config: parsed, roster: rosterForIt, audience: Audience(config: parsed, roster: rosterForIt),
                state: JournalState(records: []))
            _ = reconciler.plan(now: Date(timeIntervalSince1970: 1_796_083_200))  // 2026-12-01
        }
        #expect(planned > 30, "enough mutants parse cleanly to exercise planning: \(planned)")
    }

    @Test func mutatedRostersAreReportedAtAPlace() throws {
        let (example, _) = ConfigParser.parse(
            String(decoding: try Self.bytes("config/convene.yaml"), as: UTF8.self), file: "convene.yaml")
        let config = try #require(example)
        let forums = Set(config.forums.map(\.id))
        let roles = Set(config.forums.flatMap(\.roles))
        var random = SplitMix(seed: 65)
        for iteration in 0..<2000 {
            let (roster, diagnostics) = RosterParser.parse(
                Self.mutate(Self.rosterText, &random), file: "roster.csv", grades: config.gradeTable, forumIDs: forums,
                roles: roles)
            Self.expectLocated(diagnostics, in: "roster.csv", seed: "roster seed 65 iteration \(iteration)")
            _ = Audience(config: config, roster: roster)
        }
    }

    @Test func mutatedTemplatesAreReportedAtAPlaceAndThoseThatPassRender() throws {
        let folder = Self.root.appendingPathComponent("config/templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }
            .sorted()
        #expect(names.count >= 4)
        var random = SplitMix(seed: 78)
        for name in names {
            let original = try Self.bytes("config/templates/\(name)")
            for iteration in 0..<400 {
                let seed = "template \(name) seed 78 iteration \(iteration)"
                let text = String(decoding: Self.mutate(original, &random), as: UTF8.self)
                let (template, diagnostics) = MessageTemplate.parse(text, name: name, file: name)
                Self.expectLocated(diagnostics, in: name, seed: seed)
                if template == nil { #expect(diagnostics.hasErrors, "\(seed): no template and no error") }
            }
        }
    }

    @Test func mutatedJournalsAreReadOrRefusedAtALine() throws {
        // The first 60 records of a journal the previous release wrote: every record type, each mutated in turn.
        let whole = try Self.bytes("Tests/ConveneCLITests/Fixtures/journal-from-1b67b4e/journal.jsonl")
        let cut = whole.indices.filter { whole[$0] == 10 }.dropFirst(59).first.map { $0 + 1 } ?? whole.count
        let original = Array(whole[..<cut])
        var random = SplitMix(seed: 74)
        for iteration in 0..<600 {
            let contents = JournalCodec.read(Self.mutate(original, &random), file: "journal.jsonl")
            Self.expectLocated(contents.errors, in: "journal.jsonl", seed: "journal seed 74 iteration \(iteration)")
            _ = JournalState(records: contents.records)
        }
    }

    @Test func mutatedHolidayFilesAreReportedAtAPlace() throws {
        let original = try Self.bytes("config/holidays-england-and-wales.txt")
        var random = SplitMix(seed: 24)
        for iteration in 0..<1000 {
            let (_, diagnostics) = Holidays.parse(Self.mutate(original, &random), file: "holidays.txt")
            Self.expectLocated(diagnostics, in: "holidays.txt", seed: "holidays seed 24 iteration \(iteration)")
        }
    }
}
