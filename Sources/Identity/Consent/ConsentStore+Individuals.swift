public import Audit
import CivitasCore
import SQLKit
import Storage

extension ConsentStore {
    /// The fields of an individual a caller may set.
    public struct IndividualFields: Sendable, Hashable {
        /// The id in another system.
        public var externalId: String?
        /// Its kind; `personal_number` ids are checked with their check digit.
        public var externalIdType: String?
        /// The identity provider.
        public var identityProviderId: String?

        /// Creates the fields.
        public init(externalId: String? = nil, externalIdType: String? = nil, identityProviderId: String? = nil) {
            self.externalId = externalId
            self.externalIdType = externalIdType
            self.identityProviderId = identityProviderId
        }

        func checked() throws -> IndividualFields {
            for (name, value) in [
                ("externalId", externalId), ("externalIdType", externalIdType),
                ("identityProviderId", identityProviderId),
            ] {
                if let value, value.isEmpty || value.count > 200 || value.contains(where: \.isNewline) {
                    throw IdentityError(.invalidRecord, "\(name) is 1 to 200 characters on one line")
                }
            }
            guard (externalId == nil) == (externalIdType == nil) else {
                throw IdentityError(.invalidRecord, "externalId and externalIdType go together")
            }
            var checked = self
            if externalIdType == ConsentIndividual.personalNumberType, let externalId {
                guard let number = try? PersonalNumber(externalId) else {
                    throw IdentityError(.invalidRecord, "externalId is not a valid personal number")
                }
                checked.externalId = number.rawValue
            }
            return checked
        }
    }

    /// Registers an individual.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` for bad fields, `.alreadyRegistered` when another individual
    ///   has the same external id.
    public func createIndividual(_ fields: IndividualFields, actor: AuditActor) async throws -> ConsentIndividual {
        let fields = try fields.checked()
        let individual = ConsentIndividual(
            id: Self.newID("ind"), externalId: fields.externalId, externalIdType: fields.externalIdType,
            identityProviderId: fields.identityProviderId)
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            try await Self.refuseDuplicate(fields, except: nil, in: sql)
            try await Self.insert(individual, at: now, in: sql)
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.individual.create",
                    object: AuditObject(type: "consent-individual", id: individual.id),
                    subject: Self.subject(of: individual), purpose: "register an individual for consent records"),
                in: sql)
        }
        return individual
    }

    /// Changes an individual's fields.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, `.invalidRecord`, `.alreadyRegistered`.
    public func updateIndividual(
        id: String, _ fields: IndividualFields, actor: AuditActor
    ) async throws -> ConsentIndividual {
        let fields = try fields.checked()
        let audit = self.audit
        return try await database.transaction { sql in
            guard let existing = try await Self.individual(id: id, in: sql) else {
                throw IdentityError(.notFound, "no individual \(id)")
            }
            try await Self.refuseDuplicate(fields, except: id, in: sql)
            try await sql.raw(
                """
                UPDATE identity_consent_individuals SET external_id = \(bind: fields.externalId),
                    external_id_type = \(bind: fields.externalIdType),
                    identity_provider_id = \(bind: fields.identityProviderId)
                WHERE id = \(bind: id)
                """
            ).run()
            let updated = ConsentIndividual(
                id: id, externalId: fields.externalId, externalIdType: fields.externalIdType,
                identityProviderId: fields.identityProviderId)
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.individual.update",
                    object: AuditObject(type: "consent-individual", id: id), subject: Self.subject(of: existing),
                    purpose: "change an individual's external id"),
                in: sql)
            return updated
        }
    }

    /// The individual `id`, or `nil`.
    public func individual(id: String) async throws -> ConsentIndividual? {
        try await database.read { sql in try await Self.individual(id: id, in: sql) }
    }

    /// Individuals, in id order.
    public func individuals(page: Page) async throws -> [ConsentIndividual] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, external_id, external_id_type, identity_provider_id FROM identity_consent_individuals
                ORDER BY id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
                """
            ).all().map(Self.individual)
        }
    }

    static func individual(id: String, in sql: any SQLDatabase) async throws -> ConsentIndividual? {
        try await sql.raw(
            """
            SELECT id, external_id, external_id_type, identity_provider_id FROM identity_consent_individuals
            WHERE id = \(bind: id)
            """
        ).first().map(individual)
    }

    /// The individual for a person who consents through the OpenID provider, registered on first use.
    static func individual(
        for person: PersonalNumber, at now: Int64, in sql: any SQLDatabase
    ) async throws -> ConsentIndividual {
        if let row = try await sql.raw(
            """
            SELECT id, external_id, external_id_type, identity_provider_id FROM identity_consent_individuals
            WHERE external_id_type = \(bind: ConsentIndividual.personalNumberType)
                AND external_id = \(bind: person.rawValue)
            """
        ).first() {
            return try individual(row)
        }
        let individual = ConsentIndividual(
            id: newID("ind"), externalId: person.rawValue, externalIdType: ConsentIndividual.personalNumberType,
            identityProviderId: ConsentIndividual.civitasProvider)
        try await insert(individual, at: now, in: sql)
        return individual
    }

    private static func insert(_ individual: ConsentIndividual, at now: Int64, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO identity_consent_individuals (id, external_id, external_id_type, identity_provider_id,
                created_at)
            VALUES (\(bind: individual.id), \(bind: individual.externalId), \(bind: individual.externalIdType),
                \(bind: individual.identityProviderId), \(bind: now))
            """
        ).run()
    }

    private static func refuseDuplicate(
        _ fields: IndividualFields, except id: String?, in sql: any SQLDatabase
    ) async throws {
        guard let externalId = fields.externalId, let type = fields.externalIdType else { return }
        let row = try await sql.raw(
            """
            SELECT id FROM identity_consent_individuals
            WHERE external_id_type = \(bind: type) AND external_id = \(bind: externalId)
            """
        ).first()
        if let row, try row.decode(column: "id", as: String.self) != id {
            throw IdentityError(.alreadyRegistered, "another individual has this \(type)")
        }
    }

    private static func individual(_ row: any SQLRow) throws -> ConsentIndividual {
        ConsentIndividual(
            id: try row.decode(column: "id", as: String.self),
            externalId: try row.decode(column: "external_id", as: String?.self),
            externalIdType: try row.decode(column: "external_id_type", as: String?.self),
            identityProviderId: try row.decode(column: "identity_provider_id", as: String?.self))
    }
}
