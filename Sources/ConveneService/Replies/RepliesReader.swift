import ConveneCore
import Foundation

/// One pass over a mailbox of replies: each message is interpreted, journaled (and synced) with its outcome, and only
/// then moved out of the folder. A message already journaled (by its mailbox id or Message-ID: a crash between
/// journal and move, or the same reply delivered twice) is moved, never applied again.
///
/// Used by `convene replies --once` (Maildir or IMAP) and by the daemon's poll.
public struct RepliesReader {
    /// Where handled messages go (`replies.processed`), and where what a person must read goes
    /// (`replies.needs_attention`).
    public var processed: String
    /// See `processed`.
    public var needsAttention: String

    /// A reader moving into the given folders.
    public init(processed: String = "convene/processed", needsAttention: String = "convene/needs-attention") {
        self.processed = processed
        self.needsAttention = needsAttention
    }

    /// What happened to one message in a pass.
    public struct Handled: Sendable {
        /// The message's id in its mailbox.
        public var id: String
        /// The interpretation; nil when it had been journaled before and was only moved.
        public var reply: InterpretedReply?
        /// The outcome (journaled now or before).
        public var outcome: String
        /// The folder it was moved to.
        public var folder: String
        /// The records journaled for it in this pass (none when it had been journaled before): a daemon folds them
        /// into its state so the next plan sees the answer.
        public var records: [JournalRecord]
    }

    /// Why a pass stopped early.
    public enum Failure: Error, Sendable {
        /// The mailbox could not be read or a message could not be moved.
        case mailbox(MailboxError)
        /// The journal could not be written: nothing more is read.
        case journal(JournalError)
    }

    /// Reads every pending message of `source` once. `records` are the journal's records as read (for the state and
    /// the sent Message-IDs); `people` the roster (for delegates). Returns what was done, in order; a failure stops
    /// the pass after what was already journaled and moved.
    public func pass(
        source: some MailboxSource, journal: FileJournal, records: [JournalRecord], people: [Person], now: Date
    ) -> (handled: [Handled], failure: Failure?) {
        pass(
            source: source, journal: journal, records: { () throws(JournalError) in records }, people: people, now: now)
    }

    /// As `pass(source:journal:records:people:now:)`, with the records read only when the folder holds mail: the
    /// daemon polls every few minutes, mostly finding nothing, and the journal can be large.
    public func pass(
        source: some MailboxSource, journal: FileJournal, records read: () throws(JournalError) -> [JournalRecord],
        people: [Person], now: Date
    ) -> (handled: [Handled], failure: Failure?) {
        let messages: [IncomingMessage]
        do {
            messages = try source.pending()
        } catch {
            return ([], .mailbox(error))
        }
        guard !messages.isEmpty else { return ([], nil) }
        let records: [JournalRecord]
        do {
            records = try read()
        } catch {
            return ([], .journal(error))
        }
        var state = JournalState(records: records)
        let context = ReplyContext(records: records, state: state, people: people)
        var handled: [Handled] = []
        for message in messages {
            let journaledOutcome = state.mailOutcomes[message.id]
            var reply: InterpretedReply?
            var outcome = journaledOutcome ?? ""
            var written: [JournalRecord] = []
            if journaledOutcome == nil {
                var interpreted = ReplyInterpreter.interpret(message.bytes, context: context)
                if let id = interpreted.messageID, state.handledMail.contains(id) {
                    // The same reply delivered twice (or copied back into the folder): counted once.
                    interpreted.reason = "already journaled (Message-ID \(id)): " + interpreted.reason
                    let record = Self.record(interpreted, mailbox: message.id, now: now, duplicate: true)
                    do { try journal.append(record) } catch { return (handled, .journal(error)) }
                    state.apply(record)
                    written = [record]
                    outcome = record.outcome ?? ""
                } else {
                    var batch = [Self.record(interpreted, mailbox: message.id, now: now, duplicate: false)]
                    if interpreted.outcome == .bounce, let sent = interpreted.bounced {
                        batch.append(
                            JournalRecord(
                                type: .failed, at: now, key: sent.key, kind: sent.kind, uid: sent.uid,
                                msgid: sent.messageID,
                                to: sent.to, cc: sent.instead ? sent.cc : nil, code: interpreted.code ?? 550,
                                permanent: true,
                                reply: "bounce \(interpreted.status ?? ""): "
                                    + (interpreted.diagnostic ?? "the remote server refused it"),
                                instead: sent.instead ? true : nil))
                    }
                    // Journaled and synced before the message moves: a crash now leaves it journaled and unmoved.
                    do { try journal.append(batch) } catch { return (handled, .journal(error)) }
                    for record in batch { state.apply(record) }
                    written = batch
                    outcome = interpreted.outcome.rawValue
                }
                reply = interpreted
            }
            let folder = ReplyOutcome(rawValue: outcome)?.needsPerson == true ? needsAttention : processed
            do {
                try source.move(message, to: folder)
            } catch {
                return (handled, .mailbox(error))
            }
            handled.append(Handled(id: message.id, reply: reply, outcome: outcome, folder: folder, records: written))
        }
        return (handled, nil)
    }

    /// The `reply` record for an interpreted message. A duplicate is journaled as handled (its mailbox id) with the
    /// outcome `stale`, so it never applies anything.
    static func record(_ reply: InterpretedReply, mailbox: String, now: Date, duplicate: Bool) -> JournalRecord {
        let key: String
        if let occurrence = reply.occurrence, let attendee = reply.attendee {
            key = occurrence + "/reply/" + attendee
        } else {
            key = "reply/" + mailbox
        }
        return JournalRecord(
            type: .reply, at: now, key: key, kind: .invitation, uid: reply.uid, seq: reply.sequence,
            msgid: duplicate ? nil : reply.messageID, to: reply.attendee ?? reply.from,
            reason: String(reply.reason.prefix(500)), mailbox: mailbox,
            outcome: duplicate ? ReplyOutcome.stale.rawValue : reply.outcome.rawValue,
            partstat: duplicate ? nil : reply.partstat, note: reply.note, occurrence: reply.recurrenceID)
    }
}
