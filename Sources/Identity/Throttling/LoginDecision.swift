public import Foundation

/// Whether a login attempt may go ahead.
public enum LoginDecision: Sendable, Hashable {
    /// Verify the password.
    case allowed
    /// Do not verify anything before this instant: the account is locked, or the client's network is blocked.
    case lockedUntil(Date)
}
