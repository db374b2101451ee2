public import CivitasCore
public import Foundation

/// A browser's signed-in session: who, how and since when.
///
/// The browser holds only a random token (in the `civitas_session` cookie); the table holds its SHA-256, so a
/// copy of the database opens no session.
public struct Session: Sendable, Hashable {
    /// The session's public identifier (for the list of sessions and for signing one out), not the token.
    public let id: String
    /// The person signed in.
    public let personalNumber: PersonalNumber
    /// Every method used in this session so far (step-up adds to it).
    public let methods: Set<AuthenticationMethod>
    /// When the person last authenticated (`auth_time`).
    public let authenticatedAt: Date
    /// When the session began.
    public let createdAt: Date
    /// When the browser was last seen.
    public let lastSeenAt: Date
    /// When the session ends at the latest, however active it is.
    public let expiresAt: Date
    /// The browser's user agent when the session began, for the list of sessions.
    public let userAgent: String?

    /// The level the session's methods reach.
    public var level: LevelOfAssurance { AuthenticationMethod.level(of: methods) }
}
