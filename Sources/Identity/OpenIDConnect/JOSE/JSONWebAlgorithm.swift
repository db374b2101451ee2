/// The JWS algorithms Civitas signs and verifies with (RFC 7518 §3, RFC 8037 §3.1).
public enum JSONWebAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// ECDSA P-256 with SHA-256: the default for ID tokens.
    case es256 = "ES256"
    /// ECDSA P-384 with SHA-384.
    case es384 = "ES384"
    /// Ed25519 (selectable per relying party).
    case edDSA = "EdDSA"
    /// RSASSA-PKCS1-v1_5 with SHA-256: accepted from clients (private_key_jwt), never used to sign.
    case rs256 = "RS256"
}
