/// What a recipient's calendar entry for an occurrence needs next: the state machine at the heart of reconcile.
///
/// A pure function of the journal's thread for the recipient (what their calendar shows, if anything) and what the
/// files now want. `plan` asks `next(sent:wanted:whyNot:)`; `preview`, which shows a message whether or not it is
/// due, asks `forced(_:reinvite:sent:wanted:)`: both take the SEQUENCE from here.
public enum CalendarStep: Sendable, Hashable {
    /// The calendar is as it should be.
    case nothing
    /// No entry yet: the first invitation (SEQUENCE 0).
    case invite
    /// The entry was cancelled and is wanted again: a new invitation with the next SEQUENCE.
    case reinvite(sequence: Int)
    /// The entry shows something the calendar must see changed: an update with the next SEQUENCE.
    case update(sequence: Int, previous: EventSnapshot)
    /// The entry is no longer wanted: a cancellation with the next SEQUENCE, for `reason`.
    case cancel(sequence: Int, reason: String)

    /// Given what was last sent (if anything) and what the file now wants, the one step to take.
    /// `wanted` is nil when the recipient should not have the entry (occurrence gone, cancelled, or they left).
    public static func next(sent: JournalState.CalendarThread?, wanted: EventSnapshot?, whyNot: String) -> CalendarStep
    {
        switch (sent, wanted) {
        case (nil, nil): return .nothing
        case (nil, .some): return .invite
        case (.some(let thread), nil):
            return thread.cancelled ? .nothing : .cancel(sequence: thread.sequence + 1, reason: whyNot)
        case (.some(let thread), .some(let snapshot)):
            if thread.cancelled { return .reinvite(sequence: thread.sequence + 1) }
            if snapshot.differsSignificantly(from: thread.snapshot) {
                return .update(sequence: thread.sequence + 1, previous: thread.snapshot)
            }
            return .nothing
        }
    }

    /// The step a message of `kind` stands for when it is shown whether or not it is due (`preview`): an update,
    /// cancellation or re-invitation (`reinvite`) takes the SEQUENCE after the one last sent (1 with none sent), an
    /// invitation 0; a reminder carries no calendar (`nothing`). `wanted` is the previous snapshot of an update with
    /// no thread to take it from; a cancellation's reason is left to the caller.
    public static func forced(
        _ kind: MessageKind, reinvite: Bool, sent: JournalState.CalendarThread?, wanted: EventSnapshot
    ) -> CalendarStep {
        let following = (sent?.sequence ?? 0) + 1
        if reinvite { return .reinvite(sequence: following) }
        switch kind {
        case .invitation: return .invite
        case .update: return .update(sequence: following, previous: sent?.snapshot ?? wanted)
        case .cancellation: return .cancel(sequence: following, reason: "")
        case .reminder, .message: return .nothing
        }
    }

    /// The SEQUENCE of the message this step sends (0 for an invitation, and for `nothing`).
    public var sequence: Int {
        switch self {
        case .nothing, .invite: return 0
        case .reinvite(let sequence), .update(let sequence, _), .cancel(let sequence, _): return sequence
        }
    }
}
