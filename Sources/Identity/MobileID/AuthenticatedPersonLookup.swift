public import CivitasCore
public import Hummingbird
public import Web

/// A person the session layer has authenticated, and how strongly.
public struct AuthenticatedPerson: Sendable, Hashable {
    /// Who.
    public let personalNumber: PersonalNumber
    /// The level of assurance of the session's authentication.
    public let level: LevelOfAssurance

    /// Creates the value.
    public init(personalNumber: PersonalNumber, level: LevelOfAssurance) {
        self.personalNumber = personalNumber
        self.level = level
    }
}

/// Tells the device routes who is logged in to the browser or client that sent a request.
///
/// The session layer implements it (from its session cookie); the mobile ID device routes only ask it. They
/// register a device only for a session at ``LevelOfAssurance/high`` (an eID card login), and list or revoke only
/// the session person's own devices.
public protocol AuthenticatedPersonLookup: Sendable {
    /// The authenticated person behind `request`, or nil when there is no valid session.
    func authenticatedPerson(
        for request: Request, context: CivitasRequestContext
    ) async throws
        -> AuthenticatedPerson?
}
