import Foundation

extension Action {
    /// Written and fsynced before the send.
    public func attemptRecord(at time: Date) -> JournalRecord {
        JournalRecord(type: .attempt, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID, to: recipient.address)
    }

    /// Written after the server accepted the message: carries what the calendar now shows.
    public func sentRecord(at time: Date, reply: String? = nil) -> JournalRecord {
        JournalRecord(
            type: .sent, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID, to: recipient.address,
            name: recipient.name, cc: cc.map(\.address), event: kind.isCalendar ? snapshot : nil, reply: reply,
            reason: kind == .cancellation ? reason : nil)
    }

    public func failedRecord(at time: Date, code: Int?, permanent: Bool, reply: String) -> JournalRecord {
        JournalRecord(
            type: .failed, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID, to: recipient.address,
            code: code, permanent: permanent, reply: reply)
    }

    public func skippedRecord(at time: Date) -> JournalRecord {
        JournalRecord(
            type: .skipped, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID, to: recipient.address,
            reason: skipReason ?? "skipped")
    }
}
