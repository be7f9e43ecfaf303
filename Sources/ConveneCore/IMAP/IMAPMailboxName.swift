import Foundation

/// IMAP mailbox names as the rules file writes them (`INBOX`, `convene/processed`, `Réponses`) and as they go on the
/// wire: modified UTF-7 (RFC 3501 §5.1.3), inside a quoted string in a command, percent-encoded in a URL path.
///
/// Nothing from the rules file may add an IMAP command: a name with a line break, a NUL or another control character
/// is refused before anything is sent, and `"` and `\` are escaped inside the quotes. The list wildcards `%` and `*`
/// are refused too, so that `LIST "" NAME` can only ever match the folder itself.
public enum IMAPMailboxName {
    /// Why `name` cannot be a mailbox convene reads or files into, or nil when it can.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a mailbox name cannot be empty" }
        if name.utf8.count > 512 { return "a mailbox name longer than 512 bytes is refused" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                let code = String(format: "U+%04X", scalar.value)
                return "the mailbox name \(name.debugDescription) holds a control character (\(code)); "
                    + "a line break would end the IMAP command"
            }
            if scalar == "%" || scalar == "*" {
                return "the mailbox name \(name.debugDescription) holds '\(scalar)', an IMAP list wildcard"
            }
        }
        if name.hasPrefix("/") || name.hasSuffix("/") || name.contains("//") {
            return "the mailbox name \(name.debugDescription) has an empty level (a leading, trailing or double '/')"
        }
        return nil
    }

    /// The name in modified UTF-7: printable ASCII as itself (`&` as `&-`), anything else as `&` + modified base64 of
    /// its UTF-16 + `-`.
    public static func modifiedUTF7(_ name: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            let base64 = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "/", with: ",").replacingOccurrences(of: "=", with: "")
            out += "&" + base64 + "-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return out
    }

    /// The name as an IMAP quoted string, for a command: `"` + modified UTF-7 with `\` and `"` escaped + `"`.
    /// Call only with a name `problem` accepts.
    public static func quoted(_ name: String) -> String {
        var out = "\""
        for character in modifiedUTF7(name) {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// The name for the path of an IMAP URL (RFC 5092): modified UTF-7, with everything but letters, digits, `/`
    /// and `-._~&` percent-encoded (libcurl decodes the path, then quotes the name itself in SELECT).
    public static func urlPath(_ name: String) -> String {
        var out = ""
        for byte in modifiedUTF7(name).utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "/-._~&".contains(c)) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
