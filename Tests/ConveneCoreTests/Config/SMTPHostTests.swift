import ConveneCore
import Testing

/// One loopback rule for `tls: none`, asked by `validate` and by `run` alike.
struct SMTPHostTests {
    @Test(arguments: [
        // Loopback: cannot leave the machine.
        ("127.0.0.1", true), ("127.0.0.53", true), ("127.255.255.254", true), ("127.1.2.3", true),
        ("localhost", true), ("LOCALHOST", true), ("localhost.", true),
        ("::1", true), ("[::1]", true), ("0:0:0:0:0:0:0:1", true), ("0000::0001", true), ("[0:0::1]", true),
        // Names that only look like it: DNS decides where they go.
        ("127.evil.example", false), ("localhost.evil.example", false), ("127.0.0.1.nip.io", false),
        ("127.0.0.1.", false), ("evil-localhost", false), ("mylocalhost", false),
        // Not loopback, or not plain decimal (resolvers read a leading zero as octal, 0x as hex).
        ("128.0.0.1", false), ("10.0.0.1", false), ("0127.0.0.1", false), ("127.0.0.01", false),
        ("127.0.0.256", false), ("127.0.0", false), ("127.0.0.1.1", false), ("127.0.0.0x1", false),
        ("127.0.0.-1", false), ("127.0.0.+1", false), ("127.0.0.", false), ("127..0.1", false),
        ("::", false), ("::2", false), ("1::1", false), ("::1:1", false), ("::ffff:127.0.0.1", false),
        ("::1::", false), ("0:0:0:0:0:0:0:0:1", false), ("[::1", false), ("", false), ("１２７.0.0.1", false),
        ("mail.example.gov.uk", false),
    ])
    func plainTextIsAllowedOnlyToLoopback(host: String, loopback: Bool) {
        #expect(SMTPHost.isLoopback(host) == loopback)
    }

    @Test(arguments: [
        ("smtp://127.0.0.1:2525", "127.0.0.1"), ("smtp://[::1]:25", "::1"), ("smtp://localhost", "localhost"),
        ("smtp://127.evil.example:25/", "127.evil.example"), ("smtps://mail.example.gov.uk:465", "mail.example.gov.uk"),
    ])
    func theHostIsReadFromTheURLAsRunReadsIt(url: String, host: String) {
        #expect(SMTPHost.host(inURL: url) == host)
    }
}
