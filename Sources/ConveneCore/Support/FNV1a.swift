/// 64-bit FNV-1a: a hash that is stable across runs and platforms (unlike `Hasher`), behind deterministic
/// Message-IDs (`MessageIdentity`), MIME boundaries, retry jitter, delivery lanes and the files' fingerprint.
public enum FNV1a {
    /// The hash of the UTF-8 bytes of `text` as 16 lower-case hex digits.
    public static func hash(_ text: String) -> String { hex(value(text)) }

    /// The hash of the UTF-8 bytes of `text`.
    public static func value(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// `value` as 16 lower-case hex digits, leading zeros included.
    public static func hex(_ value: UInt64) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        appendHex(value, to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// Appends what `hex(value)` returns, without building the string (`plan --json` writes one per action).
    public static func appendHex(_ value: UInt64, to bytes: inout [UInt8]) {
        // Digits formed in a scratch buffer and appended at once: one capacity check instead of sixteen.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { digits in
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                digits[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
            bytes.append(contentsOf: digits)
        }
    }
}
