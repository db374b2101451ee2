public import Foundation

/// The limits ``LoginThrottle`` enforces.
///
/// The defaults: 5 failures for one account within 24 hours lock it for 15 minutes; each further lock within
/// 24 hours of the previous one lasts twice as long, up to 24 hours; 20 failures from one network within 15
/// minutes block that network for every account until fewer than 20 remain in the window.
public struct LoginThrottleRules: Sendable, Hashable {
    /// Failures for one account that lock it.
    public var accountFailureLimit: Int
    /// How far back an account's failures count (since its last success or lock).
    public var accountWindow: TimeInterval
    /// How long the first lock lasts.
    public var firstLockout: TimeInterval
    /// The longest lock; doubling stops here.
    public var longestLockout: TimeInterval
    /// How soon after a lock ends a new one doubles it, rather than starting again at ``firstLockout``.
    public var escalationMemory: TimeInterval
    /// Failures from one network, for any accounts, that block it.
    public var addressFailureLimit: Int
    /// The sliding window of a network's failures.
    public var addressWindow: TimeInterval

    /// Creates rules; every limit is at least 1 and every duration positive.
    public init(
        accountFailureLimit: Int = 5, accountWindow: TimeInterval = 24 * 3600, firstLockout: TimeInterval = 15 * 60,
        longestLockout: TimeInterval = 24 * 3600, escalationMemory: TimeInterval = 24 * 3600,
        addressFailureLimit: Int = 20, addressWindow: TimeInterval = 15 * 60
    ) {
        precondition(accountFailureLimit >= 1 && addressFailureLimit >= 1, "a limit is at least one failure")
        precondition(
            [accountWindow, firstLockout, escalationMemory, addressWindow].allSatisfy { $0 > 0 }
                && longestLockout >= firstLockout, "durations are positive and the longest lock is the longest")
        self.accountFailureLimit = accountFailureLimit
        self.accountWindow = accountWindow
        self.firstLockout = firstLockout
        self.longestLockout = longestLockout
        self.escalationMemory = escalationMemory
        self.addressFailureLimit = addressFailureLimit
        self.addressWindow = addressWindow
    }

    /// How long the `level`-th lock in a row lasts: ``firstLockout`` doubled `level − 1` times, at most
    /// ``longestLockout``.
    public func lockout(level: Int) -> TimeInterval {
        var duration = firstLockout
        var doublings = max(0, level - 1)
        while doublings > 0 && duration < longestLockout {
            duration *= 2
            doublings -= 1
        }
        return min(duration, longestLockout)
    }
}
