public import Audit
public import CivitasCore
import Foundation
public import SQLKit
public import Storage

/// The population register core: persons and their identity documents.
///
/// Every change is one transaction with its audit entry, under the official who made it, with the person as
/// the data subject; reads are not audited here (the blocks that read for a purpose audit that purpose).
public struct PopulationRegister: Sendable {
    private let database: Database
    private let audit: AuditLog

    /// Creates the register over its storage.
    public init(database: Database, audit: AuditLog) {
        self.database = database
        self.audit = audit
    }

    /// Rows per INSERT when loading many persons (16 values each, under both engines' parameter limits).
    static let rowsPerStatement = 1000

    /// Registers a new person.
    ///
    /// - Throws: ``IdentityError`` `alreadyRegistered` for a personal number in use, `invalidRecord` for a
    ///   record that does not hold together (see ``check(_:)``).
    public func register(_ person: Person, actor: AuditActor, purpose: String) async throws {
        try Self.check(person)
        let audit = self.audit
        try await database.transaction { sql in
            let existing = try await sql.raw(
                "SELECT 1 AS n FROM identity_persons WHERE personal_number = \(bind: person.personalNumber.rawValue)"
            ).first()
            guard existing == nil else {
                throw IdentityError(
                    .alreadyRegistered, "personal number \(person.personalNumber) is registered already")
            }
            try await Self.insert([person], into: sql)
            _ = try await audit.append(
                Self.event(actor, "identity.person.register", person.personalNumber, purpose), in: sql)
        }
    }

    /// The person with `number`, or `nil`.
    public func person(_ number: PersonalNumber) async throws -> Person? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_persons WHERE personal_number = \(bind: number.rawValue)")
                .first().map(Self.person(from:))
        }
    }

    /// How many persons the register holds.
    public func count() async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM identity_persons").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// Records a move to `address`.
    public func changeAddress(
        of number: PersonalNumber, to address: RegisteredAddress, actor: AuditActor, purpose: String
    ) async throws {
        try Self.check(address)
        try await change(number, action: "identity.person.address", actor: actor, purpose: purpose) { person, sql in
            guard person.status == .alive else {
                throw IdentityError(.invalidTransition, "\(number) is deceased; the address cannot change")
            }
            try await sql.raw(
                """
                UPDATE identity_persons SET city = \(bind: address.city), district = \(bind: address.district),
                    street = \(bind: address.street), house_number = \(bind: address.houseNumber),
                    flat = \(bind: address.flat), postcode = \(bind: address.postcode)
                WHERE personal_number = \(bind: number.rawValue)
                """
            ).run()
        }
    }

    /// Records a death on `date`.
    public func recordDeath(
        of number: PersonalNumber, on date: CalendarDate, actor: AuditActor, purpose: String
    )
        async throws
    {
        try await change(number, action: "identity.person.death", actor: actor, purpose: purpose) { person, sql in
            guard person.status == .alive else {
                throw IdentityError(.invalidTransition, "\(number) is recorded as deceased already")
            }
            guard date.daysSince1970 >= person.birthDate.daysSince1970 else {
                throw IdentityError(.invalidRecord, "the date of death is before the date of birth")
            }
            try await sql.raw(
                """
                UPDATE identity_persons SET died_on = \(bind: date.description)
                WHERE personal_number = \(bind: number.rawValue)
                """
            ).run()
        }
    }

    /// Records an identity document issued to its holder.
    public func issue(_ document: IdentityDocument, actor: AuditActor, purpose: String) async throws {
        guard IdentityDocument.isWellFormed(number: document.number) else {
            throw IdentityError(.invalidRecord, "a document number is 6 to 12 upper-case letters and digits")
        }
        guard document.issuedOn.daysSince1970 <= document.expiresOn.daysSince1970 else {
            throw IdentityError(.invalidRecord, "the document expires before it is issued")
        }
        try await change(document.holder, action: "identity.document.issue", actor: actor, purpose: purpose) {
            person, sql in
            guard person.status == .alive else {
                throw IdentityError(.invalidTransition, "\(person.personalNumber) is deceased")
            }
            let existing = try await sql.raw(
                "SELECT 1 AS n FROM identity_documents WHERE number = \(bind: document.number)"
            ).first()
            guard existing == nil else {
                throw IdentityError(.alreadyRegistered, "document \(document.number) is registered already")
            }
            try await Self.insert(documents: [document], into: sql)
        }
    }

    /// Declares a document lost, stolen or replaced.
    public func invalidate(document number: String, actor: AuditActor, purpose: String) async throws {
        let holder = try await database.read { sql in
            try await sql.raw("SELECT holder FROM identity_documents WHERE number = \(bind: number)").first()?
                .decode(column: "holder", as: String.self)
        }
        guard let holder, let personalNumber = try? PersonalNumber(holder) else {
            throw IdentityError(.notFound, "no document \(number)")
        }
        try await change(personalNumber, action: "identity.document.invalidate", actor: actor, purpose: purpose) {
            _, sql in
            try await sql.raw("UPDATE identity_documents SET invalidated = 1 WHERE number = \(bind: number)").run()
        }
    }

    /// The person's documents, newest first.
    public func documents(of number: PersonalNumber) async throws -> [IdentityDocument] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM identity_documents WHERE holder = \(bind: number.rawValue)
                ORDER BY issued_on DESC, number
                """
            ).all().map(Self.document(from:))
        }
    }

    /// Writes many new persons and their documents in the caller's transaction, without audit entries of
    /// their own (the caller audits the load as one event): the demo country's and a migration's path.
    public static func load(
        _ persons: some Collection<Person>, documents: some Collection<IdentityDocument>, into sql: any SQLDatabase
    ) async throws {
        for person in persons { try check(person) }
        let people = Array(persons)
        for start in stride(from: 0, to: people.count, by: rowsPerStatement) {
            try await insert(people[start..<min(start + rowsPerStatement, people.count)], into: sql)
        }
        let papers = Array(documents)
        for start in stride(from: 0, to: papers.count, by: rowsPerStatement) {
            try await insert(documents: papers[start..<min(start + rowsPerStatement, papers.count)], into: sql)
        }
    }

    /// Refuses records that do not hold together: empty names, Latin names outside Latin script, a
    /// citizenship that is not three capital letters, a death before birth.
    public static func check(_ person: Person) throws {
        let name = person.name
        for (label, value) in [("given name", name.given), ("family name", name.family)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 100 {
            throw IdentityError(.invalidRecord, "the \(label) must have 1 to 100 characters")
        }
        for (label, value) in [("Latin given name", name.givenLatin), ("Latin family name", name.familyLatin)] {
            guard !value.isEmpty, value.count <= 100,
                value.unicodeScalars.allSatisfy({
                    $0.isASCII && ($0.properties.isAlphabetic || " -'".unicodeScalars.contains($0))
                })
            else {
                throw IdentityError(.invalidRecord, "the \(label) must be 1 to 100 Latin letters, spaces, - or '")
            }
        }
        guard person.citizenship.utf8.count == 3, person.citizenship.utf8.allSatisfy({ (0x41...0x5A).contains($0) })
        else {
            throw IdentityError(.invalidRecord, "citizenship is an ISO 3166-1 alpha-3 code")
        }
        if case .deceased(let date) = person.status, date.daysSince1970 < person.birthDate.daysSince1970 {
            throw IdentityError(.invalidRecord, "the date of death is before the date of birth")
        }
        try check(person.address)
    }

    static func check(_ address: RegisteredAddress) throws {
        guard !address.city.isEmpty, !address.street.isEmpty, !address.houseNumber.isEmpty else {
            throw IdentityError(.invalidRecord, "an address has a city, a street and a house number")
        }
        guard address.postcode.utf8.count == 4, address.postcode.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw IdentityError(.invalidRecord, "a postcode is four digits")
        }
        if let flat = address.flat, flat <= 0 { throw IdentityError(.invalidRecord, "a flat number is positive") }
    }

    private func change(
        _ number: PersonalNumber, action: String, actor: AuditActor, purpose: String,
        _ body: @escaping @Sendable (Person, any SQLDatabase) async throws -> Void
    ) async throws {
        let audit = self.audit
        try await database.transaction { sql in
            guard
                let person = try await sql.raw(
                    "SELECT * FROM identity_persons WHERE personal_number = \(bind: number.rawValue)"
                ).first().map(Self.person(from:))
            else { throw IdentityError(.notFound, "no person with personal number \(number)") }
            try await body(person, sql)
            _ = try await audit.append(Self.event(actor, action, number, purpose), in: sql)
        }
    }

    static func event(
        _ actor: AuditActor, _ action: String, _ number: PersonalNumber, _ purpose: String
    )
        -> AuditEvent
    {
        AuditEvent(
            actor: actor, action: action, object: AuditObject(type: "person", id: number.rawValue),
            subject: DataSubject(kind: "person", identifier: number.rawValue), purpose: purpose)
    }

    static func insert(_ persons: some Collection<Person>, into sql: any SQLDatabase) async throws {
        guard !persons.isEmpty else { return }
        var query = SQLQueryString(
            """
            INSERT INTO identity_persons (personal_number, given_name, family_name, given_name_latin,
                family_name_latin, hangul_name, birth_date, sex, citizenship, city, district, street, house_number,
                flat, postcode, died_on) VALUES
            """)
        var first = true
        for person in persons {
            query.appendInterpolation(unsafeRaw: first ? " (" : ", (")
            first = false
            let name = person.name
            let address = person.address
            var diedOn: String?
            if case .deceased(let date) = person.status { diedOn = date.description }
            query.appendInterpolation(
                """
                \(bind: person.personalNumber.rawValue), \(bind: name.given), \(bind: name.family),
                \(bind: name.givenLatin), \(bind: name.familyLatin), \(bind: name.hangul),
                \(bind: person.birthDate.description), \(bind: person.sex.rawValue), \(bind: person.citizenship),
                \(bind: address.city), \(bind: address.district), \(bind: address.street),
                \(bind: address.houseNumber), \(bind: address.flat), \(bind: address.postcode), \(bind: diedOn))
                """ as SQLQueryString)
        }
        try await sql.raw(query).run()
    }

    static func insert(documents: some Collection<IdentityDocument>, into sql: any SQLDatabase) async throws {
        guard !documents.isEmpty else { return }
        var query = SQLQueryString(
            "INSERT INTO identity_documents (number, kind, holder, issued_on, expires_on, invalidated) VALUES")
        var first = true
        for document in documents {
            query.appendInterpolation(unsafeRaw: first ? " (" : ", (")
            first = false
            query.appendInterpolation(
                """
                \(bind: document.number), \(bind: document.kind.rawValue), \(bind: document.holder.rawValue),
                \(bind: document.issuedOn.description), \(bind: document.expiresOn.description),
                \(bind: document.invalidated ? 1 : 0))
                """ as SQLQueryString)
        }
        try await sql.raw(query).run()
    }

    static func person(from row: any SQLRow) throws -> Person {
        func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
        guard let sex = Person.Sex(rawValue: try text("sex")) else {
            throw IdentityError(.invalidRecord, "a stored person has an unknown sex value")
        }
        let died = try row.decode(column: "died_on", as: String?.self)
        return Person(
            personalNumber: try PersonalNumber(try text("personal_number")),
            name: PersonName(
                given: try text("given_name"), family: try text("family_name"),
                givenLatin: try text("given_name_latin"), familyLatin: try text("family_name_latin"),
                hangul: try row.decode(column: "hangul_name", as: String?.self)),
            birthDate: try CalendarDate(try text("birth_date")), sex: sex, citizenship: try text("citizenship"),
            address: RegisteredAddress(
                city: try text("city"), district: try text("district"), street: try text("street"),
                houseNumber: try text("house_number"), flat: try row.decode(column: "flat", as: Int?.self),
                postcode: try text("postcode")),
            status: try died.map { .deceased(on: try CalendarDate($0)) } ?? .alive)
    }

    static func document(from row: any SQLRow) throws -> IdentityDocument {
        guard let kind = IdentityDocument.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else {
            throw IdentityError(.invalidRecord, "a stored document has an unknown kind")
        }
        return IdentityDocument(
            kind: kind, number: try row.decode(column: "number", as: String.self),
            holder: try PersonalNumber(try row.decode(column: "holder", as: String.self)),
            issuedOn: try CalendarDate(try row.decode(column: "issued_on", as: String.self)),
            expiresOn: try CalendarDate(try row.decode(column: "expires_on", as: String.self)),
            invalidated: try row.decode(column: "invalidated", as: Int.self) != 0)
    }
}
