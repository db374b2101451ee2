public import Foundation

/// A relying party as the registry keeps it: its settings and the record around them, disabled ones included.
public struct RegisteredRelyingParty: Sendable, Hashable {
    /// Its settings.
    public let party: RelyingParty
    /// Its public keys (a JWKS JSON document), for `private_key_jwt`.
    public let jwks: String?
    /// Whether a client secret is set.
    public let hasSecret: Bool
    /// When it was registered.
    public let createdAt: Date
    /// When it was last changed, if ever.
    public let updatedAt: Date?
    /// When it was disabled, if it was: it can no longer authorize, get tokens or use them.
    public let disabledAt: Date?

    /// Whether it is active.
    public var isActive: Bool { disabledAt == nil }
}
