/// Whether a reminder is skipped because of the recipient's answer to the invitation: a declined person gets no
/// further reminders for that occurrence, and a rule's `to:` narrows it to those who have not answered (a chaser)
/// or to those who accepted. Accepted and tentative people get `everyone` reminders as before. Someone whose
/// invitation bounced gets none.
public enum ReplySkip {
    /// The skip reason (journaled on the `skipped` record), or nil when the reminder goes.
    /// `partstat` is the latest answer (ACCEPTED, TENTATIVE, DECLINED), nil when there is none. `bounced`: the
    /// invitation failed for good; with no answer since, the mailbox is taken as dead and sent nothing more.
    public static func reason(to audience: ReplyAudience, partstat: String?, bounced: Bool = false) -> String? {
        if partstat == "DECLINED" { return "declined" }
        if bounced && partstat == nil { return "bounced" }
        switch audience {
        case .everyone:
            return nil
        case .noReply:
            return partstat.map { "answered: \($0.lowercased())" }
        case .accepted:
            return partstat == "ACCEPTED" ? nil : "not accepted: \(partstat?.lowercased() ?? "no reply")"
        }
    }
}
