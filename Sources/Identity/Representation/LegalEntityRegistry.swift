public import Audit
public import CivitasCore
import Foundation
import SQLKit
public import Storage

/// Legal entities and the persons who represent them: the minimal record that representation needs until the
/// business registry fills it.
///
/// Every change is one transaction with its audit entry under the official (or system) who made it, with the
/// entity, and for a representative also the person, as data subjects.
public struct LegalEntityRegistry: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let clock: any WallClock

    /// Creates the registry over its storage.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Registers an entity, or updates its names, form and status.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for an empty or overlong name or form.
    public func register(_ entity: LegalEntity, actor: AuditActor, purpose: String) async throws {
        for (field, value) in [
            ("name", entity.name), ("Latin name", entity.nameLatin), ("legal form", entity.legalForm),
        ]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            throw IdentityError(.invalidRecord, "the entity's \(field) must be 1 to 200 characters")
        }
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            let existing = try await sql.raw(
                "SELECT 1 AS n FROM identity_legal_entities WHERE registry_code = \(bind: entity.registryCode.rawValue)"
            ).first()
            if existing == nil {
                try await sql.raw(
                    """
                    INSERT INTO identity_legal_entities (registry_code, name, name_latin, legal_form, status, recorded_at)
                    VALUES (\(bind: entity.registryCode.rawValue), \(bind: entity.name), \(bind: entity.nameLatin),
                        \(bind: entity.legalForm), \(bind: entity.status.rawValue), \(bind: now))
                    """
                ).run()
            } else {
                try await sql.raw(
                    """
                    UPDATE identity_legal_entities SET name = \(bind: entity.name),
                        name_latin = \(bind: entity.nameLatin), legal_form = \(bind: entity.legalForm),
                        status = \(bind: entity.status.rawValue), recorded_at = \(bind: now)
                    WHERE registry_code = \(bind: entity.registryCode.rawValue)
                    """
                ).run()
            }
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: existing == nil ? "identity.entity.register" : "identity.entity.update",
                    object: AuditObject(type: "legal-entity", id: entity.registryCode.rawValue),
                    subject: DataSubject(kind: "organisation", identifier: entity.registryCode.rawValue),
                    purpose: purpose), in: sql)
        }
    }

    /// Records a representative, or changes the right, dates or end of one already recorded in the same role.
    ///
    /// - Throws: ``IdentityError`` `notFound` for an unknown entity, `invalidRecord` for a bad role or an end
    ///   before the start.
    public func record(_ representative: Representative, actor: AuditActor, purpose: String) async throws {
        guard (1...64).contains(representative.role.utf8.count),
            representative.role.utf8.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x2D })
        else { throw IdentityError(.invalidRecord, "a role is 1 to 64 characters of a-z and '-' (director, …)") }
        if let until = representative.until, until < representative.from {
            throw IdentityError(.invalidRecord, "a representative's right cannot end before it begins")
        }
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        let code = representative.entity.rawValue
        let person = representative.personalNumber.rawValue
        try await database.transaction { sql in
            guard
                try await sql.raw("SELECT 1 AS n FROM identity_legal_entities WHERE registry_code = \(bind: code)")
                    .first() != nil
            else { throw IdentityError(.notFound, "no legal entity has the registry code \(code)") }
            try await sql.raw(
                """
                DELETE FROM identity_representatives WHERE registry_code = \(bind: code)
                    AND personal_number = \(bind: person) AND role = \(bind: representative.role)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_representatives (registry_code, personal_number, role, representation,
                    valid_from, valid_until, recorded_at)
                VALUES (\(bind: code), \(bind: person), \(bind: representative.role),
                    \(bind: representative.right.rawValue), \(bind: representative.from.description),
                    \(bind: representative.until?.description), \(bind: now))
                """
            ).run()
            let what = "\(representative.role) (\(representative.right.rawValue)) of \(code)"
            _ = try await audit.append(
                contentsOf: [
                    AuditEvent(
                        actor: actor, action: "identity.entity.representative",
                        object: AuditObject(type: "legal-entity", id: code),
                        subject: DataSubject(kind: "organisation", identifier: code), purpose: "\(purpose): \(what)"),
                    AuditEvent(
                        actor: actor, action: "identity.entity.representative",
                        object: AuditObject(type: "legal-entity", id: code),
                        subject: DataSubject(kind: "person", identifier: person), purpose: "\(purpose): \(what)"),
                ], in: sql)
        }
    }

    /// The entity with `code`, or `nil`.
    public func entity(_ code: RegistryCode) async throws -> LegalEntity? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_legal_entities WHERE registry_code = \(bind: code.rawValue)")
                .first().map(Self.entity(from:))
        }
    }

    /// The entity's representatives, current and past.
    public func representatives(of code: RegistryCode) async throws -> [Representative] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM identity_representatives WHERE registry_code = \(bind: code.rawValue)
                ORDER BY valid_from, personal_number
                """
            ).all().map(Self.representative(from:))
        }
    }

    /// The rights of representation `person` holds on `day`, in active entities only.
    public func representations(
        of person: PersonalNumber, on day: CalendarDate
    ) async throws -> [(entity: LegalEntity, representative: Representative)] {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT r.*, e.name, e.name_latin, e.legal_form, e.status FROM identity_representatives r
                JOIN identity_legal_entities e ON e.registry_code = r.registry_code
                WHERE r.personal_number = \(bind: person.rawValue) AND e.status = 'active'
                ORDER BY r.registry_code
                """
            ).all()
        }
        return try rows.compactMap { row in
            let representative = try Self.representative(from: row)
            guard representative.holds(on: day) else { return nil }
            return (try Self.entity(from: row), representative)
        }
    }

    static func entity(from row: any SQLRow) throws -> LegalEntity {
        LegalEntity(
            registryCode: try RegistryCode(try row.decode(column: "registry_code", as: String.self)),
            name: try row.decode(column: "name", as: String.self),
            nameLatin: try row.decode(column: "name_latin", as: String.self),
            legalForm: try row.decode(column: "legal_form", as: String.self),
            status: LegalEntity.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .suspended)
    }

    static func representative(from row: any SQLRow) throws -> Representative {
        Representative(
            entity: try RegistryCode(try row.decode(column: "registry_code", as: String.self)),
            personalNumber: try PersonalNumber(try row.decode(column: "personal_number", as: String.self)),
            role: try row.decode(column: "role", as: String.self),
            right: Representative.Right(rawValue: try row.decode(column: "representation", as: String.self)) ?? .joint,
            from: try CalendarDate(try row.decode(column: "valid_from", as: String.self)),
            until: try row.decode(column: "valid_until", as: String?.self).map { try CalendarDate($0) })
    }
}
