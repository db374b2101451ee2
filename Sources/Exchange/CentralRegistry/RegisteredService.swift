public import CivitasCore

/// A service a provider subsystem offers through the exchange.
public struct RegisteredService: Hashable, Sendable {
    /// The service (provider subsystem, code, version).
    public let id: XRoadServiceIdentifier
    /// A short title for people.
    public let title: String
    /// The SHA-256 of its OpenAPI description, lowercase hex, when one is stored.
    public let openAPIDigest: String?

    /// Creates a record.
    public init(id: XRoadServiceIdentifier, title: String, openAPIDigest: String?) {
        self.id = id
        self.title = title
        self.openAPIDigest = openAPIDigest
    }
}
