import ConveneCore
import Foundation
import Glibc

/// Why publishing failed: the journal or history could not be read, or a file could not be written.
public enum PublishError: Error, Sendable, CustomStringConvertible {
    /// Reading the journal or the history files failed.
    case journal(JournalError)
    /// Writing into the publish folder failed.
    case io(SystemError)

    /// What failed, with the path and the system's reason.
    public var description: String {
        switch self {
        case .journal(let error): return error.description
        case .io(let error): return "publishing failed: \(error)"
        }
    }
}

/// Writes the programme's site (`ProgrammeSite`) into a folder, each file atomically: a temp file in the same folder,
/// fsync, rename over the old one, then fsync of the folder. A web server serving the folder sees the old file or
/// the new one, never half of one. Files are world-readable (0644) whatever the umask, since a web server reads them.
public enum Publisher {
    /// The file in the state folder that records the last publication, for `convene status`.
    public static func recordPath(_ stateDirectory: String) -> String { stateDirectory + "/published.json" }

    /// Renders the site from the files, the journal's state and the outcome history kept in `stateDirectory`
    /// (nil: no journal yet, no history) and writes it into `directory`. Returns the names of the files written.
    @discardableResult
    public static func publish(
        workspace: Workspace, state: JournalState, stateDirectory: String?, into directory: String, now: Date,
        includePrivate: Bool
    ) throws(PublishError) -> [String] {
        var records: [JournalRecord] = []
        if let stateDirectory,
            FileManager.default.fileExists(atPath: FileJournal.journalPath(stateDirectory))
                || !HistoryFiles.files(directory: stateDirectory).isEmpty
        {
            do {
                records = try HistoryFiles.outcomes(directory: stateDirectory).records
            } catch {
                throw .journal(error)
            }
        }
        let occurrences = Occurrence.all(in: workspace.config, known: state.identities, now: now)
        let site = ProgrammeSite(
            config: workspace.config, occurrences: occurrences, changes: ProgrammeHistory.changes(records), now: now,
            includePrivate: includePrivate)
        let files = site.files()
        do {
            try write(files, into: directory)
        } catch {
            throw .io(error)
        }
        if let stateDirectory { record(stateDirectory: stateDirectory, directory: directory, now: now) }
        return files.map(\.name)
    }

    /// Writes each file atomically, then fsyncs the folder once.
    public static func write(_ files: [ProgrammeSite.File], into directory: String) throws(SystemError) {
        if !FileManager.default.fileExists(atPath: directory) {
            try SystemError.createFolder(directory)
            _ = chmod(directory, 0o755)
        }
        for file in files {
            let path = directory + "/" + file.name
            let temporary = directory + "/." + file.name + ".tmp-\(getpid())"
            let fd = try SystemError.check("create", temporary) {
                open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            }
            do {
                try SystemError.check("chmod", temporary) { fchmod(fd, 0o644) }
                try SystemError.writeAll(fd, file.bytes, temporary)
                try SystemError.check("fsync", temporary) { fsync(fd) }
                try SystemError.check("close", temporary) { close(fd) }
            } catch {
                close(fd)
                unlink(temporary)
                throw error
            }
            do {
                try SystemError.check("rename", path) { rename(temporary, path) }
            } catch {
                unlink(temporary)
                throw error
            }
        }
        let folder = try SystemError.check("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(folder) }
        try SystemError.check("fsync", directory) { fsync(folder) }
    }

    /// Notes when and where the site was last published (best effort: the site itself is what matters).
    static func record(stateDirectory: String, directory: String, now: Date) {
        let object: [String: Any] = ["at": ISO8601DateFormatter().string(from: now), "directory": directory]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        let path = recordPath(stateDirectory)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data + Data("\n".utf8)) else { return }
        _ = rename(temporary, path)
    }

    /// When and where the site was last published, from the state folder; nil when it never was.
    public static func lastPublished(stateDirectory: String) -> (at: Date, directory: String)? {
        guard let data = FileManager.default.contents(atPath: recordPath(stateDirectory)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let at = object["at"] as? String, let directory = object["directory"] as? String,
            let date = ISO8601DateFormatter().date(from: at)
        else { return nil }
        return (date, directory)
    }
}
