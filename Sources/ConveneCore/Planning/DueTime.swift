import Foundation

/// Turns `send:` phrases and the send window into absolute instants, DST-correct in the service zone.
public struct DueTime: Sendable {
    public var zone: TimeZone
    public var window: SendWindow

    public init(zone: TimeZone, window: SendWindow) {
        self.zone = zone
        self.window = window
    }

    /// The nominal due instant of a rule for an occurrence starting at `start`, before the window is applied.
    public func nominal(_ offset: SendOffset, before start: Date) -> Date {
        let local = LocalDateTime(instant: start, in: zone)
        switch offset.unit {
        case .hours:
            return start.addingTimeInterval(-Double(offset.amount) * 3600)
        case .days, .weeks:
            let days = offset.unit == .weeks ? offset.amount * 7 : offset.amount
            return LocalDateTime(date: local.date.adding(days: -days), time: offset.at ?? local.time).instant(in: zone)
        }
    }

    /// `instant` if it is inside the send window, else the next moment the window opens.
    public func intoWindow(_ instant: Date) -> Date {
        let local = LocalDateTime(instant: instant, in: zone)
        if window.days.contains(local.date.weekday), local.time >= window.opens, local.time.minutesSinceMidnight < window.closes.minutesSinceMidnight {
            return instant
        }
        var date = local.date
        if !(window.days.contains(date.weekday) && local.time < window.opens) {
            date = date.adding(days: 1)
        }
        for _ in 0..<8 where !window.days.contains(date.weekday) { date = date.adding(days: 1) }
        return LocalDateTime(date: date, time: window.opens).instant(in: zone)
    }

    /// The due instant: nominal, then moved forward into the window.
    public func due(_ offset: SendOffset, before start: Date) -> Date { intoWindow(nominal(offset, before: start)) }
}
