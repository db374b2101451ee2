public import CivitasCore
public import Foundation

/// What a successful login proved: who, by which methods, when.
///
/// Every login method (password, TOTP, eID card, mobile ID) ends by handing one of these to an
/// ``AuthenticationCompletion``, which opens or steps up the browser's session.
public struct Authentication: Sendable, Hashable {
    /// The person, by personal number.
    public var personalNumber: PersonalNumber
    /// The methods used in this login.
    public var methods: Set<AuthenticationMethod>
    /// When the person authenticated (`auth_time`).
    public var authenticatedAt: Date

    /// Creates an authentication result.
    public init(personalNumber: PersonalNumber, methods: Set<AuthenticationMethod>, authenticatedAt: Date) {
        self.personalNumber = personalNumber
        self.methods = methods
        self.authenticatedAt = authenticatedAt
    }

    /// The level of assurance the methods reach.
    public var level: LevelOfAssurance { AuthenticationMethod.level(of: methods) }
}
