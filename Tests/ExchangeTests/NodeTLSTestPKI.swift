import Crypto
import Exchange
import Foundation
import SwiftASN1
import Synchronization
import X509

/// A throwaway PKI for the node TLS tests: a root, an issuing CA under it and node authentication certificates
/// (the `tls-node` profile: serverAuth and clientAuth), plus certificates that must be refused: one under another
/// root, one for servers only, one for clients only.
struct NodeTLSTestPKI: Sendable {
    let root: Certificate
    let issuingCA: Certificate
    let otherRoot: Certificate
    /// Node A, with a software key (kept so the openssl test can write it out).
    let nodeA: NodeCredentials
    let nodeAKey: P256.Signing.PrivateKey
    /// Node B, whose key signs only through `CustomPrivateKey`, as a PKCS #11 key does.
    let nodeB: NodeCredentials
    let nodeBKey: HSMStandInKey
    /// A node on P-384.
    let nodeP384: NodeCredentials
    /// A node certificate under ``otherRoot``.
    let rogue: NodeCredentials
    /// Extended key usage serverAuth only.
    let serverOnly: NodeCredentials
    /// Extended key usage clientAuth only.
    let clientOnly: NodeCredentials

    static let shared: NodeTLSTestPKI = try! make()

    static func make() throws -> NodeTLSTestPKI {
        let rootKey = P256.Signing.PrivateKey()
        let root = try issue(
            "Civitas Node TLS Test Root", key: Certificate.PublicKey(rootKey.publicKey), issuer: nil,
            signer: Certificate.PrivateKey(rootKey), authority: true)
        let caKey = P256.Signing.PrivateKey()
        let issuingCA = try issue(
            "Civitas Node TLS Test Organisations CA", key: Certificate.PublicKey(caKey.publicKey), issuer: root,
            signer: Certificate.PrivateKey(rootKey), authority: true)
        let otherRootKey = P256.Signing.PrivateKey()
        let otherRoot = try issue(
            "Some Other Root", key: Certificate.PublicKey(otherRootKey.publicKey), issuer: nil,
            signer: Certificate.PrivateKey(otherRootKey), authority: true)

        func node(
            _ name: String, key: Certificate.PrivateKey, usages: [ExtendedKeyUsage.Usage] = [.serverAuth, .clientAuth],
            under issuer: Certificate = issuingCA, signer: P256.Signing.PrivateKey = caKey, chain: [Certificate]? = nil
        ) throws -> NodeCredentials {
            NodeCredentials(
                key: key,
                certificate: try issue(
                    name, key: key.publicKey, issuer: issuer, signer: Certificate.PrivateKey(signer), authority: false,
                    usages: usages),
                chain: chain ?? [issuingCA])
        }

        let nodeAKey = P256.Signing.PrivateKey()
        let nodeBKey = HSMStandInKey()
        return NodeTLSTestPKI(
            root: root, issuingCA: issuingCA, otherRoot: otherRoot,
            nodeA: try node("GOV 70000001 node A", key: Certificate.PrivateKey(nodeAKey)), nodeAKey: nodeAKey,
            nodeB: try node("GOV 70000002 node B", key: Certificate.PrivateKey(nodeBKey)), nodeBKey: nodeBKey,
            nodeP384: try node("GOV 70000003 node P-384", key: Certificate.PrivateKey(P384.Signing.PrivateKey())),
            rogue: try node(
                "GOV 70000001 node A", key: Certificate.PrivateKey(P256.Signing.PrivateKey()), under: otherRoot,
                signer: otherRootKey, chain: []),
            serverOnly: try node(
                "GOV 70000004 server only", key: Certificate.PrivateKey(P256.Signing.PrivateKey()),
                usages: [.serverAuth]),
            clientOnly: try node(
                "GOV 70000005 client only", key: Certificate.PrivateKey(P256.Signing.PrivateKey()),
                usages: [.clientAuth]))
    }

    /// A certificate for `name` under `issuer` (self-signed if `nil`), valid from an hour ago for a day.
    private static func issue(
        _ name: String, key: Certificate.PublicKey, issuer: Certificate?, signer: Certificate.PrivateKey,
        authority: Bool, usages: [ExtendedKeyUsage.Usage] = []
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            CountryName("GE")
            OrganizationName("Civitas Test")
            CommonName(name)
        }
        let now = Date()
        let issuerIdentifier = try issuer.flatMap { try $0.extensions.subjectKeyIdentifier?.keyIdentifier }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key,
            notValidBefore: now - 3600, notValidAfter: now + 86_400, issuer: issuer?.subject ?? subject,
            subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                if authority {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: issuer == nil ? 1 : 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                } else {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                    try ExtendedKeyUsage(usages)
                }
                SubjectKeyIdentifier(hash: key)
                if let issuerIdentifier { AuthorityKeyIdentifier(keyIdentifier: issuerIdentifier) }
            },
            issuerPrivateKey: signer)
    }
}

/// A key that, like a PKCS #11 key, cannot be exported and signs only when asked through `CustomPrivateKey`
/// (SHA-256 over P-256, the curve's own hash), counting its signatures.
struct HSMStandInKey: CustomPrivateKey {
    private let key = P256.Signing.PrivateKey()
    private let counter = Counter()

    final class Counter: Sendable {
        let value = Atomic(0)
    }

    /// How many signatures the key has made.
    var signatures: Int { counter.value.load(ordering: .relaxed) }

    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    var publicKey: Certificate.PublicKey { Certificate.PublicKey(key.publicKey) }

    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }

    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }

    func signSynchronously(
        bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        guard signatureAlgorithm == .ecdsaWithSHA256 else {
            throw CertificateError.unsupportedSignatureAlgorithm(reason: "the stand-in signs with SHA-256 only")
        }
        counter.value.add(1, ordering: .relaxed)
        let der = try key.signature(for: SHA256.hash(data: bytes)).derRepresentation
        return try Certificate.Signature(
            signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: ArraySlice(der)))
    }

    func serialize(into coder: inout DER.Serializer) throws {
        throw CertificateError.unsupportedPrivateKey(reason: "the stand-in HSM key cannot be exported")
    }

    static func == (lhs: HSMStandInKey, rhs: HSMStandInKey) -> Bool { lhs.publicKey == rhs.publicKey }

    func hash(into hasher: inout Hasher) { hasher.combine(publicKey) }
}
