public import Audit
public import CivitasCore
import Identity
import SQLKit
public import Storage

/// Writes the demo country (its agencies and its synthetic population) into the database, once.
///
/// The population goes into the Identity block's population register, each resident of 16 or more with an ID
/// card (citizens) or a residence permit (foreign residents); the generator is deterministic, so every demo
/// node, test and benchmark sees the same people.
public struct DemoCountryStore: Sendable {
    private let database: Database
    private let audit: AuditLog
    /// Rows per INSERT statement (15 values each, well under both engines' bound-parameter limits).
    static let rowsPerStatement = 1000
    /// Rows per transaction: big enough to amortise the durable commit, small enough to keep the WAL short.
    static let rowsPerTransaction = 50_000
    /// The date the population's ages are computed at, fixed so that the population never changes.
    public static let referenceDate = try! CalendarDate(year: 2026, month: 1, day: 1)

    /// Creates the store.
    public init(database: Database, audit: AuditLog) {
        self.database = database
        self.audit = audit
    }

    /// What the database holds of the demo country.
    public struct Summary: Sendable, Equatable {
        /// Synthetic residents.
        public let persons: Int
        /// Agencies.
        public let agencies: Int
    }

    /// Counts what is there.
    public func summary() async throws -> Summary {
        try await database.read { sql in
            let persons = try await sql.raw("SELECT COUNT(*) AS n FROM identity_persons").first()!.decode(
                column: "n", as: Int.self)
            let agencies = try await sql.raw("SELECT COUNT(*) AS n FROM demo_agencies").first()!.decode(
                column: "n", as: Int.self)
            return Summary(persons: persons, agencies: agencies)
        }
    }

    /// Creates the demo country with `persons` residents, unless it exists already; returns what is there.
    ///
    /// - Parameter progress: called after each committed batch with the number of persons written so far.
    @discardableResult
    public func createIfEmpty(
        persons: Int, seed: UInt64 = 2026, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Summary {
        let existing = try await summary()
        guard existing.agencies == 0, existing.persons == 0 else { return existing }
        try await database.transaction { sql in
            for agency in DemoAgencies.all {
                try await sql.raw(
                    """
                    INSERT INTO demo_agencies (code, member_class, member_code, catalogue_key, short_name,
                        georgian_name)
                    VALUES (\(bind: agency.code), \(bind: agency.memberClass), \(bind: agency.memberCode),
                        \(bind: agency.catalogueKey), \(bind: agency.shortName), \(bind: agency.georgianName))
                    """
                ).run()
            }
        }
        let generator = PopulationGenerator(seed: seed, count: persons, referenceDate: Self.referenceDate)
        var written = 0
        while written < persons {
            let end = min(written + Self.rowsPerTransaction, persons)
            let batch = generator.persons(in: written..<end)
            let persons = batch.map(Self.person(_:))
            let documents = zip(written..<end, batch).compactMap { Self.document(index: $0, for: $1) }
            try await database.transaction { sql in
                try await PopulationRegister.load(persons, documents: documents, into: sql)
            }
            written = end
            progress(written)
        }
        try await audit.append(
            AuditEvent(
                actor: .system("demo"), action: "demo.country.create",
                object: AuditObject(type: "demo-country", id: "seed-\(seed)"),
                purpose: "create the demo country with \(persons) synthetic residents"))
        return try await summary()
    }

    /// The register's record of a synthetic resident.
    static func person(_ synthetic: SyntheticPerson) -> Person {
        let address = synthetic.address
        return Person(
            personalNumber: synthetic.personalNumber,
            name: PersonName(
                given: synthetic.givenName, family: synthetic.familyName, givenLatin: synthetic.givenNameLatin,
                familyLatin: synthetic.familyNameLatin, hangul: synthetic.hangulName),
            birthDate: synthetic.birthDate, sex: synthetic.sex == .female ? .female : .male,
            citizenship: synthetic.citizenship,
            address: RegisteredAddress(
                city: address.city, district: address.district, street: address.street,
                houseNumber: address.houseNumber, flat: address.flat, postcode: address.postcode))
    }

    /// The identity document of the resident generated at `index`: an ID card for citizens and a residence
    /// permit for foreign residents, from the age of 16, issued within the ten years before the reference date
    /// and valid for ten years. Numbers are `CV`/`RP` and seven digits, unique per index.
    static func document(index: Int, for synthetic: SyntheticPerson) -> IdentityDocument? {
        guard synthetic.birthDate.age(on: referenceDate) >= 16 else { return nil }
        let citizen = synthetic.citizenship == SyntheticPerson.demoCountryCode
        let sixteenth = synthetic.birthDate.addingYears(16).daysSince1970
        let latest = referenceDate.daysSince1970
        let earliest = max(sixteenth, latest - 3_650)
        let issued = CalendarDate(daysSince1970: earliest + (index &* 7_919) % max(1, latest - earliest + 1))
        let expires = CalendarDate(daysSince1970: issued.addingYears(10).daysSince1970 - 1)
        let serial = String(1_000_000 + index % 9_000_000)
        return IdentityDocument(
            kind: citizen ? .idCard : .residencePermit, number: (citizen ? "CV" : "RP") + serial,
            holder: synthetic.personalNumber, issuedOn: issued, expiresOn: expires)
    }
}
