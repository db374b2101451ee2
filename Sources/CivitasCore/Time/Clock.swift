public import Foundation

/// The source of the current time for every block.
///
/// Injected rather than read from `Date()` so that tests can pin time (certificate validity, token expiry, audit
/// order) and so that one place decides how time is taken.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current instant from the operating system.
    public func now() -> Date { Date() }
}
