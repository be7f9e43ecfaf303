import Foundation

/// Runs blocking work (a `waitpid`, a blocking `read`, a child's whole run) on a thread of its own and resumes the
/// caller when it is done.
///
/// Swift concurrency has one cooperative thread per CPU (two here). A test that blocks one of them (sleeping,
/// polling, `waitUntilExit`) stops every other test from running on it, so the suites cannot overlap their waits.
/// Work handed to `onOwnThread` blocks only its own thread; the awaiting task gives its cooperative thread back.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Polls `condition` every `interval` seconds until it holds or `seconds` pass, sleeping with `Task.sleep` (so the
/// cooperative thread is free between polls). Returns whether the condition held.
public func pollUntil(
    seconds: Double, interval: Double = 0.01, _ condition: () throws -> Bool
) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        guard Date() < deadline else { return false }
        try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
    }
}

/// Sleeps `seconds` with `Task.sleep`, leaving the cooperative thread to other tests (where `Thread.sleep` or
/// `usleep` would hold it).
public func pause(seconds: Double) async {
    try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
}
