/// The host an `smtp.url` names, and whether mail may go to it in plain text (`tls: none`).
///
/// `validate` (reading the rules file) and `run` (building the libcurl URL) both ask this, so a file that validates
/// is never refused at start: they used to have a rule each, and `validate` took any host beginning with `127.`
/// (`127.evil.example`, a name anyone can point anywhere) while `run` refused it, leaving systemd restarting a
/// service that `validate` had passed.
public enum SMTPHost {
    /// The host of `scheme://authority[/…]`: the authority without a port, and without the brackets of an IPv6
    /// literal. Nil when the URL has no `://`.
    public static func host(inURL url: String) -> String? {
        guard let separator = url.range(of: "://") else { return nil }
        let rest = url[separator.upperBound...]
        return host(inAuthority: String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }))
    }

    /// The host part of `host`, `host:port`, `[v6]` or `[v6]:port`.
    public static func host(inAuthority authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        return String(authority.prefix { $0 != ":" })
    }

    /// True only for hosts that cannot leave the machine: `localhost` (RFC 6761 reserves it for loopback), an IPv4
    /// literal in 127.0.0.0/8 and the IPv6 loopback `::1` (with or without brackets). A name that merely starts
    /// like one (`127.0.0.1.nip.io`, `localhost.evil.example`) resolves wherever DNS says and is refused. IPv4
    /// octets must be plain decimal: resolvers read `0127.0.0.1` as octal (87.0.0.1).
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") && name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        if isIPv6Loopback(name) { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            (1...3).contains(octet.count) && octet.allSatisfy(\.isASCIIDigit) && (octet == "0" || octet.first != "0")
                && Int(octet)! <= 255
        }
    }

    /// `::1` in any of its spellings: eight hex groups, or fewer around one `::` standing for zeros, all zero but
    /// the last, which is 1.
    private static func isIPv6Loopback(_ name: String) -> Bool {
        guard name.contains(":"), name.allSatisfy({ $0 == ":" || $0.isASCIIHexDigit }) else { return false }
        let halves = name.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ text: String) -> [Substring] {
            text.isEmpty ? [] : text.split(separator: ":", omittingEmptySubsequences: false)
        }
        let head = groups(halves[0])
        let tail = halves.count == 2 ? groups(halves[1]) : []
        let written = head + tail
        guard written.allSatisfy({ (1...4).contains($0.count) }) else { return false }
        let all: [Substring]
        if halves.count == 2 {
            guard written.count <= 7 else { return false }
            all = head + Array(repeating: "0", count: 8 - written.count) + tail
        } else {
            guard written.count == 8 else { return false }
            all = written
        }
        return all.dropLast().allSatisfy { Int($0, radix: 16) == 0 } && Int(all[7], radix: 16) == 1
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
