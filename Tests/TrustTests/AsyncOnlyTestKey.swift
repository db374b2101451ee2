import Crypto
import Foundation
import SwiftASN1
import X509

/// A key that, like a PKCS#11 token behind an async bridge, signs only asynchronously and cannot be exported:
/// the seam through which HSM keys reach the CMS signer and the time-stamp authority.
struct AsyncOnlyTestKey: CustomPrivateKey {
    struct NotExportable: Error {}
    struct SynchronousSigningUnsupported: Error {}

    static let defaultPEMDiscriminator = "PRIVATE KEY"

    let label: String
    let key: P256.Signing.PrivateKey

    var publicKey: Certificate.PublicKey { Certificate.PublicKey(key.publicKey) }
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }

    func signSynchronously(
        bytes: some DataProtocol,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        throw SynchronousSigningUnsupported()
    }

    func signAsynchronously(
        bytes: some DataProtocol & Sendable,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) async throws -> Certificate.Signature {
        await Task.yield()
        let signature = try key.signature(for: bytes)
        return try Certificate.Signature(
            signatureAlgorithm: signatureAlgorithm,
            signatureBytes: ASN1BitString(bytes: Array(signature.derRepresentation)[...])
        )
    }

    func serialize(into coder: inout DER.Serializer) throws {
        throw NotExportable()
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.label == rhs.label }

    func hash(into hasher: inout Hasher) { hasher.combine(label) }
}
