public import Audit
import CivitasCore
public import Foundation
import SQLKit
import Storage

extension NationalPKI {
    /// The notification channel on which every node hears `issuer/serial` when a certificate's status changes
    /// (or it is issued), to replace cached OCSP answers and regenerate the CRL at once.
    public static let statusChannel = "trust_status"

    /// A counter in `trust_counters` that every issuance and status change increments: nodes that cannot
    /// hear notifications (another process on the same SQLite file, or a PostgreSQL node whose LISTEN
    /// connection dropped) poll it to know that their cached answers are stale.
    static let statusVersionCounter = "status-version"

    static func bumpStatusVersion(in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO trust_counters (name, value) VALUES (\(bind: statusVersionCounter), 1)
            ON CONFLICT (name) DO UPDATE SET value = trust_counters.value + 1
            """
        ).run()
    }

    /// The current value of the status-version counter.
    public func statusVersion() async throws -> Int64 {
        try await database.read { sql in
            try await sql.raw(
                "SELECT value FROM trust_counters WHERE name = \(bind: Self.statusVersionCounter)"
            ).first()?.decode(column: "value", as: Int64.self) ?? 0
        }
    }

    /// A change of a certificate's lifecycle state.
    public enum StatusChange: Sendable {
        /// Put on hold (certificateHold).
        case suspend
        /// Taken off hold.
        case resume
        /// Revoked for good, for `reason`.
        case revoke(CRLReason)
    }

    /// Applies `change` to `issuer`/`serial`, as an append-only status event with its audit entry.
    ///
    /// - Throws: ``TrustError`` `.notFound`, or `.invalidTransition` (a revoked certificate cannot change; only a
    ///   suspended one can resume; revoking for certificateHold is a suspension).
    @discardableResult
    public func change(
        issuer: String, serial: String, _ change: StatusChange, actor: AuditActor, at time: Date? = nil
    ) async throws -> StoredCertificate {
        let serial = serial.lowercased()
        let effective = Timestamp(time ?? clock.now()).microseconds
        let recorded = clock.timestamp().microseconds
        let audit = self.audit
        let database = self.database
        try await database.transaction { sql in
            let rows = try await sql.raw(
                """
                SELECT version, status FROM trust_certificate_events
                WHERE issuer = \(bind: issuer) AND serial = \(bind: serial) ORDER BY version DESC LIMIT 1
                """
            ).all()
            guard let current = rows.first else {
                throw TrustError(.notFound, "no certificate \(issuer)/\(serial)")
            }
            let version = try current.decode(column: "version", as: Int64.self)
            let status = try current.decode(column: "status", as: String.self)
            let next: (status: String, reason: String?, action: String)
            switch (status, change) {
            case ("active", .suspend), ("active", .revoke(.certificateHold)):
                next = ("suspended", CRLReason.certificateHold.name, "trust.certificate.suspend")
            case ("suspended", .resume):
                next = ("active", nil, "trust.certificate.resume")
            case ("active", .revoke(let reason)), ("suspended", .revoke(let reason)):
                next = ("revoked", reason.name, "trust.certificate.revoke")
            default:
                throw TrustError(.invalidTransition, "a \(status) certificate cannot be changed that way")
            }
            try await sql.raw(
                """
                INSERT INTO trust_certificate_events (issuer, serial, version, status, reason, effective_at, recorded_at)
                VALUES (\(bind: issuer), \(bind: serial), \(bind: version + 1), \(bind: next.status),
                    \(bind: next.reason), \(bind: effective), \(bind: recorded))
                """
            ).run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: next.action,
                    object: AuditObject(type: "certificate", id: "\(issuer)/\(serial)"),
                    purpose: next.reason.map { "certificate status change: \($0)" } ?? "certificate status change"),
                in: sql)
            try await database.notify(Self.statusChannel, payload: "\(issuer)/\(serial)", in: sql)
            try await Self.bumpStatusVersion(in: sql)
        }
        guard let updated = try await certificate(issuer: issuer, serial: serial) else {
            throw TrustError(.notFound, "no certificate \(issuer)/\(serial)")
        }
        return updated
    }

    /// Every certificate of `issuer` that is revoked or suspended now: what its CRL lists.
    public func revocations(issuer: String) async throws -> [(serial: String, since: Date, reason: CRLReason)] {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT e.serial, e.status, e.reason, e.effective_at FROM trust_certificate_events e
                WHERE e.issuer = \(bind: issuer) AND e.version = (
                    SELECT MAX(version) FROM trust_certificate_events l WHERE l.issuer = e.issuer AND l.serial = e.serial)
                AND e.status <> 'active'
                ORDER BY e.serial
                """
            ).all()
        }
        return try rows.map { row in
            let reason = try row.decode(column: "reason", as: String?.self).flatMap(CRLReason.init(name:))
            return (
                try row.decode(column: "serial", as: String.self),
                Timestamp(microseconds: try row.decode(column: "effective_at", as: Int64.self)).date,
                reason ?? .unspecified
            )
        }
    }
}
