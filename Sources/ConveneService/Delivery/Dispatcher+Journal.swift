import ConveneCore
import Foundation

/// The journal discipline: approvals folded in, compaction, and records written for the lanes.
extension Dispatcher {
    /// Takes in approvals `convene approve` recorded beside the journal since the last look (`Approvals`), copying
    /// each new one into the journal so it stays with the rest of the record.
    func foldApprovals(now: Date) throws(RunStop) {
        let size = Approvals.size(directory: journal.directory)
        let seen = shared.withLock { state in
            defer { state.approvalsSize = size }
            return state.approvalsSize == size
        }
        guard !seen else { return }
        for approval in Approvals.read(directory: journal.directory) {
            if approval.type == .queued {
                guard let oneOff = OneOff(record: approval), !state.isQueued(oneOff.id) else { continue }
                try record(approval)
                log.info("one-off queued", ["key": oneOff.key, "template": oneOff.template])
                continue
            }
            guard !state.approvals.contains(approval.files ?? "") else { continue }
            try record(approval)
            log.info("approved calendar change", ["files": approval.files ?? "", "change": approval.reason ?? ""])
        }
    }

    /// Rewrites the journal with only what planning still needs (`JournalCompaction`) once it has grown enough.
    /// Runs between messages, never between an attempt and its outcome. A failure stops sending: the journal
    /// cannot be trusted to take the next record.
    func compactIfNeeded(now: Date) throws(RunStop) {
        let linesAfterCompaction = shared.withLock { $0.linesAfterCompaction }
        let grown = journal.lineCount - linesAfterCompaction
        guard grown >= max(compactionThreshold, linesAfterCompaction) else { return }
        let before = journal.lineCount
        do {
            let records = try FileJournal.read(directory: journal.directory).records
            let (kept, dropped) = JournalCompaction.partitioned(records, now: now)
            guard kept.count < records.count else {
                // Nothing to drop (compaction only drops): rewriting the same records would replace the file (a new
                // inode and mtime, a full write and two fsyncs) at every start for nothing. Wait for new growth.
                shared.withLock { $0.linesAfterCompaction = records.count }
                log.info(
                    "journal compaction: nothing to drop", ["records": "\(records.count)", "journal": journal.path])
                return
            }
            // What the journal forgets stays in the history: `convene history` still shows who was sent what.
            try journal.compact(to: kept, archiving: dropped)
            // The fold of what was kept plans the same as the full journal, without the past's memory.
            let folded = JournalState(records: kept)
            shared.withLock {
                $0.journal = folded
                $0.linesAfterCompaction = kept.count
            }
            log.info("journal compacted", ["records": "\(before)", "kept": "\(kept.count)", "journal": journal.path])
        } catch {
            log.error("journal compaction failed; sending stops", ["error": error.description])
            throw .journal(error)
        }
    }

    func record(_ record: JournalRecord) throws(RunStop) {
        do {
            try journal.append(record)
        } catch {
            log.error("journal write failed; sending stops", ["error": error.description])
            throw .journal(error)
        }
        shared.withLock { $0.journal.apply(record) }
    }

    /// Records the first failure and tells every lane to stop after its current message.
    func stop(_ reason: RunStop) {
        shared.withLock {
            if $0.failure == nil { $0.failure = reason }
            $0.stopLanes = true
        }
    }

    /// Writes a record for a lane without waiting for the disk; nil (after stopping everything) if it failed.
    func write(_ record: JournalRecord, lazy: Bool = false) -> UInt64? {
        do {
            let ticket = try journal.write([record], lazy: lazy)
            shared.withLock { $0.journal.apply(record) }
            return ticket
        } catch {
            log.error("journal write failed; sending stops", ["error": error.description])
            stop(.journal(error))
            return nil
        }
    }
}
