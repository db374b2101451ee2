public import X509

/// The key types the national PKI and the OpenID Connect provider use.
public enum KeyAlgorithm: String, Sendable, CaseIterable, Codable {
    /// ECDSA on P-256, signed with SHA-256: end entities, the TSA and OCSP signers.
    case p256
    /// ECDSA on P-384, signed with SHA-384: the root and issuing CAs.
    case p384
    /// Ed25519 (RFC 8032), for ID tokens of relying parties that ask for EdDSA (RFC 8037). Software keys only.
    case ed25519

    /// The signature algorithm certificates and tokens signed by this key carry.
    public var signatureAlgorithm: Certificate.SignatureAlgorithm {
        switch self {
        case .p256: .ecdsaWithSHA256
        case .p384: .ecdsaWithSHA384
        case .ed25519: .ed25519
        }
    }
}
