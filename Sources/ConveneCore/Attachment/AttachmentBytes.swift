/// AttachedFile bytes held in memory, by SHA-256.
public struct AttachmentBytes: AttachmentSource {
    /// The bytes, by the SHA-256 of each.
    public var bySHA256: [String: [UInt8]]

    /// A source of these bytes, keyed by their SHA-256 (`SHA256.hex`).
    public init(_ bySHA256: [String: [UInt8]] = [:]) { self.bySHA256 = bySHA256 }

    /// The bytes, when held.
    public func bytes(of attachment: AttachedFile) -> [UInt8]? { bySHA256[attachment.sha256] }
}
