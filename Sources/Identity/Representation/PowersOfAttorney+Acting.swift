import Audit
public import CivitasCore
public import Foundation
import SQLKit
import Storage

/// Whom a signed-in person acts for on Civitas's own pages, chosen after login and kept with the session.
extension PowersOfAttorney {
    /// Records that the person of session `sessionID` acts for `principal` (`nil`: for themself) until
    /// `expiresAt`; audited under both when it is someone else.
    ///
    /// - Throws: ``IdentityError`` `notPermitted` for a principal the person cannot act for today.
    public func act(
        for principal: Principal?, session sessionID: String, actor: PersonalNumber, until expiresAt: Date,
        requestID: String? = nil
    ) async throws {
        let chosen = principal ?? .person(actor)
        var found: String?
        if chosen != .person(actor) {
            guard let choice = try await principals(of: actor).first(where: { $0.principal == chosen }) else {
                throw IdentityError(.notPermitted, "you cannot act for \(chosen)")
            }
            found = choice.power
        }
        let power = found
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM identity_representation_acts WHERE act_key = \(bind: "session:\(sessionID)")"
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_representation_acts (act_key, actor, principal, power_id, expires_at)
                VALUES (\(bind: "session:\(sessionID)"), \(bind: actor.rawValue), \(bind: chosen.description),
                    \(bind: power), \(bind: Timestamp(expiresAt).microseconds))
                """
            ).run()
            guard chosen != .person(actor) else { return }
            let auditActor = AuditActor(kind: .person, id: actor.rawValue, onBehalfOf: chosen.description)
            try await audit.append(
                contentsOf: [
                    DataSubject(kind: chosen.kind, identifier: chosen.identifier),
                    DataSubject(kind: "person", identifier: actor.rawValue),
                ].map {
                    AuditEvent(
                        actor: auditActor, action: "identity.representation.act",
                        object: AuditObject(type: "session", id: sessionID), subject: $0,
                        purpose: "act for \(chosen)\(power.map { " by power of attorney \($0)" } ?? "")",
                        requestID: requestID)
                }, in: sql)
        }
    }

    /// Whom the session's person acts for, when it is someone else and the right still holds.
    public func acting(
        session sessionID: String, actor: PersonalNumber
    ) async throws -> (
        principal: Principal, name: String
    )? {
        let now = Timestamp(clock.now()).microseconds
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT principal FROM identity_representation_acts
                WHERE act_key = \(bind: "session:\(sessionID)") AND actor = \(bind: actor.rawValue)
                    AND expires_at >= \(bind: now)
                """
            ).first()
        }
        guard let text = try row?.decode(column: "principal", as: String.self) else { return nil }
        let principal = try Principal(text)
        guard principal != .person(actor) else { return nil }
        return try await principals(of: actor).first { $0.principal == principal }.map { ($0.principal, $0.name) }
    }
}
