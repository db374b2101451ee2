import CPKCS11
import Crypto
import Foundation
import StorageTesting
import SwiftASN1
import Testing
import X509

@testable import Trust

/// Runs against SoftHSM2, each test on a token of its own. Serialised: SoftHSM2 reads its configuration (where
/// the tokens are) once per `C_Initialize`, which is process-wide, so only one test's token can be live at a time.
@Suite("PKCS#11 key store (SoftHSM2)", .serialized)
struct PKCS11KeyStoreTests {
    @Test(
        "generated keys sign in the token and swift-crypto verifies the signatures",
        arguments: PKCS11KeyStore.supportedAlgorithms)
    func generateAndSign(algorithm: KeyAlgorithm) async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let key = try await store.generate(name: "tsa-\(algorithm.rawValue)", algorithm: algorithm)
            let message = Array("a time-stamp request".utf8)
            let signature = try key.sign(bytes: message, signatureAlgorithm: algorithm.signatureAlgorithm)
            switch algorithm {
            case .p256:
                let publicKey = try #require(P256.Signing.PublicKey(key.publicKey))
                let der = try P256.Signing.ECDSASignature(derRepresentation: signature.rawRepresentation)
                #expect(publicKey.isValidSignature(der, for: message))
                #expect(!publicKey.isValidSignature(der, for: Array("another request".utf8)))
            case .p384:
                let publicKey = try #require(P384.Signing.PublicKey(key.publicKey))
                let der = try P384.Signing.ECDSASignature(derRepresentation: signature.rawRepresentation)
                #expect(publicKey.isValidSignature(der, for: message))
                #expect(!publicKey.isValidSignature(der, for: Array("another request".utf8)))
            case .ed25519:
                Issue.record("the PKCS#11 store makes no Ed25519 keys")
            }
            let other: Certificate.SignatureAlgorithm = algorithm == .p256 ? .ecdsaWithSHA384 : .ecdsaWithSHA256
            let refused = #expect(throws: TrustError.self) { try key.sign(bytes: message, signatureAlgorithm: other) }
            #expect(refused?.code == .invalidRequest)
        }
    }

    @Test("an Ed25519 key is refused with a message that says where such keys live, and nothing is made")
    func ed25519Refused() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let refused = await #expect(throws: TrustError.self) {
                try await store.generate(name: "oidc/ed", algorithm: .ed25519)
            }
            #expect(refused?.code == .invalidRequest)
            #expect(refused?.message.contains("software key store") == true)
            let missing = await #expect(throws: TrustError.self) { try await store.key(named: "oidc/ed") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a key is found by name after the module is finalised and loaded again")
    func findAfterReopening() async throws {
        try await SoftHSMToken.with { token in
            var publicKeys: [Certificate.PublicKey] = []
            do {
                let store = try token.store()
                for algorithm in PKCS11KeyStore.supportedAlgorithms {
                    publicKeys.append(
                        try await store.generate(name: "ca-\(algorithm.rawValue)", algorithm: algorithm).publicKey)
                }
                // A second store on the same token shares the module's initialisation.
                let second = try token.store()
                #expect(try await second.key(named: "ca-p256").publicKey == publicKeys[0])
                #expect(PKCS11Module.users(of: SoftHSMToken.modulePath) == 2)
            }
            #expect(PKCS11Module.users(of: SoftHSMToken.modulePath) == 0, "the last store finalised the module")

            let reopened = try token.store()
            for (algorithm, publicKey) in zip(PKCS11KeyStore.supportedAlgorithms, publicKeys) {
                let key = try await reopened.key(named: "ca-\(algorithm.rawValue)")
                #expect(key.publicKey == publicKey)
                let message = Array("after a restart".utf8)
                let signature = try key.sign(bytes: message, signatureAlgorithm: algorithm.signatureAlgorithm)
                let certificateKey = key.publicKey
                #expect(
                    certificateKey.isValidSignature(
                        signature.rawRepresentation, for: message, signatureAlgorithm: algorithm.signatureAlgorithm))
            }
            let missing = await #expect(throws: TrustError.self) { try await reopened.key(named: "ca-p521") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a wrong PIN is refused with a message that names the token and not the PIN")
    func wrongPIN() async throws {
        try await SoftHSMToken.with { token in
            let error = #expect(throws: TrustError.self) {
                try PKCS11KeyStore(modulePath: SoftHSMToken.modulePath, tokenLabel: SoftHSMToken.label, pin: "98765")
            }
            #expect(error?.code == .keyUnreadable)
            #expect(error?.message.contains("'\(SoftHSMToken.label)' refused the user PIN") == true)
            #expect(error?.message.contains("CKR_PIN_INCORRECT") == true)
            #expect(error?.description.contains("98765") == false)
            #expect(PKCS11Module.users(of: SoftHSMToken.modulePath) == 0)
            // The right PIN still works afterwards.
            _ = try await token.store().generate(name: "ok", algorithm: .p256)
        }
    }

    @Test("an unknown token label, key name or module path is a clear error")
    func unknownThings() async throws {
        try await SoftHSMToken.with { token in
            let noToken = #expect(throws: TrustError.self) {
                try PKCS11KeyStore(modulePath: SoftHSMToken.modulePath, tokenLabel: "no-such-token", pin: "1234")
            }
            #expect(noToken?.code == .notFound)
            #expect(noToken?.message.contains("'\(SoftHSMToken.label)'") == true, "lists the tokens there are")
            let noModule = #expect(throws: TrustError.self) {
                try PKCS11KeyStore(modulePath: "/nonexistent/libpkcs11.so", tokenLabel: "x", pin: "1234")
            }
            #expect(noModule?.code == .keyUnreadable)
            let noKey = await #expect(throws: TrustError.self) { try await token.store().key(named: "nobody") }
            #expect(noKey?.code == .notFound)
            let noName = await #expect(throws: TrustError.self) {
                try await token.store().generate(name: "", algorithm: .p256)
            }
            #expect(noName?.code == .invalidRequest)
        }
    }

    @Test("a second key with the same name is refused, and the first one is untouched")
    func duplicateName() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let first = try await store.generate(name: "ocsp", algorithm: .p256)
            for algorithm in PKCS11KeyStore.supportedAlgorithms {
                let error = await #expect(throws: TrustError.self) {
                    try await store.generate(name: "ocsp", algorithm: algorithm)
                }
                #expect(error?.code == .invalidRequest)
            }
            let other = try token.store()
            let error = await #expect(throws: TrustError.self) {
                try await other.generate(name: "ocsp", algorithm: .p256)
            }
            #expect(error?.code == .invalidRequest)
            #expect(try await other.key(named: "ocsp").publicKey == first.publicKey)
            #expect(try token.objects(labelled: "ocsp") == 2, "one private and one public key object")
        }
    }

    @Test("the private key is sensitive, not extractable, and cannot be exported")
    func notExtractable() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let key = try store.generateKey(name: "seal", algorithm: .p384)
            let attributes = try key.session.withSession { session in
                let found = try key.session.findObjects(
                    session, [.ulong(CKA_CLASS, CKO_PRIVATE_KEY), .string(CKA_LABEL, "seal")])
                let object = try #require(found.first)
                return try key.session.attributes(
                    session, of: object,
                    [
                        CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_TOKEN,
                        CKA_PRIVATE, CKA_SIGN, CKA_DERIVE, CKA_VALUE,
                    ])
            }
            #expect(PKCS11Attribute.bool(from: attributes[CKA_SENSITIVE]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_EXTRACTABLE]) == false)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_ALWAYS_SENSITIVE]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_NEVER_EXTRACTABLE]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_TOKEN]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_PRIVATE]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_SIGN]) == true)
            #expect(PKCS11Attribute.bool(from: attributes[CKA_DERIVE]) == false)
            #expect(attributes[CKA_VALUE] == nil, "the token refuses to reveal the private value")

            let error = #expect(throws: TrustError.self) { try Certificate.PrivateKey(key).serializeAsPEM() }
            #expect(error?.code == .invalidRequest)
        }
    }

    @Test("a key that could leave the token is not used")
    func extractableKeyRefused() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            try token.generateExtractableKey(labelled: "imported", in: store)
            let error = await #expect(throws: TrustError.self) { try await store.key(named: "imported") }
            #expect(error?.code == .keyUnreadable)
            #expect(error?.message.contains("CKA_EXTRACTABLE") == true)
        }
    }

    @Test("certificates signed by token keys verify with swift-certificates and openssl")
    func certificates() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let rootKey = try await store.generate(name: "pki/root", algorithm: .p384)
            let leafKey = try await store.generate(name: "pki/seal", algorithm: .p256)
            let now = Date()
            let rootName = try DistinguishedName { CommonName("Civitas Test Root") }
            let root = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: rootKey.publicKey,
                notValidBefore: now - 60, notValidAfter: now + 3600, issuer: rootName, subject: rootName,
                signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: rootKey.publicKey)
                },
                issuerPrivateKey: rootKey)
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leafKey.publicKey,
                notValidBefore: now - 60, notValidAfter: now + 3600, issuer: rootName,
                subject: try DistinguishedName { CommonName("Civitas Test Seal") },
                signatureAlgorithm: .ecdsaWithSHA384,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    SubjectKeyIdentifier(hash: leafKey.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: rootKey.publicKey).keyIdentifier)
                },
                issuerPrivateKey: rootKey)
            #expect(root.publicKey.isValidSignature(root.signature, for: root))
            #expect(root.publicKey.isValidSignature(leaf.signature, for: leaf))

            var verifier = Verifier(rootCertificates: CertificateStore([root])) {
                RFC5280Policy()
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore([]))
            guard case .validCertificate(let chain) = result else {
                Issue.record("the chain does not verify: \(result)")
                return
            }
            #expect(Array(chain) == [leaf, root])

            let rootFile = token.directory.appendingPathComponent("root.pem")
            let leafFile = token.directory.appendingPathComponent("leaf.pem")
            try root.serializeAsPEM().pemString.write(to: rootFile, atomically: true, encoding: .utf8)
            try leaf.serializeAsPEM().pemString.write(to: leafFile, atomically: true, encoding: .utf8)
            let openssl = try SoftHSMToken.run(
                "/usr/bin/openssl", ["verify", "-x509_strict", "-CAfile", rootFile.path, leafFile.path])
            #expect(openssl.status == 0, "openssl verify: \(openssl.output)")
        }
    }

    @Test("signing carries on after the token closes every session and forgets the login")
    func sessionsLost() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store(maximumSessions: 2)
            let key = try store.generateKey(name: "tsa", algorithm: .p256)
            let closeAll = try store.session.module.function(\.C_CloseAllSessions, "C_CloseAllSessions")
            try PKCS11Module.check(closeAll(store.session.slot), "C_CloseAllSessions")
            let message = Array("after an HSM restart".utf8)
            let signature = try Certificate.PrivateKey(key).sign(bytes: message, signatureAlgorithm: .ecdsaWithSHA256)
            #expect(
                key.publicKey.isValidSignature(
                    signature.rawRepresentation, for: message, signatureAlgorithm: .ecdsaWithSHA256))
        }
    }

    @Test("a stale object handle is found again by the key's label and id")
    func staleHandle() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store()
            let key = try store.generateKey(name: "ocsp", algorithm: .p256)
            let stale = PKCS11PrivateKey(
                name: key.name, algorithm: key.algorithm, id: key.id, publicKey: key.publicKey, session: key.session,
                handle: 0x7fff_0000)
            let message = Array("renumbered".utf8)
            let signature = try Certificate.PrivateKey(stale).sign(bytes: message, signatureAlgorithm: .ecdsaWithSHA256)
            #expect(
                key.publicKey.isValidSignature(
                    signature.rawRepresentation, for: message, signatureAlgorithm: .ecdsaWithSHA256))
        }
    }

    @Test("many tasks sign at once through a pool of two sessions")
    func concurrentSigning() async throws {
        try await SoftHSMToken.with { token in
            let store = try token.store(maximumSessions: 2)
            let key = try await store.generate(name: "ocsp", algorithm: .p256)
            let publicKey = try #require(P256.Signing.PublicKey(key.publicKey))
            let valid = try await withThrowingTaskGroup(of: Bool.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var valid = true
                        for index in 0..<25 {
                            let message = Array("response \(task)-\(index)".utf8)
                            let signature = try key.sign(bytes: message, signatureAlgorithm: .ecdsaWithSHA256)
                            let der = try P256.Signing.ECDSASignature(derRepresentation: signature.rawRepresentation)
                            valid = valid && publicKey.isValidSignature(der, for: message)
                        }
                        return valid
                    }
                }
                return try await group.allSatisfy { $0 }
            }
            #expect(valid)
        }
    }
}

/// A throwaway SoftHSM2 token in a temporary directory, initialised with `softhsm2-util`.
struct SoftHSMToken {
    static let modulePath = "/usr/lib/softhsm/libsofthsm2.so"
    static let utilityPath = "/usr/bin/softhsm2-util"
    static let label = "civitas-test"
    static let pin = "1234"
    static let securityOfficerPIN = "5678"

    /// SoftHSM2 reads the file `SOFTHSM2_CONF` names at each `C_Initialize`; each test rewrites the file. The test
    /// command sets the variable before the test process starts; run otherwise, the process sets it once (while no
    /// program is being launched: changing the environment while another thread copies it is unsafe).
    static let configuration: URL = {
        if let given = ProcessInfo.processInfo.environment["SOFTHSM2_CONF"], !given.isEmpty {
            return URL(fileURLWithPath: given)
        }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("civitas-softhsm2-\(ProcessInfo.processInfo.processIdentifier).conf")
        Subprocess.setEnvironment("SOFTHSM2_CONF", url.path)
        return url
    }()

    /// The token's directory (`directories.tokendir` is `tokens/` in it).
    let directory: URL

    /// Runs `body` with a new token, then deletes it.
    static func with<Result>(_ body: (SoftHSMToken) async throws -> Result) async throws -> Result {
        try #require(
            FileManager.default.fileExists(atPath: modulePath) && FileManager.default.fileExists(atPath: utilityPath),
            "SoftHSM2 is not installed (\(modulePath), \(utilityPath)): run scripts/test, which installs softhsm2")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("civitas-softhsm-\(UUID().uuidString)")
        let tokens = directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: configuration)
        }
        try """
        directories.tokendir = \(tokens.path)
        objectstore.backend = file
        log.level = ERROR
        slots.removable = false
        """.write(to: configuration, atomically: true, encoding: .utf8)
        let initialised = try run(
            utilityPath,
            ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", securityOfficerPIN])
        try #require(initialised.status == 0, "softhsm2-util --init-token failed: \(initialised.output)")
        return try await body(SoftHSMToken(directory: directory))
    }

    /// A store on this token, logged in with the right PIN.
    func store(maximumSessions: Int = PKCS11KeyStore.defaultMaximumSessions) throws -> PKCS11KeyStore {
        try PKCS11KeyStore(
            modulePath: Self.modulePath, tokenLabel: Self.label, pin: Self.pin, maximumSessions: maximumSessions)
    }

    /// How many objects the token has with this label.
    func objects(labelled label: String) throws -> Int {
        let store = try store()
        let session = store.session
        return try session.withSession { try session.findObjects($0, [.string(CKA_LABEL, label)]).count }
    }

    /// Generates a key pair as an import would leave it: extractable and not sensitive.
    func generateExtractableKey(labelled label: String, in store: PKCS11KeyStore) throws {
        let session = store.session
        let generateKeyPair = try session.module.function(\.C_GenerateKeyPair, "C_GenerateKeyPair")
        let id: [UInt8] = [1, 2, 3, 4]
        let publicTemplate: [PKCS11Attribute] = [
            .bool(CKA_TOKEN, true), .bytes(CKA_EC_PARAMS, KeyAlgorithm.p256.ecParameters), .string(CKA_LABEL, label),
            .bytes(CKA_ID, id), .bool(CKA_VERIFY, true),
        ]
        let privateTemplate: [PKCS11Attribute] = [
            .bool(CKA_TOKEN, true), .bool(CKA_PRIVATE, true), .bool(CKA_SENSITIVE, false),
            .bool(CKA_EXTRACTABLE, true), .bool(CKA_SIGN, true), .string(CKA_LABEL, label), .bytes(CKA_ID, id),
        ]
        try session.withSession { handle in
            var mechanism = CK_MECHANISM(
                mechanism: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN), pParameter: nil, ulParameterLen: 0)
            var publicKey: CK_OBJECT_HANDLE = 0
            var privateKey: CK_OBJECT_HANDLE = 0
            try PKCS11Attribute.withTemplate(publicTemplate) { publicAttributes, publicCount in
                try PKCS11Attribute.withTemplate(privateTemplate) { privateAttributes, privateCount in
                    try PKCS11Module.check(
                        generateKeyPair(
                            handle, &mechanism, publicAttributes, publicCount, privateAttributes, privateCount,
                            &publicKey, &privateKey),
                        "C_GenerateKeyPair")
                }
            }
        }
    }

    /// Runs a program and answers its exit status and its output (standard output and error together).
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        _ = configuration
        return try Subprocess.run(program, arguments)
    }
}
