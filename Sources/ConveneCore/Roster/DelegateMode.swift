/// How a person's delegate (private office, diary manager) takes part in their messages: the roster's
/// `delegate_mode` column.
public enum DelegateMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The delegate is copied (Cc and the envelope) on every message to the principal.
    case copy
    /// The delegate receives each message in the principal's place: the principal is sent nothing by mail, and
    /// calendar messages keep the principal as the ATTENDEE, so the entry stays theirs with the delegate acting for
    /// them.
    case instead
    /// The delegate is copied on calendar messages only (invitations, updates, cancellations, offers of a place),
    /// not on reminders or plain messages.
    case invitations

    /// The column's value: empty means `copy`, case does not matter; nil for anything else.
    public init?(column text: String) {
        if text.isEmpty {
            self = .copy
        } else if let mode = DelegateMode(rawValue: text.lowercased()) {
            self = mode
        } else {
            return nil
        }
    }

    /// True when the delegate is on a message of `kind` (calendar messages in every mode, others unless
    /// `invitations`).
    @inlinable public func includesDelegate(on kind: MessageKind) -> Bool {
        self != .invitations || kind.isCalendar
    }

    /// What `validate` lists when the column holds something else.
    static let hint =
        "delegate_mode is one of: copy (the delegate is copied on every message; the default when empty), instead "
        + "(the delegate receives the messages in the principal's place), invitations (the delegate is copied on "
        + "calendar messages only)"
}
