import CivitasCore
import Foundation
import SQLKit
import Storage

@testable import Audit

/// Writes entries the way an attacker with database access and knowledge of the format would.
enum AuditForgery {
    static func insert(
        _ event: AuditEvent, sequence: Int64, time: Timestamp, previousHash: [UInt8], into database: Database
    ) async throws {
        let hash = AuditHash.compute(sequence: sequence, time: time, event: event, previousHash: previousHash)
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO audit_entries (seq, occurred_at, actor_kind, actor_id, actor_on_behalf_of, action,
                    object_type, object_id, subject, purpose, request_id, prev_hash, hash)
                VALUES (\(bind: sequence), \(bind: time.microseconds), \(bind: event.actor.kind.rawValue),
                    \(bind: event.actor.id), \(bind: event.actor.onBehalfOf), \(bind: event.action),
                    \(bind: event.object.type), \(bind: event.object.id), \(bind: event.subject?.rawValue),
                    \(bind: event.purpose), \(bind: event.requestID), \(bind: Data(previousHash)), \(bind: Data(hash)))
                """
            ).run()
        }
    }
}
