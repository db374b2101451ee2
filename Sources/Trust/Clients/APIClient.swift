public import Foundation

/// A system registered to call the Trust block's APIs (a relying party, an agency's back office).
///
/// It authenticates with a bearer token; the registry keeps only the token's SHA-256.
public struct APIClient: Sendable, Hashable {
    /// The client's id: `client-` and 16 hex digits.
    public let id: String
    /// A name for operators.
    public let name: String
    /// What it may do.
    public let scopes: Set<APIScope>
    /// The certificate profiles it may have issued through the remote signing API.
    public let profiles: [CertificateProfile]
    /// When it was registered.
    public let createdAt: Date
    /// When it was revoked, if it was.
    public let revokedAt: Date?

    /// Whether its token still works.
    public var isActive: Bool { revokedAt == nil }

    /// The profiles a remote signing client may be allowed: signing and sealing, never TLS or authentication.
    public static let remoteSigningProfiles: [CertificateProfile] = [.citizenQualifiedSignature, .organisationSeal]
}
