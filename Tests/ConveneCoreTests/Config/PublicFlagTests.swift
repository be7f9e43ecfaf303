import Foundation
import Testing

@testable import ConveneCore

/// `public: true` on events and forums and `service.publish`: read strictly, reported with their place.
struct PublicFlagTests {
    @Test func eventsAndForumsArePrivateUnlessMarkedAndPublishIsRead() throws {
        let (none, noneDiagnostics) = ConfigFixture.parse(ConfigFixture.valid)
        #expect(noneDiagnostics == [])
        let plain = try #require(none)
        #expect(plain.forums.allSatisfy { !$0.isPublic } && plain.events.allSatisfy { !$0.isPublic })
        #expect(plain.service.publish == nil)

        let text = ConfigFixture.valid
            .replacingOccurrences(of: "  rate: 30/minute\n", with: "  rate: 30/minute\n  publish: site\n")
            .replacingOccurrences(of: "    grades: [PS, DG]\n", with: "    grades: [PS, DG]\n    public: true\n")
            .replacingOccurrences(
                of: "    end: 2027-03-18 16:30\n", with: "    end: 2027-03-18 16:30\n    public: false\n")
        let (parsed, diagnostics) = ConfigFixture.parse(text)
        #expect(diagnostics == [])
        let config = try #require(parsed)
        #expect(config.service.publish == "site")
        #expect(config.forums.map(\.isPublic) == [true, false])
        #expect(config.events.map(\.isPublic) == [false])
        let json = config.jsonObject
        #expect((json["service"] as? [String: Any])?["publish"] as? String == "site")
        #expect(((json["forums"] as? [[String: Any]])?.first)?["public"] as? Bool == true)
    }

    @Test(arguments: [
        (
            "    grades: [PS, DG]\n", "    grades: [PS, DG]\n    public: yes\n",
            "19:13 'public' must be true or false; got 'yes'"
        ),
        (
            "    end: 2027-03-18 16:30\n", "    end: 2027-03-18 16:30\n    public: True\n",
            "28:13 'public' must be true or false; got 'True'"
        ),
        ("  rate: 30/minute\n", "  rate: 30/minute\n  publish: ''\n", "6:12 'publish' must name a folder"),
    ])
    func aBadValueIsAnErrorAtItsPlace(_ old: String, _ new: String, _ expected: String) throws {
        let (_, diagnostics) = ConfigFixture.parse(ConfigFixture.valid.replacingOccurrences(of: old, with: new))
        let errors = diagnostics.filter { $0.severity == .error }.map { "\($0.line):\($0.column) \($0.message)" }
        #expect(errors == [expected])
        #expect(diagnostics.first?.description.hasPrefix("c.yaml:" + expected.prefix { $0 != " " }) == true)
    }
}
