public import CivitasCore
import Foundation
public import X509

/// An exchange node as the central registry knows it: who runs it, where it listens, the authentication
/// certificates it proves itself with (mutual TLS), and the subsystems it serves.
public struct ExchangeNode: Hashable, Sendable {
    /// The node's identifier.
    public let id: ExchangeNodeIdentifier
    /// Where other nodes reach it.
    public let address: NodeAddress
    /// Its authentication certificates, issued by the organisations CA.
    public let certificates: [Certificate]
    /// The subsystems it serves (clients and providers behind it).
    public let clients: [XRoadClientIdentifier]

    /// Creates a record.
    public init(
        id: ExchangeNodeIdentifier, address: NodeAddress, certificates: [Certificate], clients: [XRoadClientIdentifier]
    ) {
        self.id = id
        self.address = address
        self.certificates = certificates
        self.clients = clients
    }
}
