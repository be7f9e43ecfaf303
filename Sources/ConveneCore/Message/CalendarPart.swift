/// The iCalendar object carried by an invitation, update or cancellation email.
///
/// The method is kept beside the body because the MIME part must announce the same `method=` as the
/// `METHOD:` line inside (Outlook rejects a mismatch).
public struct CalendarPart: Sendable, Hashable {
    /// REQUEST or CANCEL: the MIME part's `method=`, equal to the `METHOD:` inside by construction.
    public let method: CalendarInvite.Method
    /// The whole VCALENDAR as produced by `ICalendarWriter`, as bytes: it goes into the message base64-encoded.
    public let bytes: [UInt8]

    /// The VCALENDAR as text.
    public var body: String { String(decoding: bytes, as: UTF8.self) }

    /// The part for a rendered invite: method and body always agree. `frame` is the invite's shared frame when the
    /// caller has it (`ICalendarWriter.bytes(_:frame:)`).
    public init(_ invite: CalendarInvite, frame: ICalendarWriter.Frame? = nil) {
        method = invite.method
        bytes = ICalendarWriter.bytes(invite, frame: frame)
    }
}
