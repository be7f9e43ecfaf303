/// The commands that move one message out of the selected folder, as a small state machine: `UID MOVE` (RFC 6851)
/// when the server advertises MOVE; otherwise `UID COPY`, `UID STORE +FLAGS.SILENT (\Deleted)` and `UID EXPUNGE`
/// (RFC 4315, when it advertises UIDPLUS) or a plain `EXPUNGE`.
///
/// The caller sends each `.send` command on the folder selected under the message's UIDVALIDITY and reports whether
/// the server said OK. A failure after the copy leaves the message in both folders; it is listed again on the next
/// pass and the journal's Message-ID keeps it from being applied twice.
public struct IMAPMove: Sendable, Equatable {
    /// What to do next.
    public enum Step: Sendable, Equatable {
        /// Send this command (without tag or line end).
        case send(String)
        /// The message is out of the folder.
        case done
        /// The move stopped; the text says where and what it left behind.
        case failed(String)
    }

    /// Where the move stands.
    enum State: Sendable, Equatable { case start, moving, copying, flagging, expunging, finished }

    let uid: UInt32
    let folder: String
    let capabilities: Set<String>
    private(set) var state = State.start

    /// A move of `uid` into `folder` (a name `IMAPMailboxName.problem` accepts), with the server's capabilities.
    public init(uid: UInt32, to folder: String, capabilities: Set<String>) {
        self.uid = uid
        self.folder = folder
        self.capabilities = Set(capabilities.map { $0.uppercased() })
    }

    /// The first command.
    public mutating func start() -> Step {
        let target = IMAPMailboxName.quoted(folder)
        if capabilities.contains("MOVE") {
            state = .moving
            return .send("UID MOVE \(uid) \(target)")
        }
        state = .copying
        return .send("UID COPY \(uid) \(target)")
    }

    /// The next step after the server answered the last command: `ok`, or its refusal text.
    public mutating func answered(ok: Bool, _ text: String = "") -> Step {
        let why = text.isEmpty ? "" : ": \(text)"
        switch (state, ok) {
        case (.moving, true), (.expunging, true):
            state = .finished
            return .done
        case (.moving, false):
            state = .finished
            return .failed("UID MOVE \(uid) to \(folder) was refused\(why)")
        case (.copying, true):
            state = .flagging
            return .send("UID STORE \(uid) +FLAGS.SILENT (\\Deleted)")
        case (.copying, false):
            state = .finished
            return .failed("UID COPY \(uid) to \(folder) was refused\(why)")
        case (.flagging, true):
            state = .expunging
            return .send(capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(uid)" : "EXPUNGE")
        case (.flagging, false):
            state = .finished
            return .failed("message \(uid) was copied to \(folder) but could not be flagged deleted\(why)")
        case (.expunging, false):
            state = .finished
            return .failed("message \(uid) was copied to \(folder) and flagged deleted, but not expunged\(why)")
        case (.start, _), (.finished, _):
            return .failed("the move of message \(uid) is not under way")
        }
    }
}
