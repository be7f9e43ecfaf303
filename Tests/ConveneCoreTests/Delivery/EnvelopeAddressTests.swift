import ConveneCore
import Testing

/// Envelope addresses go into the SMTP dialogue verbatim, so anything but a plain address is refused.
struct EnvelopeAddressTests {
    @Test(arguments: ["alice@example.test", "a.b+tag@sub.example.gov.uk", "x@[192.0.2.1]", "o'neil@example.test"])
    func plainAddressesPass(_ address: String) {
        #expect(EnvelopeAddress.problem(with: address) == nil)
    }

    @Test(arguments: [
        "", "alice@example.test\r\nRCPT TO:<evil@example.test>", "alice@example.test\n", "al\0ice@example.test",
        "alice\t@example.test", "alice @example.test", "<alice@example.test>", "alice@example.test>",
        "no-at-sign", "@example.test", "alice@", "jürgen@example.test", "a\u{7F}@example.test",
        String(repeating: "a", count: 250) + "@x.test",
    ])
    func anythingElseIsRefused(_ address: String) {
        #expect(EnvelopeAddress.problem(with: address) != nil)
    }
}
