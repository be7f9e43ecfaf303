/// A small argument parser: `--flag`, `--option VALUE`, `--option=VALUE` and positionals, consumed by name.
/// Whatever a command does not consume is an error, so typos never pass silently.
struct Arguments {
    private var items: [String]

    init(_ items: [String]) { self.items = items }

    /// True (and consumed) if `--name` is present.
    mutating func flag(_ name: String) -> Bool {
        guard let i = items.firstIndex(of: "--\(name)") else { return false }
        items.remove(at: i)
        return true
    }

    /// The value of `--name VALUE` or `--name=VALUE`, consumed; nil when absent.
    mutating func option(_ name: String) throws(CommandError) -> String? {
        if let i = items.firstIndex(where: { $0.hasPrefix("--\(name)=") }) {
            let value = String(items[i].dropFirst(name.count + 3))
            items.remove(at: i)
            return value
        }
        guard let i = items.firstIndex(of: "--\(name)") else { return nil }
        guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else {
            throw .usage("--\(name) needs a value")
        }
        let value = items[i + 1]
        items.removeSubrange(i...(i + 1))
        return value
    }

    /// The next positional argument, consumed.
    mutating func positional() -> String? {
        guard let i = items.firstIndex(where: { !$0.hasPrefix("--") || $0 == "-" }) else { return nil }
        return items.remove(at: i)
    }

    /// Fails on anything left over.
    func finish() throws(CommandError) {
        if let extra = items.first {
            throw .usage(extra.hasPrefix("--") ? "unknown option \(extra)" : "unexpected argument '\(extra)'")
        }
    }
}
