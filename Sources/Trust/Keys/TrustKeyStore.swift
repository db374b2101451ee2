public import X509

/// Where the trust services' private keys live: they are created, used and never leave it.
///
/// Implementations: ``SoftwareKeyStore`` (sealed in the database under the key-encryption key) and, later, a
/// PKCS#11 token (an HSM, or SoftHSM2 in tests), which plugs into swift-certificates as a `CustomPrivateKey`.
public protocol TrustKeyStore: Sendable {
    /// Creates a key named `name`; throws if one exists.
    func generate(name: String, algorithm: KeyAlgorithm) async throws -> Certificate.PrivateKey
    /// The key named `name`.
    func key(named name: String) async throws -> Certificate.PrivateKey
}
