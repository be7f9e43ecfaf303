import Foundation
import Glibc

/// A failed system call: what was being done, to which path, and errno's explanation.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// What was being done, as the call's name or a phrase (`open`, `fsync`, `create folder`).
    public var operation: String
    /// The file or folder it was done to.
    public var path: String
    /// The `errno` value the call left (`ENOSPC`, `EACCES` …).
    public var code: Int32

    /// `operation path: strerror(code)`, e.g. `open /var/lib/convene/journal.jsonl: Permission denied`.
    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }

    /// Runs a call that returns -1 on failure, retrying on EINTR.
    @discardableResult
    static func check(_ operation: String, _ path: String, _ call: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let result = call()
            if result != -1 { return result }
            if errno == EINTR { continue }
            throw SystemError(operation: operation, path: path, code: errno)
        }
    }

    /// Creates `path` and any missing folders above it.
    static func createFolder(_ path: String) throws(SystemError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SystemError(operation: "create folder", path: path, code: errno == 0 ? EACCES : errno)
        }
    }

    /// Writes every byte, looping over short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "write", path: path, code: errno)
            }
            offset += written
        }
    }

    /// Writes every byte at `offset` (pwrite), looping over short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: off_t, _ path: String) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes {
                pwrite(fd, $0.baseAddress! + done, $0.count - done, offset + off_t(done))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "write", path: path, code: errno)
            }
            done += written
        }
    }

    /// Gives the open file `fd` the owner of `directory` when convene runs as root: an admin's `convene send` or
    /// `approve` writes into the state folder of a daemon that runs as another user (systemd's `DynamicUser=`), which
    /// must be able to read what was written. Nothing to do, and nothing done, for any other user.
    static func matchOwner(_ fd: Int32, of directory: String) {
        guard geteuid() == 0 else { return }
        var info = stat()
        guard stat(directory, &info) == 0, info.st_uid != 0 else { return }
        _ = fchown(fd, info.st_uid, info.st_gid)
    }
}
