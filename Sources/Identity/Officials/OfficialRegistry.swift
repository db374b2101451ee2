public import Audit
public import CivitasCore
import Foundation
import SQLKit
public import Storage

/// Who is an official, in which roles: `identity_official_roles`, one row per role held.
///
/// Granting and revoking are audit entries written in the same transaction as the change; the table holds only the
/// present, the audit chain the history. Roles are held by people (by personal number), so an official signs in
/// like any citizen and the ``OfficialPolicy`` decides from their session.
public struct OfficialRegistry: Sendable {
    private let database: Database
    private let audit: AuditLog
    private let clock: any WallClock

    /// Creates the registry.
    public init(database: Database, audit: AuditLog, clock: any WallClock = SystemClock()) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Gives `person` the role `role`.
    ///
    /// - Throws: ``IdentityError`` `.alreadyRegistered` when they hold it already.
    public func grant(_ role: OfficialRole, to person: PersonalNumber, actor: AuditActor) async throws {
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            let existing = try await sql.raw(
                """
                SELECT 1 AS n FROM identity_official_roles
                WHERE personal_number = \(bind: person.rawValue) AND role = \(bind: role.rawValue)
                """
            ).first()
            guard existing == nil else {
                throw IdentityError(.alreadyRegistered, "\(person.rawValue) holds the role \(role.rawValue) already")
            }
            try await sql.raw(
                """
                INSERT INTO identity_official_roles (personal_number, role, granted_at, granted_by)
                VALUES (\(bind: person.rawValue), \(bind: role.rawValue), \(bind: now), \(bind: actor.id))
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.official.grant",
                    object: AuditObject(type: "official-role", id: role.rawValue),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: "grant the role \(role.rawValue)"), in: sql)
        }
    }

    /// Takes the role `role` away from `person`; their open sessions lose it on their next request.
    ///
    /// - Throws: ``IdentityError`` `.notFound` when they do not hold it.
    public func revoke(_ role: OfficialRole, from person: PersonalNumber, actor: AuditActor) async throws {
        let audit = self.audit
        try await database.transaction { sql in
            let existing = try await sql.raw(
                """
                SELECT 1 AS n FROM identity_official_roles
                WHERE personal_number = \(bind: person.rawValue) AND role = \(bind: role.rawValue)
                """
            ).first()
            guard existing != nil else {
                throw IdentityError(.notFound, "\(person.rawValue) does not hold the role \(role.rawValue)")
            }
            try await sql.raw(
                """
                DELETE FROM identity_official_roles
                WHERE personal_number = \(bind: person.rawValue) AND role = \(bind: role.rawValue)
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.official.revoke",
                    object: AuditObject(type: "official-role", id: role.rawValue),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: "revoke the role \(role.rawValue)"), in: sql)
        }
    }

    /// The roles `person` holds now.
    public func roles(of person: PersonalNumber) async throws -> Set<OfficialRole> {
        let rows = try await database.read { sql in
            try await sql.raw(
                "SELECT role FROM identity_official_roles WHERE personal_number = \(bind: person.rawValue)"
            ).all()
        }
        return Set(try rows.compactMap { OfficialRole(rawValue: try $0.decode(column: "role", as: String.self)) })
    }

    /// Every role held, by person and role.
    public func all() async throws -> [OfficialGrant] {
        let rows = try await database.read { sql in
            try await sql.raw("SELECT * FROM identity_official_roles ORDER BY personal_number, role").all()
        }
        return try rows.compactMap { row in
            guard let role = OfficialRole(rawValue: try row.decode(column: "role", as: String.self)) else {
                return nil
            }
            return OfficialGrant(
                personalNumber: try PersonalNumber(try row.decode(column: "personal_number", as: String.self)),
                role: role,
                grantedAt: Timestamp(microseconds: try row.decode(column: "granted_at", as: Int64.self)).date,
                grantedBy: try row.decode(column: "granted_by", as: String.self))
        }
    }
}
