import CPKCS11
import Crypto
import Foundation
import SwiftASN1
import Synchronization
import X509

/// An EC private key that lives in a PKCS #11 token and signs there; swift-certificates uses it as a
/// `CustomPrivateKey` wrapped in `Certificate.PrivateKey`.
///
/// The message is hashed here (SHA-256 for P-256, SHA-384 for P-384, RFC 5480 §4) and the token signs the digest
/// with `CKM_ECDSA`, which answers the raw `r || s` (PKCS #11 v2.40 §2.3.1); this turns that into the DER
/// `ECDSA-Sig-Value` that X.509 and CMS carry:
///
///     ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }   -- RFC 5480 / RFC 3279 §2.2.3
struct PKCS11PrivateKey: Sendable {
    /// The key's name in the store (its `CKA_LABEL`).
    let name: String
    /// Its curve.
    let algorithm: KeyAlgorithm
    /// Its `CKA_ID`, which its public key object shares.
    let id: [UInt8]
    /// The matching public key, read from the token's public key object.
    let publicKey: Certificate.PublicKey
    let session: PKCS11Session
    private let handle: ObjectHandle

    init(
        name: String, algorithm: KeyAlgorithm, id: [UInt8], publicKey: Certificate.PublicKey,
        session: PKCS11Session, handle: CK_OBJECT_HANDLE
    ) {
        self.name = name
        self.algorithm = algorithm
        self.id = id
        self.publicKey = publicKey
        self.session = session
        self.handle = ObjectHandle(handle)
    }

    /// The private key object's handle; replaced if the token stops recognising it (an HSM restart may renumber
    /// objects) and the object is found again by label and id.
    private final class ObjectHandle: Sendable {
        let value: Atomic<CK_OBJECT_HANDLE>
        init(_ value: CK_OBJECT_HANDLE) { self.value = Atomic(value) }
    }

    /// Signs `digest` (already hashed to the curve's size) in the token, answering the raw `r || s`.
    func rawSignature(digest: [UInt8]) throws -> [UInt8] {
        do {
            let key = handle.value.load(ordering: .relaxed)
            return try session.withSession { session in try sign(digest, session, key) }
        } catch let failure as PKCS11Module.Failure
            where failure.value == CK_RV(CKR_KEY_HANDLE_INVALID) || failure.value == CK_RV(CKR_OBJECT_HANDLE_INVALID)
        {
            let found = try session.withSession { session in
                try self.session.findObjects(
                    session, [.ulong(CKA_CLASS, CKO_PRIVATE_KEY), .string(CKA_LABEL, name), .bytes(CKA_ID, id)])
            }
            guard found.count == 1 else {
                throw TrustError(.notFound, "the key \(name) is no longer in the token '\(session.tokenLabel)'")
            }
            handle.value.store(found[0], ordering: .relaxed)
            return try session.withSession { session in try sign(digest, session, found[0]) }
        }
    }

    private func sign(_ digest: [UInt8], _ session: CK_SESSION_HANDLE, _ key: CK_OBJECT_HANDLE) throws -> [UInt8] {
        let signInit = try self.session.module.function(\.C_SignInit, "C_SignInit")
        let sign = try self.session.module.function(\.C_Sign, "C_Sign")
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), pParameter: nil, ulParameterLen: 0)
        try PKCS11Module.check(signInit(session, &mechanism, key), "C_SignInit")
        var signature = [UInt8](repeating: 0, count: 2 * algorithm.coordinateSize)
        var length = CK_ULONG(signature.count)
        var input = digest
        // A single-part C_Sign ends the operation whether it succeeds or fails (v2.40 §5.12), except for
        // CKR_BUFFER_TOO_SMALL, which cannot happen with a buffer of 2 × the coordinate size.
        try PKCS11Module.check(sign(session, &input, CK_ULONG(input.count), &signature, &length), "C_Sign")
        guard Int(length) == signature.count else {
            throw TrustError(
                .keyUnreadable, "the token '\(self.session.tokenLabel)' answered a \(length)-byte ECDSA signature")
        }
        return signature
    }
}

extension PKCS11PrivateKey: CustomPrivateKey {
    /// PEM discriminator of PKCS #8; never used, since the key cannot be serialised.
    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { algorithm.signatureAlgorithm }

    /// Only the hash that matches the curve: CKM_ECDSA signs whatever digest it is given, and an HSM's policy
    /// may reject or truncate a longer one.
    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [algorithm.signatureAlgorithm] }

    func signSynchronously(
        bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm
    ) throws -> Certificate.Signature {
        guard signatureAlgorithm == algorithm.signatureAlgorithm else {
            throw TrustError(
                .invalidRequest,
                "the \(algorithm.rawValue) key \(name) signs with \(algorithm.signatureAlgorithm) only, "
                    + "not \(signatureAlgorithm)")
        }
        let digest: [UInt8]
        switch algorithm {
        case .p256: digest = Array(SHA256.hash(data: bytes))
        case .p384: digest = Array(SHA384.hash(data: bytes))
        case .ed25519: throw TrustError(.invalidRequest, "the PKCS#11 key store holds no Ed25519 keys")
        }
        let raw: [UInt8]
        do {
            raw = try rawSignature(digest: digest)
        } catch {
            throw PKCS11Session.trustError(error, "signing with the key \(name) in the token '\(session.tokenLabel)'")
        }
        let der: Data
        switch algorithm {
        case .p256: der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        case .p384: der = try P384.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        case .ed25519: throw TrustError(.invalidRequest, "the PKCS#11 key store holds no Ed25519 keys")
        }
        return try Certificate.Signature(
            signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: ArraySlice(der)))
    }

    /// Refuses: the private key never leaves its token (`CKA_EXTRACTABLE` false, `CKA_SENSITIVE` true).
    func serialize(into coder: inout DER.Serializer) throws {
        throw TrustError(
            .invalidRequest, "the key \(name) lives in the PKCS#11 token '\(session.tokenLabel)' and cannot be exported"
        )
    }
}

extension PKCS11PrivateKey: Hashable {
    static func == (lhs: PKCS11PrivateKey, rhs: PKCS11PrivateKey) -> Bool {
        lhs.session.tokenLabel == rhs.session.tokenLabel && lhs.name == rhs.name && lhs.id == rhs.id
            && lhs.publicKey == rhs.publicKey
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(session.tokenLabel)
        hasher.combine(name)
        hasher.combine(id)
        hasher.combine(publicKey)
    }
}

extension PKCS11PrivateKey: CustomStringConvertible {
    var description: String { "PKCS#11 \(algorithm.rawValue) key \(name) in the token '\(session.tokenLabel)'" }
}
