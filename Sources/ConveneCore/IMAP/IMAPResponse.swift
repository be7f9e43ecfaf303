/// The parts of the IMAP server's untagged answers convene reads (RFC 3501 §7), as libcurl hands them over: the
/// bytes of `* …` lines, CRLF-terminated.
public enum IMAPResponse {
    /// The UIDs of `* SEARCH n n …` lines, ascending and without duplicates (oldest first: UIDs only grow). Other
    /// untagged lines are skipped; a SEARCH line with anything but numbers is an error (a server or a proxy that
    /// does not speak IMAP, which must not be guessed at).
    public static func searchUIDs(_ bytes: [UInt8]) -> Result<[UInt32], IMAPResponseError> {
        var uids = Set<UInt32>()
        for line in lines(bytes) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "SEARCH" else { continue }
            for word in words.dropFirst(2) {
                guard let uid = UInt32(word), uid > 0 else {
                    return .failure(IMAPResponseError("the server's SEARCH answer has '\(word.prefix(40))', not a UID"))
                }
                uids.insert(uid)
            }
        }
        return .success(uids.sorted())
    }

    /// The UIDVALIDITY of a `* STATUS name (UIDVALIDITY n)` line (or of `* OK [UIDVALIDITY n]`), nil when none.
    public static func uidValidity(_ bytes: [UInt8]) -> UInt32? {
        for line in lines(bytes) {
            let upper = line.uppercased()
            guard upper.hasPrefix("* "), let range = upper.range(of: "UIDVALIDITY ") else { continue }
            let digits = upper[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if let value = UInt32(digits), value > 0 { return value }
        }
        return nil
    }

    /// The capabilities of `* CAPABILITY …` lines, upper-cased (`MOVE`, `UIDPLUS`, `AUTH=PLAIN`).
    public static func capabilities(_ bytes: [UInt8]) -> Set<String> {
        var found = Set<String>()
        for line in lines(bytes) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "CAPABILITY" else { continue }
            for word in words.dropFirst(2) { found.insert(word.uppercased()) }
        }
        return found
    }

    /// True when the answer to `LIST "" NAME` lists the mailbox (a `* LIST` line without `\NonExistent`).
    public static func listsMailbox(_ bytes: [UInt8]) -> Bool {
        lines(bytes).contains {
            let upper = $0.uppercased()
            return upper.hasPrefix("* LIST ") && !upper.contains("\\NONEXISTENT")
        }
    }

    /// The hierarchy delimiter of the answer to `LIST "" ""` (`* LIST (\Noselect) "/" ""`): the character the server
    /// separates folder levels with; nil when it has none (`NIL`, a flat namespace) or did not say.
    public static func hierarchyDelimiter(_ bytes: [UInt8]) -> Character? {
        for line in lines(bytes) {
            guard line.uppercased().hasPrefix("* LIST "), let close = line.firstIndex(of: ")") else { continue }
            let rest = line[line.index(after: close)...].drop { $0 == " " }
            if rest.hasPrefix("\"\\\\\"") { return "\\" }
            let characters = Array(rest.prefix(3))
            guard characters.count == 3, characters[0] == "\"", characters[2] == "\"" else { return nil }
            return characters[1]
        }
        return nil
    }

    /// The answer's lines without their line ends; bytes that are not UTF-8 are replaced, never trusted.
    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { String($0) }
    }
}

/// An IMAP answer convene cannot read.
public struct IMAPResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with it.
    public var description: String
    /// An error with this text.
    public init(_ description: String) { self.description = description }
}
