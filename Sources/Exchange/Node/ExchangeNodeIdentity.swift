public import Trust
public import X509

/// Who an exchange node is: its identifier in the registry, the TLS credentials it authenticates with to other
/// nodes, and its owner's e-seal, with which it seals every message it sends.
public struct ExchangeNodeIdentity: Sendable {
    /// The node, `INSTANCE/CLASS/MEMBER/SERVER`.
    public let id: ExchangeNodeIdentifier
    /// The authentication key and certificate (the `tls-node` profile, from the organisations CA).
    public let credentials: NodeCredentials
    /// The owner's seal key and certificate (the `organisation-seal` profile), which names the owner.
    public let seal: CAdESSigner.Signer
    /// The national root: the anchor of the global configuration's signature and of every node's TLS chain.
    public let trustAnchor: Certificate

    /// Creates an identity, refusing a seal certificate that names another member than the node's owner.
    public init(
        id: ExchangeNodeIdentifier, credentials: NodeCredentials, seal: CAdESSigner.Signer, trustAnchor: Certificate
    ) throws(ExchangeError) {
        guard let named = MemberSealSubject.member(of: seal.certificate), named == id.owner else {
            throw ExchangeError(
                .invalidRecord,
                "the seal certificate must name the node's owner \(id.owner) in its organizationIdentifier")
        }
        self.id = id
        self.credentials = credentials
        self.seal = seal
        self.trustAnchor = trustAnchor
    }
}
