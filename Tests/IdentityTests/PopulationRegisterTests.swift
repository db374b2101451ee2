import Audit
import CivitasCore
import Foundation
import Identity
import Storage
import StorageTesting
import Testing

@Suite("Population register")
struct PopulationRegisterTests {
    static let migrations = AuditLog.migrations + PopulationRegister.migrations
    static let official = AuditActor(kind: .official, id: "clerk-17")

    static func nino(_ serial: UInt64 = 1_001_011) -> Person {
        Person(
            personalNumber: PersonalNumber(serial: serial),
            name: PersonName(given: "ნინო", family: "ბერიძე", givenLatin: "Nino", familyLatin: "Beridze"),
            birthDate: try! CalendarDate(year: 1990, month: 3, day: 8), sex: .female, citizenship: "CVT",
            address: RegisteredAddress(
                city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "12ა", flat: 7,
                postcode: "0179"))
    }

    @Test("a registered person reads back as stored, in every script", arguments: DatabaseEngine.allCases)
    func roundTrip(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let register = PopulationRegister(database: database, audit: AuditLog(database: database))
            var minjun = Self.nino(2_002_022)
            minjun.name = PersonName(
                given: "მინჯუნ", family: "კიმი", givenLatin: "Minjun", familyLatin: "Kim", hangul: "김민준")
            minjun.citizenship = "KOR"
            minjun.address.flat = nil
            try await register.register(Self.nino(), actor: Self.official, purpose: "birth registration")
            try await register.register(minjun, actor: Self.official, purpose: "residence permit")
            #expect(try await register.person(Self.nino().personalNumber) == Self.nino())
            #expect(try await register.person(minjun.personalNumber) == minjun)
            #expect(try await register.person(PersonalNumber(serial: 3_003_033)) == nil)
            #expect(try await register.count() == 2)
            let audited = try await AuditLog(database: database).entries(
                about: DataSubject(kind: "person", identifier: Self.nino().personalNumber.rawValue))
            #expect(audited.entries.map(\.event.action) == ["identity.person.register"])
        }
    }

    @Test("a personal number is registered once; bad records are refused and nothing is stored")
    func refusals() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let register = PopulationRegister(database: database, audit: AuditLog(database: database))
            try await register.register(Self.nino(), actor: Self.official, purpose: "birth registration")
            let duplicate = await #expect(throws: IdentityError.self) {
                try await register.register(Self.nino(), actor: Self.official, purpose: "again")
            }
            #expect(duplicate?.code == .alreadyRegistered)
            var bad: [Person] = []
            var latin = Self.nino(4_004_044)
            latin.name.givenLatin = "ნინო"
            bad.append(latin)
            var empty = Self.nino(5_005_055)
            empty.name.family = "  "
            bad.append(empty)
            var citizenship = Self.nino(6_006_066)
            citizenship.citizenship = "ge"
            bad.append(citizenship)
            var postcode = Self.nino(7_007_077)
            postcode.address.postcode = "01790"
            bad.append(postcode)
            var death = Self.nino(8_008_088)
            death.status = .deceased(on: try CalendarDate(year: 1980, month: 1, day: 1))
            bad.append(death)
            for person in bad {
                let error = await #expect(throws: IdentityError.self) {
                    try await register.register(person, actor: Self.official, purpose: "test")
                }
                #expect(error?.code == .invalidRecord, "\(person)")
            }
            #expect(try await register.count() == 1)
            guard case .intact(let entries, _) = try await AuditLog(database: database).verify() else {
                Issue.record("the audit chain is broken")
                return
            }
            #expect(entries == 1)
        }
    }

    @Test(
        "a move and a death are recorded and audited; a deceased person cannot move", arguments: DatabaseEngine.allCases
    )
    func changes(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let register = PopulationRegister(database: database, audit: AuditLog(database: database))
            let number = Self.nino().personalNumber
            try await register.register(Self.nino(), actor: Self.official, purpose: "birth registration")
            let moved = RegisteredAddress(
                city: "ბათუმი", district: "ძველი ბათუმი", street: "რუსთაველის ქუჩა", houseNumber: "3", flat: nil,
                postcode: "6000")
            try await register.changeAddress(of: number, to: moved, actor: Self.official, purpose: "move")
            #expect(try await register.person(number)?.address == moved)
            let died = try CalendarDate(year: 2026, month: 5, day: 1)
            try await register.recordDeath(of: number, on: died, actor: Self.official, purpose: "death certificate")
            #expect(try await register.person(number)?.status == .deceased(on: died))
            let error = await #expect(throws: IdentityError.self) {
                try await register.changeAddress(
                    of: number, to: Self.nino().address, actor: Self.official, purpose: "x")
            }
            #expect(error?.code == .invalidTransition)
            #expect(try await register.person(number)?.address == moved)
            let missing = await #expect(throws: IdentityError.self) {
                try await register.recordDeath(
                    of: PersonalNumber(serial: 9_009_099), on: died, actor: Self.official, purpose: "x")
            }
            #expect(missing?.code == .notFound)
            let actions = try await AuditLog(database: database).entries(
                about: DataSubject(kind: "person", identifier: number.rawValue)
            ).entries.map(\.event.action)
            #expect(actions == ["identity.person.death", "identity.person.address", "identity.person.register"])
        }
    }

    @Test("identity documents: issued, valid within their dates, invalidated; numbers are unique and well-formed")
    func documents() async throws {
        try await TestDatabase.with(.sqlite, migrations: Self.migrations) { database in
            let register = PopulationRegister(database: database, audit: AuditLog(database: database))
            let number = Self.nino().personalNumber
            try await register.register(Self.nino(), actor: Self.official, purpose: "birth registration")
            let card = IdentityDocument(
                kind: .idCard, number: "CV1234567", holder: number,
                issuedOn: try CalendarDate(year: 2024, month: 2, day: 1),
                expiresOn: try CalendarDate(year: 2034, month: 1, day: 31))
            try await register.issue(card, actor: Self.official, purpose: "ID card application")
            let stored = try await register.documents(of: number)
            #expect(stored == [card])
            #expect(card.isValid(on: try CalendarDate(year: 2026, month: 12, day: 1)))
            #expect(!card.isValid(on: try CalendarDate(year: 2034, month: 2, day: 1)))
            for bad in ["cv1234567", "CV-12345", "CV1", "CV1234567"] {
                var document = card
                document.number = bad
                await #expect(throws: IdentityError.self, "\(bad)") {
                    try await register.issue(document, actor: Self.official, purpose: "x")
                }
            }
            var stranger = card
            stranger.number = "CV7654321"
            stranger.holder = PersonalNumber(serial: 9_009_099)
            let missing = await #expect(throws: IdentityError.self) {
                try await register.issue(stranger, actor: Self.official, purpose: "x")
            }
            #expect(missing?.code == .notFound)
            try await register.invalidate(document: "CV1234567", actor: Self.official, purpose: "reported lost")
            let lost = try #require(try await register.documents(of: number).first)
            #expect(lost.invalidated)
            #expect(!lost.isValid(on: try CalendarDate(year: 2026, month: 12, day: 1)))
        }
    }

    @Test(
        "a bulk load writes every person and document in the caller's transaction", arguments: DatabaseEngine.allCases)
    func load(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let persons = (0..<2_500).map { Self.nino(10_000 + UInt64($0)) }
            let documents = persons.prefix(10).enumerated().map { index, person in
                IdentityDocument(
                    kind: .idCard, number: "CV\(1_000_000 + index)", holder: person.personalNumber,
                    issuedOn: try! CalendarDate(year: 2025, month: 1, day: 1),
                    expiresOn: try! CalendarDate(year: 2035, month: 1, day: 1))
            }
            try await database.transaction { sql in
                try await PopulationRegister.load(persons, documents: documents, into: sql)
            }
            let register = PopulationRegister(database: database, audit: AuditLog(database: database))
            #expect(try await register.count() == 2_500)
            #expect(try await register.person(persons[1_234].personalNumber) == persons[1_234])
            #expect(try await register.documents(of: persons[3].personalNumber).map(\.number) == ["CV1000003"])
        }
    }
}
