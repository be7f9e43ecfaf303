/// Where a message is in an IMAP folder: the folder's UIDVALIDITY and the message's UID (RFC 3501 §2.3.1.1). Written
/// as `IncomingMessage.id` (`1700000000/42`), which the journal records with the Message-ID before acting.
///
/// A UID means something only under its UIDVALIDITY: when the server renumbers the folder (a new UIDVALIDITY), every
/// old reference is void. The reader then lists the folder afresh, and the journal's Message-IDs keep a reply that was
/// already applied from being applied twice.
public struct IMAPMessageRef: Sendable, Hashable, CustomStringConvertible {
    /// The folder's UIDVALIDITY when the message was listed.
    public var uidValidity: UInt32
    /// The message's UID under that UIDVALIDITY.
    public var uid: UInt32

    /// A reference of its parts.
    public init(uidValidity: UInt32, uid: UInt32) {
        self.uidValidity = uidValidity
        self.uid = uid
    }

    /// Reads `v/uid`, both non-zero 32-bit numbers; nil for anything else (a Maildir id, or a damaged one).
    public init?(id: String) {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let validity = UInt32(parts[0]), let uid = UInt32(parts[1]), validity > 0, uid > 0
        else { return nil }
        self.init(uidValidity: validity, uid: uid)
    }

    /// `v/uid`.
    public var description: String { "\(uidValidity)/\(uid)" }
}
