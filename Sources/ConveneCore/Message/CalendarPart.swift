/// The iCalendar object carried by an invitation, update or cancellation email.
///
/// The method is kept beside the body because the MIME part must announce the same `method=` as the
/// `METHOD:` line inside (Outlook rejects a mismatch).
public struct CalendarPart: Sendable, Hashable {
    public var method: CalendarInvite.Method
    /// The whole VCALENDAR text as produced by `ICalendarWriter.render(_:)`.
    public var body: String

    public init(method: CalendarInvite.Method, body: String) {
        self.method = method
        self.body = body
    }

    /// The part for a rendered invite: method and body always agree.
    public init(_ invite: CalendarInvite) {
        self.init(method: invite.method, body: ICalendarWriter.render(invite))
    }
}
