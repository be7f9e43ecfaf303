import Foundation

/// A lock-protected memo of rendered VTIMEZONE blocks, keyed by zone identifier and year.
///
/// `@unchecked Sendable` is safe because `entries` is only touched while `lock` is held.
final class VTimeZoneCache: @unchecked Sendable {
    struct Key: Hashable {
        var identifier: String
        var year: Int
    }

    private let lock = NSLock()
    private var entries: [Key: String] = [:]

    /// The cached block for `key`, computing it with `make` on first use. Two threads may both compute
    /// a missing entry; the results are identical, so the race only costs time.
    func value(for key: Key, make: () -> String) -> String {
        lock.lock()
        let cached = entries[key]
        lock.unlock()
        if let cached { return cached }
        let value = make()
        lock.lock()
        entries[key] = value
        lock.unlock()
        return value
    }
}
