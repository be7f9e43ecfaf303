/// Why a real test peer (a server, the built binary, a validator) could not be started or answered; tests fail with
/// this message rather than pass.
public struct TestSetupError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the test's failure message.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
