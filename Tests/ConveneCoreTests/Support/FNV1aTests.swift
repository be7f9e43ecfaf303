import Testing

@testable import ConveneCore

struct FNV1aTests {
    /// FNV-1a test vectors (Fowler, Noll and Vo's reference values for 64-bit FNV-1a).
    @Test(arguments: [("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8")])
    func fnv1aMatchesTheReferenceValues(text: String, hash: String) {
        #expect(FNV1a.hash(text) == hash)
    }

    @Test(arguments: [UInt64(0), 0x1f, 0xcbf2_9ce4_8422_2325, .max])
    func hexDigitsKeepLeadingZerosAndAppendingThemGivesTheSameDigits(value: UInt64) {
        let hex = String(value, radix: 16)
        #expect(FNV1a.hex(value) == String(repeating: "0", count: 16 - hex.count) + hex)
        var bytes: [UInt8] = [UInt8(ascii: "x")]
        FNV1a.appendHex(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + FNV1a.hex(value))
    }
}
