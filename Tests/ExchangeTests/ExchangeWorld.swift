import Audit
import CivitasCore
import Crypto
import Foundation
import Storage
import StorageTesting
import Synchronization
import Trust
import X509

@testable import Exchange

/// A clock the test moves by hand, starting at the real time (the PKI dates its certificates by it).
final class MovableClock: WallClock {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// A database with the real national PKI and the central registry, for the Exchange tests.
struct ExchangeWorld: Sendable {
    static let migrations = AuditLog.migrations + NationalPKI.migrations + ExchangeMigrations.all
    static let official = AuditActor(kind: .official, id: "registry-officer-1")
    static let instance = "CVT"

    let database: Database
    let pki: NationalPKI
    let audit: AuditLog
    let clock: MovableClock
    let registry: CentralRegistry

    static func with<T: Sendable>(
        _ engine: DatabaseEngine, _ body: @Sendable (ExchangeWorld) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(engine, migrations: migrations) { database in
            let clock = MovableClock()
            let audit = AuditLog(database: database, clock: clock)
            let pki = NationalPKI(
                database: database,
                keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key),
                audit: audit, baseURL: "https://trust.civitas.example", clock: clock)
            try await pki.initialise()
            let organisations = try await pki.certificate(role: .organisationsCA).certificate
            let registry = CentralRegistry(
                database: database, audit: audit, instance: instance, nodeCertificateIssuers: [organisations],
                clock: clock)
            return try await body(
                ExchangeWorld(database: database, pki: pki, audit: audit, clock: clock, registry: registry))
        }
    }

    static func id(_ text: String) -> XRoadClientIdentifier { try! XRoadClientIdentifier(text) }
    static func service(_ text: String) -> XRoadServiceIdentifier { try! XRoadServiceIdentifier(text) }

    /// Two agencies: the civil registry provides `persons`, the revenue service's `tax` subsystem may read it.
    func populate() async throws {
        let actor = Self.official
        try await registry.addMember(Self.id("CVT/GOV/700000015"), name: "Civil Registry", actor: actor)
        try await registry.addMember(Self.id("CVT/GOV/700000023"), name: "Revenue Service", actor: actor)
        try await registry.addSubsystem(Self.id("CVT/GOV/700000015/registry"), actor: actor)
        try await registry.addSubsystem(Self.id("CVT/GOV/700000023/tax"), actor: actor)
        try await registry.addService(
            Self.service("CVT/GOV/700000015/registry/persons"), title: "Persons",
            openAPI: Array(#"{"openapi":"3.1.0","info":{"title":"Persons","version":"1"},"paths":{}}"#.utf8),
            actor: actor)
        try await registry.grantAccess(
            client: Self.id("CVT/GOV/700000023/tax"), service: Self.service("CVT/GOV/700000015/registry/persons"),
            method: "GET", path: "/persons/*", actor: actor)
    }

    /// A node certificate from the organisations CA, for `name`.
    func nodeCertificate(_ name: String) async throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName(name)
            CommonName("\(name) exchange node")
        }
        return try await pki.issue(
            profile: .tlsNode, publicKey: key.publicKey, subject: subject, actor: Self.official
        ).certificate
    }
}
