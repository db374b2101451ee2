import Audit
import CivitasCore
import Crypto
import Foundation
import Identity
import Storage
import StorageTesting
import Synchronization
import Trust
import X509

/// A clock the test moves by hand (starting at the real time, since the PKI's certificates are dated by it).
final class MovableClock: WallClock {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// A database with the real national PKI, a population and the device-login tables, for the eID tests.
struct EIDWorld: Sendable {
    static let migrations =
        AuditLog.migrations + NationalPKI.migrations + IdentityMigrations.all
    static let official = AuditActor(kind: .official, id: "service-hall-3")
    static let origin = "https://id.civitas.example"

    let database: Database
    let pki: NationalPKI
    let keyStore: SoftwareKeyStore
    let audit: AuditLog
    let clock: MovableClock
    let service: DeviceLoginService
    /// Nino: registered and alive.
    let nino: Person
    /// Registered and deceased.
    let late: Person

    static func with<T: Sendable>(
        _ engine: DatabaseEngine, _ body: @Sendable (EIDWorld) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(engine, migrations: migrations) { database in
            let keyStore = SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key)
            let audit = AuditLog(database: database)
            let pki = NationalPKI(
                database: database, keyStore: keyStore, audit: audit, baseURL: "https://trust.civitas.example")
            try await pki.initialise()
            let register = PopulationRegister(database: database, audit: audit)
            let nino = person(serial: 1_001_011, given: "ნინო", family: "ბერიძე", latin: ("Nino", "Beridze"))
            var late = person(serial: 2_002_022, given: "გიორგი", family: "კაპანაძე", latin: ("Giorgi", "Kapanadze"))
            late.status = .deceased(on: try CalendarDate(year: 2025, month: 5, day: 1))
            try await register.register(nino, actor: official, purpose: "test population")
            try await register.register(late, actor: official, purpose: "test population")
            let clock = MovableClock()
            let service = DeviceLoginService(database: database, audit: audit, pki: pki, clock: clock)
            return try await body(
                EIDWorld(
                    database: database, pki: pki, keyStore: keyStore, audit: audit, clock: clock, service: service,
                    nino: nino, late: late))
        }
    }

    static func person(serial: UInt64, given: String, family: String, latin: (String, String)) -> Person {
        Person(
            personalNumber: PersonalNumber(serial: serial),
            name: PersonName(given: given, family: family, givenLatin: latin.0, familyLatin: latin.1),
            birthDate: try! CalendarDate(year: 1990, month: 3, day: 8), sex: .female, citizenship: "CVT",
            address: RegisteredAddress(
                city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "12ა", flat: 7,
                postcode: "0179"))
    }

    /// A card: a fresh P-256 key and a certificate for `person` under `profile`, from `pki` (this world's by
    /// default).
    func card(
        for person: Person, profile: CertificateProfile = .citizenAuthentication, pki: NationalPKI? = nil,
        subject: DistinguishedName? = nil
    ) async throws -> (key: P256.Signing.PrivateKey, certificate: StoredCertificate) {
        let key = P256.Signing.PrivateKey()
        let name = try subject ?? CitizenSubject.name(for: person, semantics: .demoCountry)
        let stored = try await (pki ?? self.pki).issue(
            profile: profile, publicKey: Certificate.PublicKey(key.publicKey), subject: name, actor: Self.official)
        return (key, stored)
    }

    /// The card's answer to `login`, signed at `signedAt` (now by default) over the login's own values, or
    /// over `challenge` instead of its own.
    func answer(
        _ login: DeviceLogin, key: P256.Signing.PrivateKey, certificate: Certificate, signedAt: Int64? = nil,
        challenge: [UInt8]? = nil
    ) throws -> DeviceLoginAnswer {
        let time = signedAt ?? Int64(clock.now().timeIntervalSince1970)
        let toBeSigned = DeviceLoginToBeSigned(
            method: login.method, origin: login.origin, code: login.code, challenge: challenge ?? login.challenge,
            signedAt: time)
        let signature = try key.signature(for: toBeSigned.derEncoded())
        return DeviceLoginAnswer(
            signedAt: time, signature: Array(signature.derRepresentation), credential: .certificate(certificate))
    }

    /// A mobile device's answer to `login`.
    func answer(_ login: DeviceLogin, device: MobileDevice, key: P256.Signing.PrivateKey) throws -> DeviceLoginAnswer {
        let time = Int64(clock.now().timeIntervalSince1970)
        let toBeSigned = DeviceLoginToBeSigned(login: login, signedAt: time)
        let signature = try key.signature(for: toBeSigned.derEncoded())
        return DeviceLoginAnswer(
            signedAt: time, signature: Array(signature.derRepresentation), credential: .device(id: device.id))
    }

    /// The audit log's length, to show that a refusal wrote nothing.
    func auditLength() async throws -> Int64 { try await audit.head().sequence }
}
