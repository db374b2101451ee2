import Audit
import CivitasCore
import Crypto
import Foundation
import Identity
import Storage
import Trust
import X509

/// The eID world with powers of attorney: Nino (principal), Giorgi (attorney), Eka (a stranger), qualified
/// signature certificates from the real national PKI, and a company whose director is Nino.
struct RepresentationWorld: Sendable {
    static let publicURL = "https://id.civitas.example"
    static let company = try! RegistryCode("404040404")

    let eid: EIDWorld
    let powers: PowersOfAttorney
    let entities: LegalEntityRegistry
    let giorgi: Person
    let eka: Person
    /// The citizens CA certificate, to carry in signatures.
    let chain: [Certificate]

    var nino: Person { eid.nino }

    static func with<T: Sendable>(
        _ engine: DatabaseEngine, _ body: @Sendable (RepresentationWorld) async throws -> T
    ) async throws -> T {
        try await EIDWorld.with(engine) { eid in
            let register = PopulationRegister(database: eid.database, audit: eid.audit)
            let giorgi = EIDWorld.person(
                serial: 3_003_033, given: "გიორგი", family: "მაისურაძე", latin: ("Giorgi", "Maisuradze"))
            let eka = EIDWorld.person(serial: 4_004_044, given: "ეკა", family: "ლომიძე", latin: ("Eka", "Lomidze"))
            try await register.register(giorgi, actor: EIDWorld.official, purpose: "test population")
            try await register.register(eka, actor: EIDWorld.official, purpose: "test population")
            let entities = LegalEntityRegistry(database: eid.database, audit: eid.audit, clock: eid.clock)
            try await entities.register(
                LegalEntity(registryCode: company, name: "შპს ნიმუში", nameLatin: "Nimushi", legalForm: "LLC"),
                actor: EIDWorld.official, purpose: "test registry")
            let today = CalendarDate(daysSince1970: Int(Date().timeIntervalSince1970 / 86_400))
            try await entities.record(
                Representative(
                    entity: company, personalNumber: eid.nino.personalNumber, role: "director", right: .sole,
                    from: CalendarDate(daysSince1970: today.daysSince1970 - 30)),
                actor: EIDWorld.official, purpose: "test registry")
            try await entities.record(
                Representative(
                    entity: company, personalNumber: eka.personalNumber, role: "board-member", right: .joint,
                    from: CalendarDate(daysSince1970: today.daysSince1970 - 30)),
                actor: EIDWorld.official, purpose: "test registry")
            let powers = PowersOfAttorney(
                database: eid.database, audit: eid.audit, population: register, entities: entities,
                signatures: QualifiedSignatureCheck(pki: eid.pki), publicURL: publicURL, clock: eid.clock)
            let chain = [try await eid.pki.certificate(role: .citizensCA).certificate]
            return try await body(
                RepresentationWorld(
                    eid: eid, powers: powers, entities: entities, giorgi: giorgi, eka: eka, chain: chain))
        }
    }

    /// A qualified signature key and certificate for `person` (or under another profile).
    func signer(
        _ person: Person, profile: CertificateProfile = .citizenQualifiedSignature
    ) async throws -> (key: P256.Signing.PrivateKey, certificate: StoredCertificate) {
        try await eid.card(for: person, profile: profile)
    }

    /// A detached CAdES B-B signature of `document` by `signer`.
    func sign(
        _ document: [UInt8], with signer: (key: P256.Signing.PrivateKey, certificate: StoredCertificate),
        enveloping: Bool = false
    ) async throws -> [UInt8] {
        try await CAdESSigner().sign(
            document, key: Certificate.PrivateKey(signer.key), certificate: signer.certificate.certificate,
            chain: chain, level: .basic, enveloping: enveloping)
    }

    /// Today in UTC.
    var today: CalendarDate { powers.today }

    /// A day `offset` days from today.
    func day(_ offset: Int) -> CalendarDate { CalendarDate(daysSince1970: today.daysSince1970 + offset) }

    /// Nino's draft for Giorgi in `registry-portal` for a year.
    func draft(principal: Principal? = nil, by actor: Person? = nil) async throws -> PowerOfAttorney {
        try await powers.draft(
            PowersOfAttorney.Draft(
                principal: principal ?? .person(nino.personalNumber), attorney: giorgi.personalNumber,
                services: try ServiceScope(codes: ["registry-portal"]), validFrom: today, validUntil: day(365)),
            by: (actor ?? nino).personalNumber)
    }

    /// A draft, signed by Nino and accepted by Giorgi.
    func acceptedPower(principal: Principal? = nil) async throws -> PowerOfAttorney {
        let draft = try await draft(principal: principal)
        let signature = try await sign(draft.document.encoded, with: try await signer(nino))
        _ = try await powers.sign(draft.id, signature: signature, by: nino.personalNumber)
        return try await powers.accept(draft.id, by: giorgi.personalNumber)
    }
}
