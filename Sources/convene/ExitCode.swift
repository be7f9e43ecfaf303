import ConveneService

/// The process exit statuses (sysexits.h). Every error is mapped to one of these here, and only here.
enum ExitCode: Int32 {
    case ok = 0
    case usage = 64
    case dataError = 65
    /// EX_NOINPUT: a file named on the command line cannot be read (`send --attach`).
    case noInput = 66
    case unavailable = 69
    case ioError = 74
    case temporaryFailure = 75
    case noPermission = 77
    case configError = 78

    /// The status for a failed load: a bad roster is bad data, anything else bad config.
    init(_ failure: LoadFailure) {
        switch failure.kind {
        case .config: self = .configError
        case .data: self = .dataError
        }
    }

    /// The journal: held by another convene is temporary (75); anything else is journal I/O (74).
    init(_ error: JournalError) {
        if case .locked = error { self = .temporaryFailure } else { self = .ioError }
    }

    /// A transport that cannot be used: credentials refused (77), unreachable or refused TLS (69), or temporary.
    init(_ failure: TransportFailure) {
        switch failure.kind {
        case .authenticationRefused: self = .noPermission
        case .unavailable: self = .unavailable
        case .temporary: self = .temporaryFailure
        }
    }

    /// A mailbox of replies that cannot be read: credentials refused (77), unreachable (69), temporary (75), or
    /// settings that cannot work (78).
    init(_ error: MailboxError) {
        switch error.kind {
        case .authenticationRefused: self = .noPermission
        case .unavailable: self = .unavailable
        case .temporary: self = .temporaryFailure
        case .invalidSettings: self = .configError
        }
    }

    /// Why a run stopped.
    init(_ stop: RunStop) {
        switch stop {
        case .journal(let error): self.init(error)
        case .transport(let failure): self.init(failure)
        case .refused: self = .dataError
        }
    }
}

/// A failure a command reports to the user: a message for stderr and the exit status it maps to.
struct CommandError: Error {
    var exitCode: ExitCode
    var message: String
    /// Printed on its own line after the message when present.
    var hint: String?

    static func usage(_ message: String) -> CommandError { CommandError(exitCode: .usage, message: message) }
}
