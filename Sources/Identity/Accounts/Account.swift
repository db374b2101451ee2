public import CivitasCore

/// A person's account for logging in with a username and password (and optionally TOTP).
public struct Account: Sendable, Hashable {
    /// The person it belongs to (one account per person).
    public let personalNumber: PersonalNumber
    /// The username, lowercase.
    public let username: String
    /// Whether the password is a service hall's activation code, to be changed at the next login.
    public let mustChangePassword: Bool
    /// Whether a TOTP second factor is set up.
    public let hasSecondFactor: Bool
}
