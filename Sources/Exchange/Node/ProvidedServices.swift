public import Audit
public import CivitasCore
public import Foundation
import SQLKit
public import Storage
import Synchronization

/// The services this node provides, as its operator configured them (`civitas exchange provide`): kept in the
/// node's own database, every change audited. The backend addresses never leave the node.
///
/// The provider side reads them through ``current()``, which keeps the list for ``cacheLifetime``: a change made by
/// the CLI (another process) takes effect within that time, one made through this value at once.
public struct ProvidedServices: Sendable {
    let database: Database
    let audit: AuditLog
    private let cache = Cache()

    /// How long ``current()`` reuses the list it read.
    public static let cacheLifetime: Duration = .seconds(2)

    final class Cache: Sendable {
        let entry = Mutex<(read: ContinuousClock.Instant, services: [ProvidedService])?>(nil)
    }

    /// Creates the store over the node's database (migrated with ``ExchangeMigrations/all``).
    public init(database: Database, audit: AuditLog) {
        self.database = database
        self.audit = audit
    }

    /// The node's part of the Exchange schema: version 3.
    public static let migrations: [Migration] = [
        Migration(
            module: "exchange", version: 3, name: "create the provided services of an exchange node",
            statements: { _ in
                [
                    """
                    CREATE TABLE exchange_provided_services (
                        service_id TEXT NOT NULL PRIMARY KEY,
                        title TEXT NOT NULL,
                        backend_url TEXT NOT NULL,
                        timeout_ms BIGINT NOT NULL,
                        openapi TEXT
                    )
                    """
                ]
            })
    ]

    /// Adds or replaces the record of a provided service.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a backend URL that is not http(s) with a host, a timeout
    ///   outside 1 s to 10 min, a description that is not an OpenAPI document, or a service code the node answers
    ///   itself (the metadata services, `myPersonalDataUsage`).
    public func put(_ service: ProvidedService, actor: AuditActor) async throws {
        defer { cache.entry.withLock { $0 = nil } }
        guard let scheme = service.backendURL.scheme, scheme == "http" || scheme == "https",
            service.backendURL.host?.isEmpty == false, service.backendURL.query == nil
        else {
            throw ExchangeError(.invalidRecord, "a backend is an http:// or https:// URL with a host and no query")
        }
        let code = service.id.serviceCode
        guard !MetadataServices.serviceCodes.contains(code), code != PersonalDataUsage.serviceCode else {
            throw ExchangeError(.invalidRecord, "\(code) is answered by the node itself; choose another service code")
        }
        guard service.timeout >= .seconds(1), service.timeout <= .seconds(600) else {
            throw ExchangeError(.invalidRecord, "a backend's timeout is between 1 and 600 seconds")
        }
        if let description = service.openAPI {
            _ = try OpenAPIEndpoints.read(description)
        }
        let milliseconds =
            service.timeout.components.seconds * 1000 + service.timeout.components.attoseconds / 1_000_000_000_000_000
        try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM exchange_provided_services WHERE service_id = \(bind: service.id.description)"
            ).run()
            try await sql.raw(
                """
                INSERT INTO exchange_provided_services (service_id, title, backend_url, timeout_ms, openapi)
                VALUES (\(bind: service.id.description), \(bind: service.title),
                    \(bind: service.backendURL.absoluteString), \(bind: milliseconds), \(bind: service.openAPI))
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "exchange.provided.put",
                    object: AuditObject(type: "exchange-provided-service", id: service.id.description),
                    purpose: "provide \(service.id) from \(service.backendURL.absoluteString)"),
                in: sql)
        }
    }

    /// Removes a provided service.
    ///
    /// - Throws: ``ExchangeError`` `.notFound` when this node does not provide it.
    public func remove(_ id: XRoadServiceIdentifier, actor: AuditActor) async throws {
        defer { cache.entry.withLock { $0 = nil } }
        try await database.transaction { sql in
            let row = try await sql.raw(
                "SELECT service_id FROM exchange_provided_services WHERE service_id = \(bind: id.description)"
            ).first()
            guard row != nil else { throw ExchangeError(.notFound, "this node does not provide \(id)") }
            try await sql.raw("DELETE FROM exchange_provided_services WHERE service_id = \(bind: id.description)")
                .run()
            _ = try await audit.append(
                AuditEvent(
                    actor: actor, action: "exchange.provided.remove",
                    object: AuditObject(type: "exchange-provided-service", id: id.description),
                    purpose: "stop providing \(id)"),
                in: sql)
        }
    }

    /// Every provided service, in identifier order, as read at most ``cacheLifetime`` ago: what the provider side answers from.
    public func current() async throws -> [ProvidedService] {
        let now = ContinuousClock.now
        if let entry = cache.entry.withLock({ $0 }), now - entry.read < Self.cacheLifetime { return entry.services }
        let services = try await all()
        cache.entry.withLock { $0 = (now, services) }
        return services
    }

    /// Every provided service, in identifier order, read now.
    public func all() async throws -> [ProvidedService] {
        try await database.read { sql in
            try await sql.raw(
                "SELECT service_id, title, backend_url, timeout_ms, openapi FROM exchange_provided_services ORDER BY service_id"
            ).all().map { row in
                let id = try row.decode(column: "service_id", as: String.self)
                let url = try row.decode(column: "backend_url", as: String.self)
                guard let service = try? XRoadServiceIdentifier(id), let backend = URL(string: url) else {
                    throw ExchangeError(.invalidRecord, "the stored record of \(id) is damaged")
                }
                return ProvidedService(
                    id: service, title: try row.decode(column: "title", as: String.self), backendURL: backend,
                    timeout: .milliseconds(try row.decode(column: "timeout_ms", as: Int64.self)),
                    openAPI: try row.decode(column: "openapi", as: String?.self))
            }
        }
    }
}
