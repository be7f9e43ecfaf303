import ConveneCore
import Foundation
import Glibc

/// The files of queued one-offs (`convene send --attach`), kept in `state/attachments/SHA256` so that the bytes sent
/// are the bytes given even if the file changes or goes before the send; and, for a composer, the rules' files read
/// at load. Content-addressed: the same file queued twice is stored once, and a stored file is never rewritten.
public final class AttachmentStore: AttachmentSource, @unchecked Sendable {
    // @unchecked: `cache` is only touched while holding `lock`; everything else is immutable.
    /// `state/attachments`.
    public let directory: String
    private let preloaded: AttachmentBytes
    private let lock = NSLock()
    /// Read once per process: one message's file goes to every recipient of a one-off.
    private var cache: [String: [UInt8]] = [:]

    /// The store in `stateDirectory/attachments`, answering first from `preloaded` (the rules' files).
    public init(stateDirectory: String, preloaded: AttachmentBytes = AttachmentBytes()) {
        self.directory = Self.directory(stateDirectory)
        self.preloaded = preloaded
    }

    /// `stateDirectory/attachments`.
    public static func directory(_ stateDirectory: String) -> String { stateDirectory + "/attachments" }

    /// The bytes of `attachment`: from the rules' files, else from the folder when the stored file still has the
    /// recorded SHA-256 (a damaged copy is not sent).
    public func bytes(of attachment: AttachedFile) -> [UInt8]? {
        if let bytes = preloaded.bytes(of: attachment) { return bytes }
        return lock.withLock {
            if let bytes = cache[attachment.sha256] { return bytes }
            // A name from the journal becomes a path: only hex digits may.
            guard attachment.sha256.utf8.count == 64,
                attachment.sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                let data = FileManager.default.contents(atPath: directory + "/" + attachment.sha256)
            else { return nil }
            let bytes = [UInt8](data)
            guard SHA256.hex(bytes) == attachment.sha256 else { return nil }
            cache[attachment.sha256] = bytes
            return bytes
        }
    }

    /// Stores `bytes` under their SHA-256 (temp file → fsync → rename → fsync of the folder), unless a file of that
    /// name with those contents is already there; returns the SHA-256.
    @discardableResult
    public static func store(_ bytes: [UInt8], stateDirectory: String) throws(SystemError) -> String {
        let sha = SHA256.hex(bytes)
        let folder = directory(stateDirectory)
        let path = folder + "/" + sha
        if let existing = FileManager.default.contents(atPath: path), SHA256.hex([UInt8](existing)) == sha {
            return sha
        }
        try SystemError.createFolder(folder)
        if geteuid() == 0 {
            let dfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd >= 0 {
                SystemError.matchOwner(dfd, of: stateDirectory)
                close(dfd)
            }
        }
        let temp = path + ".tmp"
        let fd = try SystemError.check("open", temp) { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        SystemError.matchOwner(fd, of: stateDirectory)
        do {
            try SystemError.writeAll(fd, bytes, temp)
            try SystemError.check("fsync", temp) { fsync(fd) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try SystemError.check("rename", temp) { rename(temp, path) }
        let dfd = try SystemError.check("open", folder) { open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(dfd) }
        try SystemError.check("fsync", folder) { fsync(dfd) }
        return sha
    }
}
