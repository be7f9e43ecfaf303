import Foundation

/// Checks of email addresses and mailbox phrases from user files, strict enough that nothing read here can
/// break a header, an SMTP envelope or an iCalendar line.
public enum EmailAddress {
    /// Why `address` is not a usable addr-spec (RFC 5321 dot-atom local part, domain of LDH labels), or nil if it is.
    public static func problem(with address: String) -> String? {
        let bytes = Array(address.utf8)
        if let bad = bytes.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            return "contains a control character (U+\(String(format: "%04X", bad)))"
        }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return "contains non-ASCII characters" }
        guard bytes.count <= 254 else { return "is longer than 254 characters" }
        let at = UInt8(ascii: "@")
        let dot = UInt8(ascii: ".")
        let ats = bytes.indices.filter { bytes[$0] == at }
        guard ats.count == 1, let split = ats.first else { return ats.isEmpty ? "has no '@'" : "has more than one '@'" }
        let local = bytes[..<split]
        let domain = bytes[(split + 1)...]
        guard !local.isEmpty, local.count <= 64 else { return "has an empty or over-long local part" }
        for atom in local.split(separator: dot, omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { return "has an empty part between dots before the '@'" }
            if let bad = atom.first(where: { !EmailAddress.atext[Int($0)] }) {
                return "contains '\(Character(Unicode.Scalar(bad)))' before the '@'"
            }
        }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return "has no dot in the domain" }
        let hyphen = UInt8(ascii: "-")
        for label in labels {
            guard !label.isEmpty, label.count <= 63 else { return "has an empty or over-long domain label" }
            let ldh = label.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == hyphen
            }
            guard ldh, label.first != hyphen, label.last != hyphen else {
                return "has an invalid domain '\(String(decoding: domain, as: UTF8.self))'"
            }
        }
        return nil
    }

    /// RFC 5322 atext, as a lookup table over ASCII bytes.
    static let atext: [Bool] = (0..<256).map { byte in
        guard byte < 128 else { return false }
        return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8.contains(
            UInt8(byte))
    }

    /// True when `address` passes `problem(with:)`.
    public static func isValid(_ address: String) -> Bool { problem(with: address) == nil }

    /// Parses `Display Name <addr@example>` or a bare `addr@example` into a mailbox.
    public static func parseMailbox(_ text: String) -> Result<Mailbox, PhraseError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
            }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            if let problem = problem(with: address) { return .failure(PhraseError("'\(address)' \(problem)")) }
            if let bad = controlCharacter(in: name) { return .failure(PhraseError("the name \(bad)")) }
            return .success(Mailbox(name: name, address: address))
        }
        if let problem = problem(with: trimmed) { return .failure(PhraseError("'\(trimmed)' \(problem)")) }
        return .success(Mailbox(name: "", address: trimmed))
    }

    /// Describes the first control character (CR, LF, NUL, …) in `text`, or nil if there is none.
    public static func controlCharacter(in text: String) -> String? {
        // Fast path: plain ASCII without C0 controls or DEL (nearly every roster value).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        guard let bad = text.unicodeScalars.first(where: isControl) else { return nil }
        switch bad.value {
        case 0x0D: return "contains a carriage return (CR)"
        case 0x0A: return "contains a line feed (LF)"
        case 0x00: return "contains a NUL character"
        case 0x09: return "contains a tab character"
        default: return "contains a control character (U+\(String(format: "%04X", bad.value)))"
        }
    }

    /// C0 and C1 controls, DEL, and the Unicode line/paragraph separators that some clients treat as newlines.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
}
