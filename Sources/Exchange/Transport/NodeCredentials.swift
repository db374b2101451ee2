public import X509

/// What an exchange node presents in mutual TLS: its authentication certificate (Trust profile `tls-node`), the
/// issuing CAs above it, and the key, which may live in an HSM.
///
/// The key is only ever asked to sign (`signAsynchronously`) and for its public key; it is never serialised, so a
/// PKCS #11 key that cannot leave its token serves TLS as well as a software key.
public struct NodeCredentials: Sendable {
    /// The private key matching ``certificate``: ECDSA on P-256 (the `tls-node` profile) or P-384.
    public let key: Certificate.PrivateKey
    /// The node's authentication certificate.
    public let certificate: Certificate
    /// The issuing CAs from the one that issued ``certificate`` up to, but excluding, the root.
    public let chain: [Certificate]

    /// Bundles a node's key, certificate and chain.
    public init(key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate]) {
        self.key = key
        self.certificate = certificate
        self.chain = chain
    }
}
