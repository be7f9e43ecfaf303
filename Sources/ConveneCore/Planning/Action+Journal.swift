import Foundation

extension Action {
    /// Written and fsynced before the send.
    public func attemptRecord(at time: Date) -> JournalRecord {
        JournalRecord(
            type: .attempt, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID,
            to: recipient.address, employee: person?.employeeID, instead: insteadFlag)
    }

    /// The records' `instead`: true for a message (not a delegate copy) sent in the principal's place.
    private var insteadFlag: Bool? { !isDelegateCopy && sentInPlace ? true : nil }

    /// Written after the server accepted the message: carries what the calendar now shows.
    /// `copies`: the delegates' copies that were not delivered (see `JournalRecord.copies`).
    public func sentRecord(at time: Date, reply: String? = nil, copies: [JournalRecord.Copy]? = nil) -> JournalRecord {
        JournalRecord(
            type: .sent, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID,
            to: recipient.address,
            name: recipient.name, cc: cc.map(\.address), event: kind.isCalendar ? snapshot : nil, reply: reply,
            reason: kind == .cancellation || isAddressChange ? reason : nil, copies: copies,
            employee: person?.employeeID, instead: insteadFlag)
    }

    /// `copies`: how every delegate's copy tried in this attempt fared; `connection`: the connection failed before
    /// anything was handed over (see `JournalRecord.connection`).
    public func failedRecord(
        at time: Date, code: Int?, permanent: Bool, reply: String, copies: [JournalRecord.Copy]? = nil,
        connection: Bool? = nil
    ) -> JournalRecord {
        JournalRecord(
            type: .failed, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID,
            to: recipient.address,
            cc: reachesPrincipal ? nil : cc.map(\.address), code: code, permanent: permanent, reply: reply,
            copies: copies,
            connection: connection, employee: person?.employeeID, instead: insteadFlag)
    }

    /// Written instead of a send when the action is not sent (opted out, declined…), with its reason.
    public func skippedRecord(at time: Date) -> JournalRecord {
        JournalRecord(
            type: .skipped, at: time, key: key, kind: kind, uid: uid, seq: sequence, msgid: messageID,
            to: recipient.address,
            reason: skipReason ?? "skipped", employee: person?.employeeID)
    }
}
