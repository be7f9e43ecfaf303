import Foundation

/// Public holidays, read from the file `service.holidays` names: closed days of the send window, each with its name
/// so a message to an admin can say why a day was skipped.
public struct Holidays: Sendable, Hashable, Codable {
    /// Each holiday's name, by date.
    public private(set) var names: [LocalDate: String]

    /// Takes names as given; `Holidays+Parsing` reads the `YYYY-MM-DD name` file and reports its mistakes.
    public init(_ names: [LocalDate: String] = [:]) { self.names = names }

    /// No holidays: every day the window's weekdays allow is open.
    public static let none = Holidays()

    /// True when no holidays file is configured or it lists none: only the window's weekdays close days.
    public var isEmpty: Bool { names.isEmpty }
    /// How many holiday dates there are (shown by `validate`), not how many fall in any one window.
    public var count: Int { names.count }

    /// True when `date` is a holiday.
    public func contains(_ date: LocalDate) -> Bool { !names.isEmpty && names[date] != nil }

    /// The holiday's name, or nil when `date` is not a holiday.
    public func name(of date: LocalDate) -> String? { names[date] }

    /// Every holiday, earliest first.
    public var inDateOrder: [(date: LocalDate, name: String)] {
        names.sorted { $0.key < $1.key }.map { (date: $0.key, name: $0.value) }
    }
}
