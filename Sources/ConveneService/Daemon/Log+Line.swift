extension Log {
    /// One log event as data: a pure type (`DeliveryLedger`) decides what to log and the shell writes it with
    /// `log(line)`, so a test can compare what would be logged without capturing output.
    struct Line: Sendable, Equatable, CustomStringConvertible {
        var level: Level
        var message: String
        /// In the order they are written.
        var fields: [(key: String, value: String)]

        init(_ level: Level, _ message: String, _ fields: [(key: String, value: String)] = []) {
            self.level = level
            self.message = message
            self.fields = fields
        }

        static func == (lhs: Line, rhs: Line) -> Bool {
            lhs.level == rhs.level && lhs.message == rhs.message && lhs.fields.elementsEqual(rhs.fields) { $0 == $1 }
        }

        /// `error: message key=value …`, for test failures.
        var description: String {
            "\(level): \(message)" + fields.map { " \($0.key)=\($0.value)" }.joined()
        }
    }
}
