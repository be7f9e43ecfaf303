/// A file sent with a message (`attach:` on a `kind: message` rule, `convene send --attach`): the name the recipient
/// sees and the SHA-256 of its contents, which is also where a queued one-off keeps the bytes
/// (`state/attachments/HEX`). Actions and journal records carry this; the bytes come from an `AttachmentSource`.
public struct AttachedFile: Sendable, Hashable, Codable {
    /// The file name shown to the recipient: the last component of the path, as given.
    public var filename: String
    /// The SHA-256 of the contents, 64 lower-case hex digits.
    public var sha256: String
    /// The contents' length in bytes, before base64.
    public var size: Int

    /// An attachment of `bytes`, named `filename`.
    public init(filename: String, bytes: [UInt8]) {
        self.init(filename: filename, sha256: SHA256.hex(bytes), size: bytes.count)
    }

    /// An attachment already hashed (read back from the journal).
    public init(filename: String, sha256: String, size: Int) {
        self.filename = filename
        self.sha256 = sha256
        self.size = size
    }

    /// The largest file one message may carry: 5 MB (5,000,000 bytes).
    public static let maximumFileSize = 5_000_000
    /// The most all of one message's files may add up to: 7 MB. Base64 makes them about 37% larger on the wire
    /// (4/3, plus CRLF every 76 characters), so 7 MB of files is a message of about 9.6 MB: under Postfix's default
    /// `message_size_limit` of 10,240,000 bytes, the smallest limit common between convene and an inbox (Exchange
    /// Online accepts 25 MB by default, Gmail 25 MB).
    public static let maximumTotalSize = 7_000_000

    /// The MIME type recipients' mail programs open the file with, from its extension; anything unknown is
    /// `application/octet-stream` (saved, never guessed at).
    public var contentType: String { Self.contentType(forFilename: filename) }

    /// `contentType` for a file name.
    public static func contentType(forFilename filename: String) -> String {
        guard let dot = filename.lastIndex(of: ".") else { return "application/octet-stream" }
        return types[filename[filename.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }

    private static let types: [String: String] = [
        "pdf": "application/pdf",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
        // Like the invitation's own copy (STANDARDS.md): a `text/calendar` attachment breaks Gmail.
        "ics": "application/ics",
        "txt": "text/plain",
        "csv": "text/csv",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "zip": "application/zip",
    ]

    /// Why `filename` cannot name an attachment, or nil: it must be non-empty and free of control characters (it
    /// goes into a header), and of `/` (it is a name, not a path).
    public static func problem(withFilename filename: String) -> String? {
        if filename.isEmpty || filename == "." || filename == ".." { return "has no file name" }
        if filename.unicodeScalars.contains(where: {
            $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value)
        }) {
            return "has a control character in its name"
        }
        if filename.contains("/") { return "has a '/' in its name" }
        return nil
    }
}
