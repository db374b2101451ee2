import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage
import Web

/// `/health/live` (the process answers) and `/health/ready` (the database answers and the schema is current).
///
/// A load balancer sends traffic only to ready nodes; an orchestrator restarts a node that stops being live.
struct HealthRoutes: Sendable {
    let database: Database
    let migrator: Migrator

    struct Report: Codable, Sendable {
        let status: String
        let checks: [String: String]?
    }

    func register(in routes: RouteTable) {
        routes.get("/health/live") { _, _ in
            Self.json(.ok, Report(status: "live", checks: nil))
        }
        routes.get("/health/ready") { _, context in
            var checks: [String: String] = [:]
            var ready = true
            do {
                try await database.ping(timeout: .seconds(2))
                checks["database"] = "up"
                let pending = try await migrator.pending()
                checks["migrations"] = pending.isEmpty ? "applied" : "\(pending.count) pending"
                ready = pending.isEmpty
            } catch {
                context.logger.warning("not ready", metadata: ["cause": "\(error)"])
                checks["database"] = "down"
                ready = false
            }
            return Self.json(
                ready ? .ok : .serviceUnavailable, Report(status: ready ? "ready" : "unready", checks: checks))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ report: Report) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }
}
