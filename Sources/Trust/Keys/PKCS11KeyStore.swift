import CPKCS11
import Crypto
import Foundation
import SwiftASN1
import Synchronization
public import X509

/// Trust keys in a PKCS #11 token (an HSM, or SoftHSM2 in tests): generated in the token, used there, never
/// exported.
///
/// A key is a pair of token objects sharing a `CKA_LABEL` (the key's name) and a random `CKA_ID`: an EC private
/// key that is `CKA_SENSITIVE` and not `CKA_EXTRACTABLE`, allowed to sign and nothing else, and its public key.
/// The PKCS #11 module is loaded at run time from `modulePath` (the HSM vendor's library; SoftHSM2's is
/// `/usr/lib/softhsm/libsofthsm2.so`), so Civitas links against no HSM library.
///
/// Every node configured with the same token sees the same keys. Signing is safe from any number of tasks and
/// threads: each signature borrows one of up to `maximumSessions` PKCS #11 sessions for itself, since a session
/// is not safe to share.
public final class PKCS11KeyStore: TrustKeyStore {
    /// One session per core: then no task on Swift's cooperative pool ever waits for a session.
    public static var defaultMaximumSessions: Int { max(ProcessInfo.processInfo.activeProcessorCount, 1) }

    let session: PKCS11Session
    /// Generation is check-then-create; within this process it is done one at a time.
    private let generation = Mutex<Void>(())
    private let opened = Mutex<[String: PKCS11PrivateKey]>([:])

    /// Loads the PKCS #11 module at `modulePath`, finds the token labelled `tokenLabel` and logs in with the user
    /// `pin`.
    ///
    /// Throws a ``TrustError``: `.notFound` if no initialised token has that label, `.keyUnreadable` if the
    /// module cannot be loaded or the token refuses the PIN. Messages never contain the PIN.
    ///
    /// PKCS #11 logs a whole process in, not a session: while another store in this process is logged in to the
    /// same token, the token answers `CKR_USER_ALREADY_LOGGED_IN` and the PIN given here is not checked again.
    public init(
        modulePath: String, tokenLabel: String, pin: String,
        maximumSessions: Int = PKCS11KeyStore.defaultMaximumSessions
    ) throws {
        let module = try PKCS11Module(path: modulePath)
        session = try PKCS11Session(module: module, tokenLabel: tokenLabel, pin: pin, maximumSessions: maximumSessions)
    }

    /// The token's label.
    public var tokenLabel: String { session.tokenLabel }

    /// The algorithms a token makes keys for: ECDSA only (`CKM_EDDSA` is not used; see ``generate(name:algorithm:)``).
    public static let supportedAlgorithms: [KeyAlgorithm] = [.p256, .p384]

    /// Generates a key pair in the token, labelled `name` (`C_GenerateKeyPair`, `CKM_EC_KEY_PAIR_GEN`).
    ///
    /// Throws `.invalidRequest` if the token holds a key named `name` already, or for an algorithm outside
    /// ``supportedAlgorithms`` (Ed25519: HSMs differ in their `CKM_EDDSA` support, so it is refused, not guessed).
    public func generate(name: String, algorithm: KeyAlgorithm) async throws -> Certificate.PrivateKey {
        Certificate.PrivateKey(try generateKey(name: name, algorithm: algorithm))
    }

    /// The key labelled `name` in the token.
    ///
    /// Throws `.notFound` if there is none, and `.keyUnreadable` if the token's objects are not a usable key: not
    /// EC on P-256 or P-384, extractable or not sensitive, not allowed to sign, several with that label, no public
    /// key, or a public key that does not match the private one.
    public func key(named name: String) async throws -> Certificate.PrivateKey {
        Certificate.PrivateKey(try findKey(named: name))
    }

    // MARK: - Generating

    func generateKey(name: String, algorithm: KeyAlgorithm) throws -> PKCS11PrivateKey {
        guard !name.isEmpty else { throw TrustError(.invalidRequest, "a key needs a name") }
        guard Self.supportedAlgorithms.contains(algorithm) else {
            throw TrustError(
                .invalidRequest,
                "the PKCS#11 key store makes ECDSA keys on P-256 and P-384 only, not \(algorithm.rawValue): "
                    + "keep Ed25519 keys in the software key store (see docs/decisions/0018)")
        }
        let key = try generation.withLock { _ in
            do {
                return try session.withSession { session in try generate(session, name, algorithm) }
            } catch {
                throw PKCS11Session.trustError(error, "generating the key \(name) in the token '\(tokenLabel)'")
            }
        }
        opened.withLock { $0[name] = key }
        return key
    }

    private func generate(
        _ session: CK_SESSION_HANDLE, _ name: String, _ algorithm: KeyAlgorithm
    ) throws -> PKCS11PrivateKey {
        for objectClass in [CKO_PRIVATE_KEY, CKO_PUBLIC_KEY] {
            let existing = try self.session.findObjects(
                session, [.ulong(CKA_CLASS, objectClass), .string(CKA_LABEL, name)])
            guard existing.isEmpty else { throw duplicate(name) }
        }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let publicTemplate: [PKCS11Attribute] = [
            .ulong(CKA_CLASS, CKO_PUBLIC_KEY), .ulong(CKA_KEY_TYPE, CKK_EC), .bool(CKA_TOKEN, true),
            .bool(CKA_PRIVATE, false), .bool(CKA_VERIFY, true), .bytes(CKA_EC_PARAMS, algorithm.ecParameters),
            .string(CKA_LABEL, name), .bytes(CKA_ID, id),
        ]
        let privateTemplate: [PKCS11Attribute] = [
            .ulong(CKA_CLASS, CKO_PRIVATE_KEY), .ulong(CKA_KEY_TYPE, CKK_EC), .bool(CKA_TOKEN, true),
            .bool(CKA_PRIVATE, true), .bool(CKA_SENSITIVE, true), .bool(CKA_EXTRACTABLE, false),
            .bool(CKA_SIGN, true), .bool(CKA_DERIVE, false), .string(CKA_LABEL, name), .bytes(CKA_ID, id),
        ]
        let generateKeyPair = try self.session.module.function(\.C_GenerateKeyPair, "C_GenerateKeyPair")
        var mechanism = CK_MECHANISM(
            mechanism: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN), pParameter: nil, ulParameterLen: 0)
        var publicHandle: CK_OBJECT_HANDLE = 0
        var privateHandle: CK_OBJECT_HANDLE = 0
        try PKCS11Attribute.withTemplate(publicTemplate) { publicAttributes, publicCount in
            try PKCS11Attribute.withTemplate(privateTemplate) { privateAttributes, privateCount in
                try PKCS11Module.check(
                    generateKeyPair(
                        session, &mechanism, publicAttributes, publicCount, privateAttributes, privateCount,
                        &publicHandle, &privateHandle),
                    "C_GenerateKeyPair")
            }
        }
        // Another process (another node on the same HSM) may have created the name between the check above and
        // C_GenerateKeyPair: a key that finds a rival afterwards withdraws. If both find each other, both withdraw
        // and neither caller gets a key, which is better than two keys under one name; a retry then succeeds.
        let rivals = try self.session.findObjects(
            session, [.ulong(CKA_CLASS, CKO_PRIVATE_KEY), .string(CKA_LABEL, name)])
        if rivals.count > 1 {
            let destroy = try self.session.module.function(\.C_DestroyObject, "C_DestroyObject")
            _ = destroy(session, privateHandle)
            _ = destroy(session, publicHandle)
            throw TrustError(
                .invalidRequest, "another process created a key named \(name) in the token '\(tokenLabel)' meanwhile")
        }
        let point = try self.session.attributes(session, of: publicHandle, [CKA_EC_POINT])[CKA_EC_POINT]
        return PKCS11PrivateKey(
            name: name, algorithm: algorithm, id: id,
            publicKey: try Self.publicKey(ecPoint: point, algorithm: algorithm, name: name),
            session: self.session, handle: privateHandle)
    }

    private func duplicate(_ name: String) -> TrustError {
        TrustError(.invalidRequest, "the token '\(tokenLabel)' holds a key named \(name) already")
    }

    // MARK: - Finding

    func findKey(named name: String) throws -> PKCS11PrivateKey {
        if let key = opened.withLock({ $0[name] }) { return key }
        let key: PKCS11PrivateKey
        do {
            key = try session.withSession { session in try load(session, name) }
            try Self.checkPair(key)
        } catch {
            throw PKCS11Session.trustError(error, "opening the key \(name) in the token '\(tokenLabel)'")
        }
        opened.withLock { $0[name] = key }
        return key
    }

    private func load(_ session: CK_SESSION_HANDLE, _ name: String) throws -> PKCS11PrivateKey {
        let privateKeys = try self.session.findObjects(
            session, [.ulong(CKA_CLASS, CKO_PRIVATE_KEY), .string(CKA_LABEL, name)])
        guard !privateKeys.isEmpty else {
            throw TrustError(.notFound, "no key named \(name) in the token '\(tokenLabel)'")
        }
        guard privateKeys.count == 1 else {
            throw TrustError(
                .keyUnreadable, "\(privateKeys.count) private keys in the token '\(tokenLabel)' are named \(name)")
        }
        let attributes = try self.session.attributes(
            session, of: privateKeys[0],
            [CKA_KEY_TYPE, CKA_ID, CKA_EC_PARAMS, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_SIGN])
        guard PKCS11Attribute.ulong(from: attributes[CKA_KEY_TYPE]) == CKK_EC else {
            throw TrustError(.keyUnreadable, "the key \(name) in the token '\(tokenLabel)' is not an EC key")
        }
        guard let parameters = attributes[CKA_EC_PARAMS], let algorithm = KeyAlgorithm(ecParameters: parameters) else {
            throw TrustError(
                .keyUnreadable, "the key \(name) in the token '\(tokenLabel)' is on neither P-256 nor P-384")
        }
        guard PKCS11Attribute.bool(from: attributes[CKA_SENSITIVE]) == true,
            PKCS11Attribute.bool(from: attributes[CKA_EXTRACTABLE]) == false
        else {
            throw TrustError(
                .keyUnreadable,
                "the key \(name) in the token '\(tokenLabel)' could leave the token (it must be CKA_SENSITIVE and "
                    + "not CKA_EXTRACTABLE)")
        }
        guard PKCS11Attribute.bool(from: attributes[CKA_SIGN]) == true else {
            throw TrustError(
                .keyUnreadable, "the key \(name) in the token '\(tokenLabel)' may not sign (CKA_SIGN false)")
        }
        let id = attributes[CKA_ID] ?? []
        let publicKeys = try self.session.findObjects(
            session, [.ulong(CKA_CLASS, CKO_PUBLIC_KEY), .string(CKA_LABEL, name), .bytes(CKA_ID, id)])
        guard publicKeys.count == 1 else {
            throw TrustError(
                .keyUnreadable,
                "the key \(name) in the token '\(tokenLabel)' has \(publicKeys.count) public key objects, not one")
        }
        let point = try self.session.attributes(session, of: publicKeys[0], [CKA_EC_POINT])[CKA_EC_POINT]
        return PKCS11PrivateKey(
            name: name, algorithm: algorithm, id: id,
            publicKey: try Self.publicKey(ecPoint: point, algorithm: algorithm, name: name),
            session: self.session, handle: privateKeys[0])
    }

    /// Signs a random challenge in the token and verifies it with the public key object: proves that the two
    /// objects found by label are one key pair before anything is signed with it.
    private static func checkPair(_ key: PKCS11PrivateKey) throws {
        let challenge = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        let matches: Bool
        switch key.algorithm {
        case .p256:
            let raw = try key.rawSignature(digest: Array(SHA256.hash(data: challenge)))
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: raw)
            matches = P256.Signing.PublicKey(key.publicKey)?.isValidSignature(signature, for: challenge) == true
        case .p384:
            let raw = try key.rawSignature(digest: Array(SHA384.hash(data: challenge)))
            let signature = try P384.Signing.ECDSASignature(rawRepresentation: raw)
            matches = P384.Signing.PublicKey(key.publicKey)?.isValidSignature(signature, for: challenge) == true
        case .ed25519:
            matches = false
        }
        guard matches else {
            throw TrustError(
                .keyUnreadable,
                "the private and public key objects named \(key.name) in the token '\(key.session.tokenLabel)' "
                    + "are not one key pair")
        }
    }

    /// The public key in `CKA_EC_POINT`: PKCS #11 v2.40 §2.3.3 has it as the DER of an OCTET STRING holding the
    /// X9.62 uncompressed point; some older tokens give the bare point, which is accepted too.
    static func publicKey(ecPoint: [UInt8]?, algorithm: KeyAlgorithm, name: String) throws -> Certificate.PublicKey {
        guard let ecPoint else {
            throw TrustError(.keyUnreadable, "the public key \(name) has no CKA_EC_POINT")
        }
        let pointSize = 1 + 2 * algorithm.coordinateSize
        var point = ecPoint
        if !(ecPoint.count == pointSize && ecPoint.first == 0x04) {
            guard let octets = try? ASN1OctetString(derEncoded: ecPoint[...]) else {
                throw TrustError(.keyUnreadable, "the CKA_EC_POINT of the public key \(name) is not DER")
            }
            point = Array(octets.bytes)
        }
        do {
            switch algorithm {
            case .p256: return Certificate.PublicKey(try P256.Signing.PublicKey(x963Representation: point))
            case .p384: return Certificate.PublicKey(try P384.Signing.PublicKey(x963Representation: point))
            case .ed25519: throw TrustError(.keyUnreadable, "the PKCS#11 key store reads no Ed25519 keys")
            }
        } catch {
            throw TrustError(.keyUnreadable, "the CKA_EC_POINT of the public key \(name) is not a point on its curve")
        }
    }
}
