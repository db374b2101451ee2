import Audit
import Crypto
import Foundation
import SQLKit
import Storage
import StorageTesting
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("National PKI")
struct NationalPKITests {
    static let migrations = AuditLog.migrations + NationalPKI.migrations
    static let actor = AuditActor(kind: .official, id: "test-official")

    static func pki(_ database: Database, key: KeyEncryptionKey = KeyEncryptionKey.generate().key) -> NationalPKI {
        NationalPKI(
            database: database, keyStore: SoftwareKeyStore(database: database, encryptionKey: key),
            audit: AuditLog(database: database), baseURL: "https://trust.example")
    }

    static func extensionValue(_ certificate: Certificate, _ oid: ASN1ObjectIdentifier) -> Certificate.Extension? {
        certificate.extensions.first { $0.oid == oid }
    }

    @Test(
        "init creates a hierarchy in which every certificate is signed by its issuer",
        arguments: DatabaseEngine.allCases)
    func hierarchy(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            let issued = try await pki.initialise(actor: Self.actor)
            #expect(issued.map(\.role) == PKIRole.allCases)
            for stored in issued {
                let issuer = try await pki.certificate(role: stored.role!.issuer).certificate
                #expect(issuer.publicKey.isValidSignature(stored.certificate.signature, for: stored.certificate))
                #expect(stored.certificate.issuer == issuer.subject)
            }
            let root = try await pki.certificate(role: .root).certificate
            #expect(root.issuer == root.subject)
            #expect(P384.Signing.PublicKey(root.publicKey) != nil)
            #expect(try await AuditLog(database: database).head().sequence == Int64(PKIRole.allCases.count))
            let again = await #expect(throws: TrustError.self) { try await pki.initialise() }
            #expect(again?.code == .alreadyInitialised)
        }
    }

    @Test("the hierarchy's certificates carry what relying parties need")
    func extensions() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            try await pki.initialise()
            let tsa = try await pki.certificate(role: .timeStamping).certificate
            let eku = try #require(tsa.extensions.first { $0.oid == [2, 5, 29, 37] })
            #expect(eku.critical, "RFC 3161: the TSA's extended key usage is critical")
            #expect(try tsa.extensions.extendedKeyUsage?.contains(.timeStamping) == true)
            #expect(try tsa.extensions.basicConstraints == .notCertificateAuthority)
            #expect(Self.extensionValue(tsa, TrustExtensions.crlDistributionPointsOID) != nil)
            let aia = try #require(try tsa.extensions.authorityInformationAccess)
            #expect(aia.contains { $0.method == .ocspServer })
            let ocsp = try await pki.certificate(role: .citizensOCSP).certificate
            #expect(Self.extensionValue(ocsp, TrustExtensions.ocspNoCheckOID) != nil)
            #expect(try ocsp.extensions.extendedKeyUsage?.contains(.ocspSigning) == true)
            let citizens = try await pki.certificate(role: .citizensCA).certificate
            #expect(try citizens.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(try citizens.extensions.keyUsage?.keyCertSign == true)
        }
    }

    @Test(
        "a qualified certificate is issued from a CSR with the ETSI QC statements", arguments: DatabaseEngine.allCases)
    func issueQualified(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            try await pki.initialise()
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName { CommonName("Nino Beridze") }
            let csr = try CertificateSigningRequest(
                version: .v1, subject: subject, privateKey: Certificate.PrivateKey(key), attributes: .init(),
                signatureAlgorithm: .ecdsaWithSHA256)
            let stored = try await pki.issue(
                csr: csr, profile: .citizenQualifiedSignature, actor: Self.actor,
                dataSubject: DataSubject(kind: "person", identifier: "01234567892"))
            #expect(stored.issuer == PKIRole.citizensCA.rawValue)
            #expect(stored.certificate.subject == subject)
            #expect(try stored.certificate.extensions.keyUsage?.nonRepudiation == true)
            let statements = try #require(Self.extensionValue(stored.certificate, TrustExtensions.qcStatementsOID))
            let node = try DER.parse(statements.value)
            guard case .constructed(let children) = node.content else {
                Issue.record("QCStatements is not a SEQUENCE")
                return
            }
            #expect(Array(children).count == 3)
            let ca = try await pki.certificate(role: .citizensCA).certificate
            #expect(ca.publicKey.isValidSignature(stored.certificate.signature, for: stored.certificate))
            let page = try await AuditLog(database: database).entries(
                about: DataSubject(kind: "person", identifier: "01234567892"))
            #expect(page.entries.first?.event.action == "trust.certificate.issue")
        }
    }

    @Test("a CSR whose signature does not match its key is refused")
    func forgedCSR() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            try await pki.initialise()
            let honest = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName("A") },
                privateKey: Certificate.PrivateKey(P256.Signing.PrivateKey()), attributes: .init(),
                signatureAlgorithm: .ecdsaWithSHA256)
            let forged = try CertificateSigningRequest(
                version: .v1, subject: honest.subject,
                publicKey: Certificate.PrivateKey(P256.Signing.PrivateKey()).publicKey, attributes: .init(),
                signatureAlgorithm: .ecdsaWithSHA256, signature: honest.signature)
            let error = await #expect(throws: TrustError.self) {
                _ = try await pki.issue(csr: forged, profile: .citizenAuthentication, actor: Self.actor)
            }
            #expect(error?.code == .invalidRequest)
            let rootOnly = await #expect(throws: TrustError.self) {
                _ = try await pki.issue(csr: honest, profile: .rootCA, actor: Self.actor)
            }
            #expect(rootOnly?.code == .invalidRequest)
        }
    }

    @Test("suspend, resume and revoke follow the lifecycle and are audited", arguments: DatabaseEngine.allCases)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            try await pki.initialise()
            let stored = try await pki.issue(
                profile: .citizenAuthentication,
                publicKey: Certificate.PrivateKey(P256.Signing.PrivateKey()).publicKey,
                subject: try DistinguishedName { CommonName("B") }, actor: Self.actor)
            let issuer = stored.issuer
            let suspended = try await pki.change(issuer: issuer, serial: stored.serial, .suspend, actor: Self.actor)
            guard case .suspended = suspended.lifecycle else {
                Issue.record("expected suspended, got \(suspended.lifecycle)")
                return
            }
            #expect(try await pki.revocations(issuer: issuer).map(\.reason) == [.certificateHold])
            let resumed = try await pki.change(issuer: issuer, serial: stored.serial, .resume, actor: Self.actor)
            #expect(resumed.lifecycle == .active)
            #expect(try await pki.revocations(issuer: issuer).isEmpty)
            let revokedAt = Date(timeIntervalSince1970: 1_800_000_000)
            let revoked = try await pki.change(
                issuer: issuer, serial: stored.serial, .revoke(.keyCompromise), actor: Self.actor, at: revokedAt)
            #expect(revoked.lifecycle == .revoked(since: revokedAt, reason: .keyCompromise))
            for change: NationalPKI.StatusChange in [.resume, .suspend, .revoke(.superseded)] {
                let error = await #expect(throws: TrustError.self) {
                    try await pki.change(issuer: issuer, serial: stored.serial, change, actor: Self.actor)
                }
                #expect(error?.code == .invalidTransition)
            }
            let unknown = await #expect(throws: TrustError.self) {
                try await pki.change(issuer: issuer, serial: "00", .suspend, actor: Self.actor)
            }
            #expect(unknown?.code == .notFound)
            let actions = try await AuditLog(database: database).entries(from: 1, limit: 100).map(\.event.action)
            #expect(
                actions.suffix(3) == [
                    "trust.certificate.suspend", "trust.certificate.resume", "trust.certificate.revoke",
                ])
            guard case .intact = try await AuditLog(database: database).verify() else {
                Issue.record("the audit chain is broken")
                return
            }
        }
    }

    @Test("every node hears a status change at once", arguments: DatabaseEngine.allCases)
    func statusNotification(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let pki = Self.pki(database)
            try await pki.initialise()
            let heard = try await database.notifications(NationalPKI.statusChannel)
            let stored = try await pki.issue(
                profile: .tlsNode, publicKey: Certificate.PrivateKey(P256.Signing.PrivateKey()).publicKey,
                subject: try DistinguishedName { CommonName("node-1") }, actor: Self.actor)
            try await pki.change(issuer: stored.issuer, serial: stored.serial, .revoke(.superseded), actor: Self.actor)
            var payloads: [String] = []
            for await payload in heard {
                payloads.append(payload)
                if payloads.count == 2 { break }
            }
            #expect(payloads == Array(repeating: "\(stored.issuer)/\(stored.serial)", count: 2))
        }
    }

    @Test("a key sealed under one key-encryption key cannot be opened under another, or after tampering")
    func sealing() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let right = KeyEncryptionKey.generate().key
            let store = SoftwareKeyStore(database: database, encryptionKey: right)
            let key = try await store.generate(name: "a", algorithm: .p256)
            _ = try await store.generate(name: "b", algorithm: .p384)
            #expect(try await SoftwareKeyStore(database: database, encryptionKey: right).key(named: "a") == key)
            let wrong = SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key)
            let error = await #expect(throws: TrustError.self) { _ = try await wrong.key(named: "a") }
            #expect(error?.code == .keyUnreadable)
            // Swapping sealed blobs between names fails: the name is bound as associated data.
            try await database.transaction { sql in
                try await sql.raw(
                    """
                    UPDATE trust_keys SET sealed_private_key =
                        (SELECT sealed_private_key FROM trust_keys WHERE name = 'b') WHERE name = 'a'
                    """
                ).run()
            }
            let swapped = await #expect(throws: TrustError.self) {
                _ = try await SoftwareKeyStore(database: database, encryptionKey: right).key(named: "a")
            }
            #expect(swapped?.code == .keyUnreadable)
            let raw = try await database.read { sql in
                try await sql.raw("SELECT sealed_private_key FROM trust_keys WHERE name = 'b'").first()!.decode(
                    column: "sealed_private_key", as: Data.self)
            }
            #expect(!raw.isEmpty)
            let missing = await #expect(throws: TrustError.self) { _ = try await store.key(named: "nope") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a malformed key-encryption key is refused")
    func badKeyEncryptionKey() {
        for bad in ["", "not base64!", Data(repeating: 1, count: 16).base64EncodedString()] {
            #expect(throws: TrustError.self) { _ = try KeyEncryptionKey(base64: bad) }
        }
    }
}
