/// A person in a header or calendar: display name and address. Both come from user files, so every
/// writer that emits one treats both as untrusted text.
public struct Mailbox: Sendable, Hashable, Codable {
    /// The display name; may be empty, may contain any Unicode.
    public var name: String
    /// The addr-spec (`local@domain`), validated upstream.
    public var address: String

    /// Takes both as given; neither is checked or escaped here.
    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}
