import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway PKI for the Trust tests: a P-384 root CA and a P-256 time-stamping certificate under it
/// (extended key usage id-kp-timeStamping, critical; key usage digitalSignature), plus a P-384 and an
/// Ed25519 document signer for multi-signer CMS.
struct TrustTestPKI: Sendable {
    let rootKey: P384.Signing.PrivateKey
    let root: Certificate
    let tsaKey: P256.Signing.PrivateKey
    let tsa: Certificate
    let signerKey: P384.Signing.PrivateKey
    let signer: Certificate
    let edKey: Curve25519.Signing.PrivateKey
    let edSigner: Certificate

    /// A fresh PKI (fast: four key pairs, four certificates).
    static func make() throws -> TrustTestPKI {
        let rootKey = P384.Signing.PrivateKey()
        let rootName = try DistinguishedName {
            CountryName("GE")
            OrganizationName("Civitas Test")
            CommonName("Civitas Test Root CA")
        }
        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        let notAfter = Date(timeIntervalSince1970: 2_200_000_000)
        let rootPublic = Certificate.PublicKey(rootKey.publicKey)
        let rootKeyIdentifier = SubjectKeyIdentifier(hash: rootPublic)
        let root = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: rootPublic,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: rootName,
            subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                rootKeyIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey)
        )

        func leaf(
            _ name: String,
            _ publicKey: Certificate.PublicKey,
            timeStamping: Bool
        ) throws -> Certificate {
            try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: notBefore,
                notValidAfter: notAfter,
                issuer: rootName,
                subject: try DistinguishedName {
                    CountryName("GE")
                    OrganizationName("Civitas Test")
                    CommonName(name)
                },
                signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, nonRepudiation: !timeStamping))
                    if timeStamping {
                        Critical(try ExtendedKeyUsage([.timeStamping]))
                    }
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: rootKeyIdentifier.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(rootKey)
            )
        }

        let tsaKey = P256.Signing.PrivateKey()
        let signerKey = P384.Signing.PrivateKey()
        let edKey = Curve25519.Signing.PrivateKey()
        return TrustTestPKI(
            rootKey: rootKey,
            root: root,
            tsaKey: tsaKey,
            tsa: try leaf("Civitas Test TSA", Certificate.PublicKey(tsaKey.publicKey), timeStamping: true),
            signerKey: signerKey,
            signer: try leaf("Civitas Test Signer", Certificate.PublicKey(signerKey.publicKey), timeStamping: false),
            edKey: edKey,
            edSigner: try leaf("Civitas Test Ed25519", Certificate.PublicKey(edKey.publicKey), timeStamping: false)
        )
    }

    /// One PKI shared by the tests (key generation is the slow part).
    static let shared: TrustTestPKI = try! make()

    /// The DER of a certificate.
    static func der(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
