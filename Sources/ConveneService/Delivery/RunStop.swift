import ConveneCore

/// Why a run stopped, mapped to an exit status by the executable.
public enum RunStop: Error, Sendable, CustomStringConvertible {
    /// The journal cannot be written: nothing more may be sent.
    case journal(JournalError)
    /// The mail server refused service or cannot be reached.
    case transport(TransportFailure)
    /// Reconcile refused to plan (the roster dropped too many invited people).
    case refused(String)

    /// The reason, for logs and STATUS=.
    public var description: String {
        switch self {
        case .journal(let error): return error.description
        case .transport(let failure): return failure.message
        case .refused(let reason): return reason
        }
    }
}
