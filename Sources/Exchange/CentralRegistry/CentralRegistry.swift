public import Audit
public import CivitasCore
import Foundation
import SQLKit
public import Storage
public import X509

/// The central registry of one exchange instance (X-Road's central server): members and their subsystems,
/// exchange nodes with their addresses, authentication certificates and clients, services and access rights.
///
/// Everything lives in the `exchange_` tables. Every change is one transaction that writes the change, its audit
/// entry and a new registry revision, so that the global configuration can tell when it is stale. Identifiers from
/// another instance are refused.
public struct CentralRegistry: Sendable {
    let database: Database
    let audit: AuditLog
    let clock: any WallClock
    /// The X-Road instance this registry keeps, e.g. `CVT`.
    public let instance: String
    /// The CAs whose certificates nodes may authenticate with (the organisations CA of the national PKI).
    public let nodeCertificateIssuers: [Certificate]

    /// Creates the registry over its tables (``migrations``).
    public init(
        database: Database, audit: AuditLog, instance: String, nodeCertificateIssuers: [Certificate],
        clock: any WallClock = SystemClock()
    ) {
        self.database = database
        self.audit = audit
        self.instance = instance
        self.nodeCertificateIssuers = nodeCertificateIssuers
        self.clock = clock
    }

    /// The registry's revision: a number that grows with every change.
    public func revision() async throws -> Int64 {
        try await database.read { sql in try await Self.revision(in: sql) }
    }

    static func revision(in sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.raw("SELECT revision FROM exchange_registry_revision WHERE singleton = 1").first()
        return try row?.decode(column: "revision", as: Int64.self) ?? 0
    }

    // MARK: - Members and subsystems

    /// Registers a member.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a subsystem identifier, another instance or an empty name;
    ///   `.alreadyRegistered` when the member exists.
    @discardableResult
    public func addMember(_ id: XRoadClientIdentifier, name: String, actor: AuditActor) async throws -> RegisteredMember
    {
        try checkInstance(id)
        guard !id.isSubsystem else { throw ExchangeError(.invalidRecord, "a member is INSTANCE/CLASS/MEMBER") }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ExchangeError(.invalidRecord, "a member's name is 1 to 200 characters, no control characters") }
        let now = clock.timestamp().microseconds
        try await change(
            actor: actor, action: "exchange.member.add", object: AuditObject(type: "exchange-member", id: "\(id)"),
            purpose: "register exchange member \(id)"
        ) { sql in
            guard try await Self.exists("exchange_members", "member_id", "\(id)", in: sql) == false else {
                throw ExchangeError(.alreadyRegistered, "the member \(id) is registered already")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_members (member_id, member_class, member_code, name, created_at)
                VALUES (\(bind: id.description), \(bind: id.memberClass), \(bind: id.memberCode), \(bind: name),
                    \(bind: now))
                """
            ).run()
        }
        return RegisteredMember(id: id, name: name, subsystems: [])
    }

    /// Every member with its subsystems, in identifier order.
    public func members() async throws -> [RegisteredMember] {
        try await database.read { sql in
            let members = try await sql.raw("SELECT member_id, name FROM exchange_members ORDER BY member_id").all()
            let subsystems = try await sql.raw(
                "SELECT member_id, subsystem_id FROM exchange_subsystems ORDER BY subsystem_id"
            ).all()
            var byMember: [String: [XRoadClientIdentifier]] = [:]
            for row in subsystems {
                byMember[try row.decode(column: "member_id", as: String.self), default: []].append(
                    try XRoadClientIdentifier(try row.decode(column: "subsystem_id", as: String.self)))
            }
            return try members.map { row in
                let id = try row.decode(column: "member_id", as: String.self)
                return RegisteredMember(
                    id: try XRoadClientIdentifier(id), name: try row.decode(column: "name", as: String.self),
                    subsystems: byMember[id] ?? [])
            }
        }
    }

    /// Removes a member that has no subsystems and owns no node.
    ///
    /// - Throws: ``ExchangeError`` `.notFound`, or `.inUse` while subsystems or nodes remain.
    public func removeMember(_ id: XRoadClientIdentifier, actor: AuditActor) async throws {
        try checkInstance(id)
        try await change(
            actor: actor, action: "exchange.member.remove", object: AuditObject(type: "exchange-member", id: "\(id)"),
            purpose: "remove exchange member \(id)"
        ) { sql in
            guard try await Self.exists("exchange_members", "member_id", "\(id)", in: sql) else {
                throw ExchangeError(.notFound, "no member \(id)")
            }
            let hasSubsystems = try await Self.exists("exchange_subsystems", "member_id", "\(id)", in: sql)
            let hasNodes = try await Self.exists("exchange_nodes", "owner_id", "\(id)", in: sql)
            if hasSubsystems || hasNodes {
                throw ExchangeError(.inUse, "the member \(id) still has subsystems or nodes: remove them first")
            }
            try await sql.raw("DELETE FROM exchange_members WHERE member_id = \(bind: id.description)").run()
        }
    }

    /// Registers a subsystem of a registered member.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a member identifier, `.notFound` for an unknown member,
    ///   `.alreadyRegistered` when it exists.
    public func addSubsystem(_ id: XRoadClientIdentifier, actor: AuditActor) async throws {
        try checkInstance(id)
        guard let code = id.subsystemCode else {
            throw ExchangeError(.invalidRecord, "a subsystem is INSTANCE/CLASS/MEMBER/SUBSYSTEM")
        }
        let now = clock.timestamp().microseconds
        try await change(
            actor: actor, action: "exchange.subsystem.add",
            object: AuditObject(type: "exchange-subsystem", id: "\(id)"), purpose: "register subsystem \(id)"
        ) { sql in
            guard try await Self.exists("exchange_members", "member_id", "\(id.member)", in: sql) else {
                throw ExchangeError(.notFound, "no member \(id.member)")
            }
            guard try await Self.exists("exchange_subsystems", "subsystem_id", "\(id)", in: sql) == false else {
                throw ExchangeError(.alreadyRegistered, "the subsystem \(id) is registered already")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_subsystems (subsystem_id, member_id, subsystem_code, created_at)
                VALUES (\(bind: id.description), \(bind: id.member.description), \(bind: code), \(bind: now))
                """
            ).run()
        }
    }

    /// Removes a subsystem that provides no service, holds no access right and no node serves.
    ///
    /// - Throws: ``ExchangeError`` `.notFound`, or `.inUse`.
    public func removeSubsystem(_ id: XRoadClientIdentifier, actor: AuditActor) async throws {
        try checkInstance(id)
        try await change(
            actor: actor, action: "exchange.subsystem.remove",
            object: AuditObject(type: "exchange-subsystem", id: "\(id)"), purpose: "remove subsystem \(id)"
        ) { sql in
            guard try await Self.exists("exchange_subsystems", "subsystem_id", "\(id)", in: sql) else {
                throw ExchangeError(.notFound, "no subsystem \(id)")
            }
            let services = try await Self.exists("exchange_services", "subsystem_id", "\(id)", in: sql)
            let rights = try await Self.exists("exchange_access_rights", "client_id", "\(id)", in: sql)
            let nodes = try await Self.exists("exchange_node_clients", "subsystem_id", "\(id)", in: sql)
            if services || rights || nodes {
                throw ExchangeError(
                    .inUse, "the subsystem \(id) still has services, access rights or nodes: remove them first")
            }
            try await sql.raw("DELETE FROM exchange_subsystems WHERE subsystem_id = \(bind: id.description)").run()
        }
    }

    // MARK: - Plumbing

    /// Refuses identifiers of another instance.
    func checkInstance(_ id: XRoadClientIdentifier) throws(ExchangeError) {
        guard id.instance == instance else {
            throw ExchangeError(.invalidRecord, "\(id) belongs to the instance \(id.instance), not \(instance)")
        }
    }

    /// Runs `body` in a transaction with the audit entry and a new revision.
    @discardableResult
    func change<T: Sendable>(
        actor: AuditActor, action: String, object: AuditObject, purpose: String,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let audit = self.audit
        do {
            return try await database.transaction { sql in
                let result = try await body(sql)
                try await sql.raw(
                    "UPDATE exchange_registry_revision SET revision = revision + 1 WHERE singleton = 1"
                ).run()
                try await audit.append(
                    AuditEvent(actor: actor, action: action, object: object, purpose: purpose), in: sql)
                return result
            }
        } catch let error as StorageError where error.code == .uniqueViolation {
            throw ExchangeError(.alreadyRegistered, "\(object.id) is registered already")
        }
    }

    static func exists(_ table: String, _ column: String, _ value: String, in sql: any SQLDatabase) async throws -> Bool
    {
        try await sql.raw(
            "SELECT 1 AS present FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: value) LIMIT 1"
        ).first() != nil
    }
}
