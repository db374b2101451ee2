public import CivitasCore
public import Crypto
public import Foundation

/// A person's registered mobile ID device: a P-256 key the device holds, and what the person calls it.
public struct MobileDevice: Sendable {
    /// The random id (32 lowercase hex digits), which the device sends with each approval.
    public let id: String
    /// Whose device it is.
    public let personalNumber: PersonalNumber
    /// The person's name for it ("Nino's phone").
    public let name: String
    /// The device's public key.
    public let publicKey: P256.Signing.PublicKey
    /// The SHA-256 of the key's SubjectPublicKeyInfo DER, lowercase hex: unique among devices.
    public let fingerprint: String
    /// When it was registered.
    public let registeredAt: Date
    /// When it was revoked, if it was.
    public let revokedAt: Date?

    /// Whether approvals from it are accepted.
    public var isUsable: Bool { revokedAt == nil }

    /// The fingerprint of `key`.
    public static func fingerprint(of key: P256.Signing.PublicKey) -> String {
        SHA256.hash(data: key.derRepresentation).map { byte in
            let digits = Array("0123456789abcdef")
            return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
        }.joined()
    }
}
