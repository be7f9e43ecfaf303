import ConveneCore
import Foundation
import Glibc

/// A Maildir as a `MailboxSource`: the messages in `new/` and `cur/`, oldest name first; a handled message is moved
/// (renamed, so atomically) into the Maildir++ folder for `folder` (`convene/processed` → `.convene.processed`).
public struct MaildirMailbox: MailboxSource {
    /// The Maildir's root (the folder holding `new/`, `cur/` and `tmp/`).
    public let directory: String
    /// Largest message read, in bytes; larger files are handed over cut short (the reader looks at no more).
    public static let maxMessageBytes = MIMEReader.Limits.messageBytes

    /// A Maildir at `directory`; `pending()` fails when it is not one.
    public init(directory: String) {
        self.directory = directory
    }

    /// The Maildir++ folder name for a folder path: `convene/processed` → `.convene.processed`.
    public static func folderName(_ folder: String) -> String {
        "." + folder.split(separator: "/").joined(separator: ".")
    }

    /// The messages in `new/` and `cur/`, in name (arrival) order, each at most `maxMessageBytes` long.
    public func pending() throws(MailboxError) -> [IncomingMessage] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        for sub in ["new", "cur"] {
            guard manager.fileExists(atPath: directory + "/" + sub, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw MailboxError(
                    kind: .invalidSettings, message: "\(directory) is not a Maildir (it has no \(sub)/ folder)")
            }
        }
        var messages: [IncomingMessage] = []
        for sub in ["new", "cur"] {
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: directory + "/" + sub)
            } catch {
                throw MailboxError(kind: .temporary, message: "cannot list \(directory)/\(sub): \(error)")
            }
            for name in names where !name.hasPrefix(".") {
                let path = directory + "/" + sub + "/" + name
                guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                defer { try? handle.close() }
                let data = (try? handle.read(upToCount: Self.maxMessageBytes)) ?? nil
                messages.append(IncomingMessage(id: Self.uniqueName(name), bytes: Array(data ?? Data())))
            }
        }
        // Maildir names start with the delivery time in seconds: name order is arrival order, near enough.
        return messages.sorted { $0.id < $1.id }
    }

    /// Renames the message into `folder`'s `cur/`, creating the Maildir++ folder when it does not exist yet.
    public func move(_ message: IncomingMessage, to folder: String) throws(MailboxError) {
        let manager = FileManager.default
        let target = directory + "/" + Self.folderName(folder)
        for sub in ["new", "cur", "tmp"] {
            do {
                try manager.createDirectory(atPath: target + "/" + sub, withIntermediateDirectories: true)
            } catch {
                throw MailboxError(kind: .invalidSettings, message: "cannot create the folder \(target): \(error)")
            }
        }
        for sub in ["new", "cur"] {
            guard let names = try? manager.contentsOfDirectory(atPath: directory + "/" + sub),
                let name = names.first(where: { Self.uniqueName($0) == message.id })
            else { continue }
            // Into cur/ keeping the flags: a mail client shows it as it was.
            let destination = target + "/cur/" + (name.contains(":") ? name : name + ":2,")
            if rename(directory + "/" + sub + "/" + name, destination) != 0 {
                throw MailboxError(
                    kind: .temporary, message: "cannot move \(name) into \(target): \(String(cString: strerror(errno)))"
                )
            }
            return
        }
    }

    /// A file's unique name, without the `:2,FLAGS` info a mail client adds when it reads it.
    static func uniqueName(_ name: String) -> String {
        String(name.prefix { $0 != ":" })
    }
}
