import Crypto
import Foundation
import SwiftASN1
import Synchronization
import Trust
import X509

/// A throwaway hierarchy for the OCSP and CRL tests: a P-384 root, a P-256 issuing CA with its delegated OCSP
/// responder, a second CA, and leaf certificates.
struct OCSPTestPKI {
    let rootKey = P384.Signing.PrivateKey()
    let caKey = P256.Signing.PrivateKey()
    let otherCAKey = P256.Signing.PrivateKey()
    let responderKey = P256.Signing.PrivateKey()
    let leafKey = P256.Signing.PrivateKey()
    let root: Certificate
    let ca: Certificate
    let otherCA: Certificate
    let responder: Certificate
    let leaf: Certificate
    let secondLeaf: Certificate
    /// Counts every signature the responder key makes.
    let countingKey: OCSPCountingKey

    static let now = Date(timeIntervalSince1970: 1_798_000_000.75)

    init() throws {
        let notBefore = Self.now.addingTimeInterval(-86_400)
        let notAfter = Self.now.addingTimeInterval(86_400 * 365)
        let rootName = try DistinguishedName {
            CountryName("GE")
            OrganizationName("Civitas Test")
            CommonName("Civitas Test Root")
        }
        root = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(rootKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: rootName,
            subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Self.caExtensions(Certificate.PublicKey(rootKey.publicKey)),
            issuerPrivateKey: .init(rootKey)
        )
        ca = try Self.issueCA("Civitas Test Issuing CA", key: caKey, root: root, rootKey: rootKey)
        otherCA = try Self.issueCA("Civitas Other CA", key: otherCAKey, root: root, rootKey: rootKey)
        let responderPublicKey = Certificate.PublicKey(responderKey.publicKey)
        responder = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: responderPublicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: ca.subject,
            subject: try DistinguishedName { CommonName("Civitas Test OCSP Responder") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.ocspSigning])
                SubjectKeyIdentifier(hash: responderPublicKey)
                Certificate.Extension(oid: [1, 3, 6, 1, 5, 5, 7, 48, 1, 5], critical: false, value: [0x05, 0x00])
            },
            issuerPrivateKey: .init(caKey)
        )
        leaf = try Self.issueLeaf("Leaf One", serial: 0x1001, key: leafKey, ca: ca, caKey: caKey)
        // The top bit set: the INTEGER needs a leading zero octet that `SerialNumber.bytes` does not have.
        secondLeaf = try Self.issueLeaf("Leaf Two", serial: 0x80_02, key: leafKey, ca: ca, caKey: caKey)
        countingKey = OCSPCountingKey(responderKey)
    }

    /// An authority for the issuing CA whose key counts signatures.
    func authority() throws -> OCSPResponder.Authority {
        try OCSPResponder.Authority(
            caCertificate: ca,
            responderCertificate: responder,
            responderKey: Certificate.PrivateKey(countingKey)
        )
    }

    /// The CA's own key answering for the other CA.
    func otherAuthority() throws -> OCSPResponder.Authority {
        try OCSPResponder.Authority(
            caCertificate: otherCA,
            responderCertificate: otherCA,
            responderKey: Certificate.PrivateKey(otherCAKey)
        )
    }

    /// The certificate as read back from its DER, as a database or file would give it (`SerialNumber(Int)` keeps a
    /// leading zero octet that parsing drops).
    static func reparsed(_ certificate: Certificate) throws -> Certificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try Certificate(derEncoded: serializer.serializedBytes)
    }

    static func caExtensions(_ key: Certificate.PublicKey) throws -> Certificate.Extensions {
        try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key)
        }
    }

    static func issueCA(
        _ name: String,
        key: P256.Signing.PrivateKey,
        root: Certificate,
        rootKey: P384.Signing.PrivateKey
    ) throws -> Certificate {
        try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(86_400 * 365),
            issuer: root.subject,
            subject: try DistinguishedName {
                CountryName("GE")
                OrganizationName("Civitas Test")
                CommonName(name)
            },
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try caExtensions(Certificate.PublicKey(key.publicKey)),
            issuerPrivateKey: .init(rootKey)
        )
    }

    static func issueLeaf(
        _ name: String,
        serial: Int,
        key: P256.Signing.PrivateKey,
        ca: Certificate,
        caKey: P256.Signing.PrivateKey
    ) throws -> Certificate {
        try reparsed(
            Certificate(
                version: .v3,
                serialNumber: .init(serial),
                publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86_400),
                notValidAfter: now.addingTimeInterval(86_400 * 365),
                issuer: ca.subject,
                subject: try DistinguishedName { CommonName(name) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
                issuerPrivateKey: .init(caKey)
            )
        )
    }
}

/// A P-256 key behind `CustomPrivateKey` (the seam an HSM uses) that counts its signatures.
struct OCSPCountingKey: CustomPrivateKey {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    private let key: P256.Signing.PrivateKey
    private let counter = Counter()

    init(_ key: P256.Signing.PrivateKey) {
        self.key = key
    }

    /// Signatures made so far.
    var signatures: Int { counter.value.load(ordering: .relaxed) }

    var publicKey: Certificate.PublicKey { Certificate.PublicKey(key.publicKey) }
    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { .ecdsaWithSHA256 }
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [.ecdsaWithSHA256] }
    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    func signSynchronously(
        bytes: some DataProtocol,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        counter.value.add(1, ordering: .relaxed)
        return try Certificate.PrivateKey(key).sign(bytes: bytes, signatureAlgorithm: signatureAlgorithm)
    }

    func signAsynchronously(
        bytes: some DataProtocol & Sendable,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) async throws -> Certificate.Signature {
        try signSynchronously(bytes: bytes, signatureAlgorithm: signatureAlgorithm)
    }

    func serialize(into coder: inout DER.Serializer) throws {
        coder.serializeRawBytes(key.derRepresentation)
    }

    static func == (lhs: OCSPCountingKey, rhs: OCSPCountingKey) -> Bool {
        lhs.key.rawRepresentation == rhs.key.rawRepresentation
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(key.rawRepresentation)
    }
}

/// Statuses the tests set, read by the responder's lookup.
final class OCSPTestStatuses: Sendable {
    private let statuses = Mutex<[Certificate.SerialNumber: CertificateStatus]>([:])
    private let lookups = Atomic<Int>(0)
    private let failing = Atomic<Bool>(false)

    /// Makes every lookup throw from now on.
    func failLookups() {
        failing.store(true, ordering: .relaxed)
    }

    func set(_ serial: Certificate.SerialNumber, _ status: CertificateStatus?) {
        statuses.withLock { $0[serial] = status }
    }

    var lookupCount: Int { lookups.load(ordering: .relaxed) }

    struct LookupFailure: Error {}

    func lookup(_ identity: CertificateIdentity) throws -> CertificateStatus? {
        lookups.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw LookupFailure() }
        return statuses.withLock { $0[identity.serialNumber] }
    }
}
