import Audit
import CivitasCore
import DemoCountry
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Demo country in the database")
struct DemoCountryStoreTests {
    @Test("the demo country is written once, with every person and agency", arguments: DatabaseEngine.allCases)
    func createOnce(engine: DatabaseEngine) async throws {
        let migrations = AuditLog.migrations + DemoCountryStore.migrations
        try await TestDatabase.with(engine, migrations: migrations) { database in
            let audit = AuditLog(database: database)
            let store = DemoCountryStore(database: database, audit: audit)
            let first = try await store.createIfEmpty(persons: 2_345)
            #expect(first.persons == 2_345)
            #expect(first.agencies == DemoAgencies.all.count)
            let second = try await store.createIfEmpty(persons: 10)
            #expect(second == first, "an existing demo country is kept as it is")
            let head = try await audit.head()
            #expect(head.sequence == 1)

            // The stored rows are the generator's persons, field for field.
            let expected = PopulationGenerator(count: 2_345, referenceDate: DemoCountryStore.referenceDate)[1_000]
            let row = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT given_name, family_name_latin, birth_date, flat FROM demo_persons
                    WHERE personal_number = \(bind: expected.personalNumber.rawValue)
                    """
                ).first()
            }
            let stored = try #require(row)
            #expect(try stored.decode(column: "given_name", as: String.self) == expected.givenName)
            #expect(try stored.decode(column: "family_name_latin", as: String.self) == expected.familyNameLatin)
            #expect(try stored.decode(column: "birth_date", as: String.self) == expected.birthDate.description)
            #expect(try stored.decode(column: "flat", as: Int?.self) == expected.address.flat)
        }
    }
}
