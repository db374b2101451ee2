import Crypto
import SwiftASN1
import X509

/// How swift-certificates' signature algorithms appear in a CMS SignerInfo (RFC 5753 for ECDSA, RFC 4056 and
/// RFC 8017 for RSA, RFC 8419 for Ed25519), and back.
enum SignatureAlgorithmMapping {
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 4]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 13]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    /// The SignerInfo signatureAlgorithm and digestAlgorithm for a signature algorithm.
    static func cmsAlgorithms(
        for algorithm: Certificate.SignatureAlgorithm
    ) throws(CMSError) -> (signature: CMSAlgorithmIdentifier, digest: CMSDigestAlgorithm) {
        let null = ASN1Any(derEncoded: try! DER.parse([0x05, 0x00]))
        switch algorithm {
        case .ecdsaWithSHA256: return (CMSAlgorithmIdentifier(algorithm: ecdsaWithSHA256), .sha256)
        case .ecdsaWithSHA384: return (CMSAlgorithmIdentifier(algorithm: ecdsaWithSHA384), .sha384)
        case .ecdsaWithSHA512: return (CMSAlgorithmIdentifier(algorithm: ecdsaWithSHA512), .sha512)
        case .sha256WithRSAEncryption:
            return (CMSAlgorithmIdentifier(algorithm: sha256WithRSAEncryption, parameters: null), .sha256)
        case .sha384WithRSAEncryption:
            return (CMSAlgorithmIdentifier(algorithm: sha384WithRSAEncryption, parameters: null), .sha384)
        case .sha512WithRSAEncryption:
            return (CMSAlgorithmIdentifier(algorithm: sha512WithRSAEncryption, parameters: null), .sha512)
        // RFC 8419 3.1: Ed25519 signs the attributes themselves; the message digest is SHA-512.
        case .ed25519: return (CMSAlgorithmIdentifier(algorithm: ed25519), .sha512)
        default: throw CMSError(.unsupportedAlgorithm, "signature algorithm \(algorithm) is not supported for CMS")
        }
    }

    /// The signature algorithm a SignerInfo names, given its digest algorithm.
    static func signatureAlgorithm(
        signature: CMSAlgorithmIdentifier,
        digest: CMSAlgorithmIdentifier
    ) -> Certificate.SignatureAlgorithm? {
        switch signature.algorithm {
        case ecdsaWithSHA256: return .ecdsaWithSHA256
        case ecdsaWithSHA384: return .ecdsaWithSHA384
        case ecdsaWithSHA512: return .ecdsaWithSHA512
        case sha256WithRSAEncryption: return .sha256WithRSAEncryption
        case sha384WithRSAEncryption: return .sha384WithRSAEncryption
        case sha512WithRSAEncryption: return .sha512WithRSAEncryption
        case ed25519: return .ed25519
        case rsaEncryption:
            // Many producers name only the key type and let digestAlgorithm carry the hash.
            switch CMSDigestAlgorithm(digest) {
            case .sha256: return .sha256WithRSAEncryption
            case .sha384: return .sha384WithRSAEncryption
            case .sha512: return .sha512WithRSAEncryption
            case nil: return nil
            }
        default: return nil
        }
    }

    /// The usual signature algorithm for a key: the hash that matches the curve, SHA-256 for RSA.
    static func defaultAlgorithm(for key: Certificate.PrivateKey) throws(CMSError) -> Certificate.SignatureAlgorithm {
        let publicKey = key.publicKey
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if Curve25519.Signing.PublicKey(publicKey) != nil { return .ed25519 }
        let supported = key.supportedSignatureAlgorithms
        if supported.contains(.sha256WithRSAEncryption) { return .sha256WithRSAEncryption }
        if let first = supported.first, (try? cmsAlgorithms(for: first)) != nil { return first }
        throw CMSError(.unsupportedAlgorithm, "no CMS signature algorithm is known for key \(publicKey)")
    }

    /// The signature algorithm for `key` whose CMS digest algorithm is `digest`: ECDSA and RSA with that hash;
    /// Ed25519 only with SHA-512 (RFC 8419).
    static func algorithm(
        for key: Certificate.PrivateKey, digest: CMSDigestAlgorithm
    ) throws(CMSError) -> Certificate.SignatureAlgorithm {
        let preferred = try defaultAlgorithm(for: key)
        if (try? cmsAlgorithms(for: preferred))?.digest == digest { return preferred }
        let candidates: [Certificate.SignatureAlgorithm]
        switch preferred {
        case .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512:
            candidates = [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512]
        case .sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption:
            candidates = [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption]
        default:
            candidates = []
        }
        for candidate in candidates where key.supportedSignatureAlgorithms.contains(candidate) {
            if (try? cmsAlgorithms(for: candidate))?.digest == digest { return candidate }
        }
        throw CMSError(.unsupportedAlgorithm, "the key cannot sign a \(digest) message digest")
    }
}
