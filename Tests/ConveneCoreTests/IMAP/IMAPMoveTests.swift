import Testing

@testable import ConveneCore

/// The move state machine as transcripts: the commands it sends, given the server's answers.
struct IMAPMoveTests {
    /// Runs a move, answering each command with the next of `answers` (true = OK); returns the commands and the end.
    static func run(_ capabilities: Set<String>, answers: [Bool]) -> (commands: [String], end: IMAPMove.Step) {
        var move = IMAPMove(uid: 42, to: "convene/processed", capabilities: capabilities)
        var step = move.start()
        var commands: [String] = []
        var remaining = answers[...]
        while case .send(let command) = step {
            commands.append(command)
            guard let ok = remaining.popFirst() else { return (commands, step) }
            step = move.answered(ok: ok, ok ? "" : "NO [TRYCREATE] no such folder")
        }
        return (commands, step)
    }

    @Test func moveWhenAdvertised() {
        let (commands, end) = Self.run(["IMAP4REV1", "MOVE", "UIDPLUS"], answers: [true])
        #expect(commands == ["UID MOVE 42 \"convene/processed\""] && end == .done)
    }

    @Test func copyStoreAndUIDExpungeWithUIDPLUS() {
        let (commands, end) = Self.run(["IMAP4REV1", "uidplus"], answers: [true, true, true])
        #expect(
            commands == [
                "UID COPY 42 \"convene/processed\"", "UID STORE 42 +FLAGS.SILENT (\\Deleted)", "UID EXPUNGE 42",
            ])
        #expect(end == .done)
    }

    @Test func copyStoreAndExpungeWithoutUIDPLUS() {
        let (commands, end) = Self.run(["IMAP4REV1"], answers: [true, true, true])
        #expect(commands.last == "EXPUNGE" && commands.count == 3 && end == .done)
    }

    @Test func aRefusedMoveOrCopyStopsAtOnce() {
        let moved = Self.run(["MOVE"], answers: [false])
        #expect(moved.commands.count == 1)
        #expect(moved.end == .failed("UID MOVE 42 to convene/processed was refused: NO [TRYCREATE] no such folder"))
        let copied = Self.run([], answers: [false])
        #expect(copied.commands.count == 1)
        #expect(copied.end == .failed("UID COPY 42 to convene/processed was refused: NO [TRYCREATE] no such folder"))
    }

    @Test func aFailureAfterTheCopySaysWhatIsLeftBehind() {
        let flagged = Self.run([], answers: [true, false])
        guard case .failed(let why) = flagged.end else {
            Issue.record("not failed: \(flagged.end)")
            return
        }
        #expect(why.contains("copied") && why.contains("could not be flagged deleted"))
        let expunged = Self.run(["UIDPLUS"], answers: [true, true, false])
        guard case .failed(let text) = expunged.end else {
            Issue.record("not failed: \(expunged.end)")
            return
        }
        #expect(text.contains("flagged deleted, but not expunged"))
    }

    @Test func aNameIsQuotedInTheCommand() {
        var move = IMAPMove(uid: 7, to: "Réponses \"x\"", capabilities: ["MOVE"])
        #expect(move.start() == .send("UID MOVE 7 \"R&AOk-ponses \\\"x\\\"\""))
    }

    @Test func answersOutsideAMoveAreFailures() {
        var move = IMAPMove(uid: 7, to: "x", capabilities: [])
        #expect(move.answered(ok: true) == .failed("the move of message 7 is not under way"))
    }
}
