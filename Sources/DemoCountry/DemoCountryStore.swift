public import Audit
public import CivitasCore
import SQLKit
public import Storage

/// Writes the demo country (its agencies and its synthetic population) into the database, once.
///
/// The population lives in `demo_persons` until the Identity block's population register takes it over; the
/// generator is deterministic, so every demo node, test and benchmark sees the same people.
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
            let persons = try await sql.raw("SELECT COUNT(*) AS n FROM demo_persons").first()!.decode(
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
            try await database.transaction { sql in
                for start in stride(from: 0, to: batch.count, by: Self.rowsPerStatement) {
                    try await Self.insert(batch[start..<min(start + Self.rowsPerStatement, batch.count)], into: sql)
                }
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

    static func insert(_ persons: ArraySlice<SyntheticPerson>, into sql: any SQLDatabase) async throws {
        var query = SQLQueryString(
            """
            INSERT INTO demo_persons (personal_number, given_name, family_name, given_name_latin, family_name_latin,
                hangul_name, birth_date, sex, citizenship, city, district, street, house_number, flat, postcode) VALUES
            """)
        var first = true
        for person in persons {
            query.appendInterpolation(unsafeRaw: first ? " (" : ", (")
            first = false
            let address = person.address
            query.appendInterpolation(
                """
                \(bind: person.personalNumber.rawValue), \(bind: person.givenName), \(bind: person.familyName),
                \(bind: person.givenNameLatin), \(bind: person.familyNameLatin), \(bind: person.hangulName),
                \(bind: person.birthDate.description), \(bind: person.sex.rawValue), \(bind: person.citizenship),
                \(bind: address.city), \(bind: address.district), \(bind: address.street),
                \(bind: address.houseNumber), \(bind: address.flat), \(bind: address.postcode))
                """ as SQLQueryString)
        }
        try await sql.raw(query).run()
    }
}
