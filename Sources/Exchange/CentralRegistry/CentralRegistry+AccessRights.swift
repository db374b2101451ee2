public import Audit
public import CivitasCore
import Foundation
import SQLKit
import Storage

extension CentralRegistry {
    /// Lets `client` call `service`, with only `method` (any when `nil`) on paths matching `path` (any when `nil`).
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a member as client, a bad method or pattern; `.notFound`
    ///   for an unknown client subsystem or service; `.alreadyRegistered` for the same right twice.
    @discardableResult
    public func grantAccess(
        client: XRoadClientIdentifier, service: XRoadServiceIdentifier, method: String? = nil, path: String? = nil,
        actor: AuditActor
    ) async throws -> AccessRight {
        try checkInstance(client)
        try checkInstance(service.provider)
        guard client.isSubsystem else {
            throw ExchangeError(.invalidRecord, "access is granted to a subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM")
        }
        let (method, path) = try AccessRight.validate(method: method, path: path)
        let now = clock.timestamp().microseconds
        let id = try await change(
            actor: actor, action: "exchange.access.grant",
            object: AuditObject(type: "exchange-service", id: "\(service)"),
            purpose: "allow \(client) to call \(service) \(method ?? "*") \(path ?? "/**")"
        ) { sql in
            guard try await Self.exists("exchange_subsystems", "subsystem_id", "\(client)", in: sql) else {
                throw ExchangeError(.notFound, "no subsystem \(client)")
            }
            guard try await Self.exists("exchange_services", "service_id", "\(service)", in: sql) else {
                throw ExchangeError(.notFound, "no service \(service)")
            }
            let row = try await sql.raw(
                """
                INSERT INTO exchange_access_rights (client_id, service_id, method, path, created_at)
                VALUES (\(bind: client.description), \(bind: service.description), \(bind: method ?? ""),
                    \(bind: path ?? ""), \(bind: now))
                RETURNING id
                """
            ).first()
            return try row?.decode(column: "id", as: Int64.self) ?? 0
        }
        return AccessRight(id: id, client: client, service: service, method: method, path: path)
    }

    /// Every access right, by service then client.
    public func accessRights() async throws -> [AccessRight] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, client_id, service_id, method, path FROM exchange_access_rights
                ORDER BY service_id, client_id, id
                """
            ).all().map(Self.accessRight)
        }
    }

    /// Withdraws access right `id`.
    ///
    /// - Throws: ``ExchangeError`` `.notFound`.
    public func revokeAccess(id: Int64, actor: AuditActor) async throws {
        try await change(
            actor: actor, action: "exchange.access.revoke",
            object: AuditObject(type: "exchange-access-right", id: "\(id)"),
            purpose: "withdraw access right \(id)"
        ) { sql in
            guard
                try await sql.raw("SELECT id FROM exchange_access_rights WHERE id = \(bind: id)").first() != nil
            else { throw ExchangeError(.notFound, "no access right \(id)") }
            try await sql.raw("DELETE FROM exchange_access_rights WHERE id = \(bind: id)").run()
        }
    }

    /// Whether `client` may call `service` with `method` on `path`: only when some access right permits it.
    public func isAllowed(
        client: XRoadClientIdentifier, service: XRoadServiceIdentifier, method: String, path: String
    ) async throws -> Bool {
        let rights = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, client_id, service_id, method, path FROM exchange_access_rights
                WHERE client_id = \(bind: client.description) AND service_id = \(bind: service.description)
                """
            ).all().map(Self.accessRight)
        }
        return rights.contains { $0.permits(client: client, service: service, method: method, path: path) }
    }

    static func accessRight(_ row: any SQLRow) throws -> AccessRight {
        let method = try row.decode(column: "method", as: String.self)
        let path = try row.decode(column: "path", as: String.self)
        return AccessRight(
            id: try row.decode(column: "id", as: Int64.self),
            client: try XRoadClientIdentifier(try row.decode(column: "client_id", as: String.self)),
            service: try XRoadServiceIdentifier(try row.decode(column: "service_id", as: String.self)),
            method: method.isEmpty ? nil : method, path: path.isEmpty ? nil : path)
    }
}
