public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
import Storage

extension CentralRegistry {
    /// The largest OpenAPI description kept (bigger ones belong on the provider's own site).
    public static let maximumDescriptionSize = 512 * 1024

    /// Registers a service of a registered subsystem, with its OpenAPI description if given.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for an empty title or a description that is not a JSON or
    ///   YAML OpenAPI document of at most ``maximumDescriptionSize`` bytes; `.notFound` for an unknown subsystem;
    ///   `.alreadyRegistered`.
    public func addService(
        _ id: XRoadServiceIdentifier, title: String, openAPI: [UInt8]? = nil, actor: AuditActor
    ) async throws {
        try checkInstance(id.provider)
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 200,
            !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ExchangeError(.invalidRecord, "a service's title is 1 to 200 characters, no control characters") }
        if let openAPI {
            guard openAPI.count <= Self.maximumDescriptionSize, let text = String(validating: openAPI, as: UTF8.self),
                text.contains("openapi")
            else {
                throw ExchangeError(
                    .invalidRecord,
                    "the description must be an OpenAPI document in UTF-8 of at most \(Self.maximumDescriptionSize) bytes"
                )
            }
        }
        let now = clock.timestamp().microseconds
        let description = openAPI.map { Data($0) }
        try await change(
            actor: actor, action: "exchange.service.add", object: AuditObject(type: "exchange-service", id: "\(id)"),
            purpose: "register service \(id)"
        ) { sql in
            guard try await Self.exists("exchange_subsystems", "subsystem_id", "\(id.provider)", in: sql) else {
                throw ExchangeError(.notFound, "no subsystem \(id.provider)")
            }
            guard try await Self.exists("exchange_services", "service_id", "\(id)", in: sql) == false else {
                throw ExchangeError(.alreadyRegistered, "the service \(id) is registered already")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_services (service_id, subsystem_id, service_code, version, title, openapi,
                    created_at)
                VALUES (\(bind: id.description), \(bind: id.provider.description), \(bind: id.serviceCode),
                    \(bind: id.serviceVersion), \(bind: title), \(bind: description), \(bind: now))
                """
            ).run()
        }
    }

    /// Every service, in identifier order.
    public func services() async throws -> [RegisteredService] {
        try await database.read { sql in
            try await sql.raw("SELECT service_id, version, title, openapi FROM exchange_services ORDER BY service_id")
                .all().map { row in
                    let description = try row.decode(column: "openapi", as: Data?.self)
                    return RegisteredService(
                        id: try XRoadServiceIdentifier(
                            try row.decode(column: "service_id", as: String.self),
                            version: try row.decode(column: "version", as: String?.self)),
                        title: try row.decode(column: "title", as: String.self),
                        openAPIDigest: description.map { Hex.encode(SHA256.hash(data: $0)) })
                }
        }
    }

    /// The OpenAPI description stored for `id`, or `nil` when it has none.
    ///
    /// - Throws: ``ExchangeError`` `.notFound` for an unknown service.
    public func openAPIDescription(of id: XRoadServiceIdentifier) async throws -> [UInt8]? {
        let row = try await database.read { sql in
            try await sql.raw("SELECT openapi FROM exchange_services WHERE service_id = \(bind: id.description)")
                .first()
        }
        guard let row else { throw ExchangeError(.notFound, "no service \(id)") }
        return try row.decode(column: "openapi", as: Data?.self).map { [UInt8]($0) }
    }

    /// Removes a service and every access right to it.
    ///
    /// - Throws: ``ExchangeError`` `.notFound`.
    public func removeService(_ id: XRoadServiceIdentifier, actor: AuditActor) async throws {
        try checkInstance(id.provider)
        try await change(
            actor: actor, action: "exchange.service.remove",
            object: AuditObject(type: "exchange-service", id: "\(id)"), purpose: "remove service \(id)"
        ) { sql in
            guard try await Self.exists("exchange_services", "service_id", "\(id)", in: sql) else {
                throw ExchangeError(.notFound, "no service \(id)")
            }
            try await sql.raw("DELETE FROM exchange_access_rights WHERE service_id = \(bind: id.description)").run()
            try await sql.raw("DELETE FROM exchange_services WHERE service_id = \(bind: id.description)").run()
        }
    }
}
