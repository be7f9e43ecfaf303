/// Where a composer finds attachment bytes: the rules' files, read when the configuration was loaded, and the
/// copies queued one-offs keep in the state folder. A port, so the core stays free of file access.
public protocol AttachmentSource: Sendable {
    /// The bytes of `attachment`, or nil when they are not to be had.
    func bytes(of attachment: AttachedFile) -> [UInt8]?
}
