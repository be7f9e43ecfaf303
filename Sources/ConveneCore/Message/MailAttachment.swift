/// A file inside an outgoing message: its name, its MIME type and its bytes (`MIMEWriter` base64-encodes them).
public struct MailAttachment: Sendable, Hashable {
    /// The file name the recipient sees.
    public var filename: String
    /// The MIME type of the part (`AttachedFile.contentType(forFilename:)`).
    public var contentType: String
    /// The file's contents.
    public var bytes: [UInt8]

    /// A part for `bytes`, typed from `filename`'s extension unless `contentType` is given.
    public init(filename: String, contentType: String? = nil, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType ?? AttachedFile.contentType(forFilename: filename)
        self.bytes = bytes
    }
}
