import Crypto
public import X509
import _CryptoExtras

/// A card's or device's answer to a device login, as received: what was signed when, the signature, and what
/// proves whose key it is.
public struct DeviceLoginAnswer: Sendable {
    /// Whose key signed.
    public enum Credential: Sendable {
        /// The eID card's citizen-authentication certificate.
        case certificate(Certificate)
        /// A registered mobile ID device, by its id.
        case device(id: String)
    }

    /// The `signedAt` of the ``DeviceLoginToBeSigned``, in seconds since 1970.
    public let signedAt: Int64
    /// The signature over the DER ``DeviceLoginToBeSigned``: for ECDSA a DER ECDSA-Sig-Value, for RSA the
    /// PKCS #1 v1.5 signature.
    public let signature: [UInt8]
    /// The certificate or the device.
    public let credential: Credential

    /// Creates an answer.
    public init(signedAt: Int64, signature: [UInt8], credential: Credential) {
        self.signedAt = signedAt
        self.signature = signature
        self.credential = credential
    }

    /// The signature algorithm a key signs device logins with: ECDSA with the hash matched to the curve
    /// (SHA-256 for P-256, SHA-384 for P-384), RSA PKCS #1 v1.5 with SHA-256; nil for other keys.
    public static func signatureAlgorithm(for key: Certificate.PublicKey) -> Certificate.SignatureAlgorithm? {
        if P256.Signing.PublicKey(key) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        if _RSA.Signing.PublicKey(key) != nil { return .sha256WithRSAEncryption }
        return nil
    }
}
