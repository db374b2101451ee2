import Audit
import CivitasCore
import DemoCountry
import Identity
import Storage

extension Demo {
    /// The demo company: a limited liability company whose sole director is the first demo resident with an
    /// account (`demo.<name>`) and whose board member (joint right) is the second; made once.
    static func createDemoCompany(database: Database, persons: Int) async throws -> String? {
        let generator = PopulationGenerator(count: persons, referenceDate: DemoCountryStore.referenceDate)
        var adults: [PersonalNumber] = []
        var index = 0
        while adults.count < 2, index < persons {
            let person = generator[index]
            index += 1
            if person.birthDate.age(on: DemoCountryStore.referenceDate) >= 18 { adults.append(person.personalNumber) }
        }
        guard adults.count == 2 else { return nil }
        let registry = LegalEntityRegistry(database: database, audit: AuditLog(database: database))
        let code = try RegistryCode("204000001")
        if try await registry.entity(code) == nil {
            let actor = AuditActor.system("demo")
            try await registry.register(
                LegalEntity(
                    registryCode: code, name: "შპს ციფრული ქალაქი", nameLatin: "Tsifruli Kalaki", legalForm: "LLC"),
                actor: actor, purpose: "demo company")
            try await registry.record(
                Representative(
                    entity: code, personalNumber: adults[0], role: "director", right: .sole,
                    from: try CalendarDate("2020-01-01")),
                actor: actor, purpose: "demo company")
            try await registry.record(
                Representative(
                    entity: code, personalNumber: adults[1], role: "board-member", right: .joint,
                    from: try CalendarDate("2020-01-01")),
                actor: actor, purpose: "demo company")
        }
        return "Tsifruli Kalaki LLC (\(code)): director \(adults[0]), board member \(adults[1])"
    }
}
