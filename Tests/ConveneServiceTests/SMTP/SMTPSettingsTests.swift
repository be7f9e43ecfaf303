import ConveneCore
import ConveneService
import ConveneTesting
import Testing

/// Settings that cannot work are refused when the connection is made, before any network traffic.
@Suite(.ownThread)
struct SMTPSettingsTests {
    @Test func theEHLONameTravelsInTheURLPath() throws {
        let settings = SMTPSettings(url: "smtp://mail.example.gov.uk:587", helo: "convene.example.gov.uk")
        #expect(try settings.curlURL() == "smtp://mail.example.gov.uk:587/convene.example.gov.uk")
        let implicit = SMTPSettings(url: "smtps://mail.example.gov.uk/", tls: .implicit, helo: "[192.0.2.1]")
        #expect(try implicit.curlURL() == "smtps://mail.example.gov.uk/%5B192.0.2.1%5D")
    }

    @Test(arguments: [
        "smtp://127.0.0.1:25", "smtp://localhost:2525", "smtp://[::1]:25", "smtp://127.0.0.53",
        "smtp://[0:0:0:0:0:0:0:1]:25",
    ])
    func plainTextToLoopbackIsAllowed(_ url: String) throws {
        _ = try SMTPConnection(settings: SMTPSettings(url: url, tls: .none, helo: "convene.test"))
    }

    @Test(arguments: [
        SMTPSettings(url: "smtp://mail.example.gov.uk:25", tls: .none, helo: "convene.test"),
        SMTPSettings(url: "smtp://127.0.0.1.example.com:25", tls: .none, helo: "convene.test"),
        SMTPSettings(url: "smtp://127.evil.example:25", tls: .none, helo: "convene.test"),
        SMTPSettings(url: "smtp://localhost.evil.example:25", tls: .none, helo: "convene.test"),
        SMTPSettings(url: "smtp://0127.0.0.1:25", tls: .none, helo: "convene.test"),
        SMTPSettings(url: "smtps://mail.example.gov.uk", tls: .starttls, helo: "convene.test"),
        SMTPSettings(url: "smtp://mail.example.gov.uk:465", tls: .implicit, helo: "convene.test"),
        SMTPSettings(url: "http://mail.example.gov.uk", tls: .starttls, helo: "convene.test"),
        SMTPSettings(url: "mail.example.gov.uk:587", tls: .starttls, helo: "convene.test"),
        SMTPSettings(url: "smtp://mail.example.gov.uk:587/other", helo: "convene.test"),
        SMTPSettings(url: "smtp://user@mail.example.gov.uk:587", helo: "convene.test"),
        SMTPSettings(url: "smtp://mail.example.gov.uk:587", helo: "convene.test\r\nMAIL FROM:<x@y>"),
        SMTPSettings(url: "smtp://mail.example.gov.uk:587", helo: ""),
        SMTPSettings(url: "smtp://mail.example.gov.uk:587", username: "u", helo: "convene.test"),
        SMTPSettings(url: "smtp://mail.example.gov.uk:587", helo: "convene.test", caFile: "/nonexistent/ca.pem"),
    ])
    func settingsThatCannotWorkAreRefused(_ settings: SMTPSettings) {
        #expect {
            _ = try SMTPConnection(settings: settings)
        } throws: { error in
            guard case .invalidSettings = error as? SMTPError else { return false }
            return true
        }
    }

    /// Lanes poll for replies only while they leave a CPU free: one lane on two CPUs does, four do not.
    @Test func lanesPollForRepliesOnlyWhileTheyLeaveACPUFree() {
        #expect(SMTPTransport.pollsForReplies(connections: 1, processors: 2))
        #expect(!SMTPTransport.pollsForReplies(connections: 2, processors: 2))
        #expect(!SMTPTransport.pollsForReplies(connections: 4, processors: 2))
        #expect(SMTPTransport.pollsForReplies(connections: 4, processors: 8))
        #expect(!SMTPTransport.pollsForReplies(connections: 1, processors: 1))
    }

    @Test func thePasswordIsNeverPrinted() {
        let settings = SMTPSettings(
            url: "smtp://mail.example.gov.uk:587", username: "convene", password: "hunter2", helo: "convene.test")
        #expect(!"\(settings)".contains("hunter2"))
        #expect(!String(reflecting: settings).contains("hunter2"))
        #expect("\(settings)".contains("<redacted>"))
    }
}
