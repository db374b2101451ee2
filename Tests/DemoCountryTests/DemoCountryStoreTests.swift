import Audit
import CivitasCore
import DemoCountry
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Demo country in the database")
struct DemoCountryStoreTests {
    @Test("the demo country is written once, with every person and agency", arguments: DatabaseEngine.allCases)
    func createOnce(engine: DatabaseEngine) async throws {
        let migrations = AuditLog.migrations + PopulationRegister.migrations + DemoCountryStore.migrations
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

            // The register holds the generator's persons, field for field, and adults have their document.
            let generator = PopulationGenerator(count: 2_345, referenceDate: DemoCountryStore.referenceDate)
            let register = PopulationRegister(database: database, audit: audit)
            var adults = 0
            for index in stride(from: 0, to: 2_345, by: 97) {
                let expected = generator[index]
                let stored = try #require(try await register.person(expected.personalNumber))
                #expect(stored.name.given == expected.givenName)
                #expect(stored.name.familyLatin == expected.familyNameLatin)
                #expect(stored.name.hangul == expected.hangulName)
                #expect(stored.birthDate == expected.birthDate)
                #expect(stored.address.flat == expected.address.flat)
                #expect(stored.citizenship == expected.citizenship)
                let documents = try await register.documents(of: expected.personalNumber)
                if expected.birthDate.age(on: DemoCountryStore.referenceDate) >= 16 {
                    adults += 1
                    let document = try #require(documents.first)
                    #expect(document.isValid(on: DemoCountryStore.referenceDate), "\(document)")
                    #expect(document.kind == (expected.citizenship == "CVT" ? .idCard : .residencePermit))
                } else {
                    #expect(documents.isEmpty)
                }
            }
            #expect(adults > 0)
        }
    }
}
