public import CivitasCore
public import Foundation

/// A service this node provides for one of its subsystems, as the member's operator configured it locally
/// (X-Road's server configuration): where its backend is, how long to wait for it, and its OpenAPI description.
///
/// The central registry knows that the service exists and who may call it; only the provider's own node knows
/// the backend's address, which never leaves the member's network.
public struct ProvidedService: Hashable, Sendable {
    /// The service (provider subsystem and service code).
    public var id: XRoadServiceIdentifier
    /// A title for people.
    public var title: String
    /// The backend's base URL; the request's path after the service code is appended to it.
    public var backendURL: URL
    /// How long the node waits for the backend's answer.
    public var timeout: Duration
    /// The OpenAPI description (JSON or YAML text), when the operator gave one; `getOpenAPI` serves it and
    /// `listMethods` lists its operations.
    public var openAPI: String?

    /// Creates a record.
    public init(
        id: XRoadServiceIdentifier, title: String, backendURL: URL, timeout: Duration = .seconds(30),
        openAPI: String? = nil
    ) {
        self.id = id
        self.title = title
        self.backendURL = backendURL
        self.timeout = timeout
        self.openAPI = openAPI
    }
}
