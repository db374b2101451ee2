import Audit
public import CivitasCore
import Foundation
import SQLKit
import Storage

/// Acting for someone else through OpenID Connect: the choice after login, and the `act` claim.
///
/// When the signed-in person can act for principals in the relying party's service (an entity they solely
/// represent, or a power of attorney in force that covers its `client_id`), ``next(_:session:)`` first asks whom
/// they act for. The choice travels with the request, then the code, then the grant (rows of
/// `identity_representation_acts` keyed `request:`, `code:`, `grant:`), and the tokens say it: `sub` is the
/// principal, and `act` (RFC 8693 §4.1) names the actor, `{"sub": <actor's sub>}`. A legal entity's `sub` is
/// `organisation:<registry code>` (public, and never the shape of a person's opaque subject). Every refresh and
/// userinfo call checks that the right still holds.
extension OpenIDProvider {
    /// One principal the signed-in person may act for, as the choice page lists it.
    public struct ActingChoice: Sendable, Hashable {
        /// The principal.
        public let principal: Principal
        /// Its name.
        public let name: String
        /// The power of attorney it is by, or `nil` for an entity's own representative.
        public let power: String?
    }

    /// Who acts for whom in a request, code or grant.
    struct Acting: Sendable {
        let actor: PersonalNumber
        let principal: Principal
    }

    /// The principals `person` may act for at `clientID`'s service; empty without a representation store.
    public func actingChoices(of person: PersonalNumber, clientID: String) async throws -> [ActingChoice] {
        guard let representation else { return [] }
        return try await representation.principals(of: person, service: clientID).map {
            ActingChoice(principal: $0.principal, name: $0.name, power: $0.power)
        }
    }

    /// Whether the request still waits for the choice of whom to act for.
    func needsActingChoice(_ pending: Pending, session: Session) async throws -> Bool {
        guard try await acting("request:\(pending.id)") == nil else { return false }
        return try await !actingChoices(of: session.personalNumber, clientID: pending.party.clientID).isEmpty
    }

    /// Records whom the person acts for in `pending` (`nil`: for themself); the browser then resumes the request.
    ///
    /// - Throws: ``IdentityError`` `notPermitted` for a principal the person cannot act for in this service.
    public func chooseActing(
        _ pending: Pending, session: Session, principal: Principal?, requestID: String? = nil
    ) async throws {
        let actor = session.personalNumber
        let chosen = principal ?? .person(actor)
        var found: String?
        if chosen != .person(actor) {
            let choices = try await actingChoices(of: actor, clientID: pending.party.clientID)
            guard let choice = choices.first(where: { $0.principal == chosen }) else {
                throw IdentityError(.notPermitted, "you cannot act for \(chosen) in this service")
            }
            found = choice.power
        }
        let power = found
        let expires = Timestamp(clock.now().addingTimeInterval(Self.requestLifetime)).microseconds
        let audit = self.audit
        let clientID = pending.party.clientID
        try await database.transaction { sql in
            try await sql.raw(
                "DELETE FROM identity_representation_acts WHERE act_key = \(bind: "request:\(pending.id)")"
            ).run()
            try await sql.raw(
                """
                INSERT INTO identity_representation_acts (act_key, actor, principal, power_id, expires_at)
                VALUES (\(bind: "request:\(pending.id)"), \(bind: actor.rawValue), \(bind: chosen.description),
                    \(bind: power), \(bind: expires))
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
                        object: AuditObject(type: "oidc-client", id: clientID), subject: $0,
                        purpose:
                            "sign in to \(clientID) for \(chosen)\(power.map { " by power of attorney \($0)" } ?? "")",
                        requestID: requestID)
                }, in: sql)
        }
    }

    /// Moves the acting row of `from` to `to` inside the caller's transaction (request → code → grant).
    func carryActing(from: String, to: String, lifetime: TimeInterval, in sql: any SQLDatabase) async throws {
        let expires = Timestamp(clock.now().addingTimeInterval(lifetime)).microseconds
        try await sql.raw(
            """
            INSERT INTO identity_representation_acts (act_key, actor, principal, power_id, expires_at)
            SELECT \(bind: to), actor, principal, power_id, \(bind: expires) FROM identity_representation_acts
            WHERE act_key = \(bind: from)
            """
        ).run()
        try await sql.raw("DELETE FROM identity_representation_acts WHERE act_key = \(bind: from)").run()
    }

    func acting(_ key: String) async throws -> Acting? {
        let now = Timestamp(clock.now()).microseconds
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT actor, principal FROM identity_representation_acts
                WHERE act_key = \(bind: key) AND expires_at >= \(bind: now)
                """
            ).first()
        }
        guard let row else { return nil }
        return Acting(
            actor: try PersonalNumber(try row.decode(column: "actor", as: String.self)),
            principal: try Principal(try row.decode(column: "principal", as: String.self)))
    }

    /// The acting of a grant, checked again: `nil` for a person acting for themself; throws when the right to
    /// act has ended since (revoked, renounced, expired, no longer a representative).
    func currentActing(ofGrant grant: Grant) async throws -> Acting? {
        guard let acting = try await acting("grant:\(grant.id)"), acting.principal != .person(acting.actor) else {
            return nil
        }
        let choices = try await actingChoices(of: acting.actor, clientID: grant.clientID)
        guard choices.contains(where: { $0.principal == acting.principal }) else {
            throw TokenError("invalid_grant", "The right to act for \(acting.principal) has ended.")
        }
        return acting
    }

    /// The `sub` of a principal: a person's opaque subject, or `organisation:<registry code>`.
    func subject(for principal: Principal) async throws -> String {
        switch principal {
        case .person(let number): try await subject(for: number)
        case .organisation(let code): "organisation:\(code.rawValue)"
        }
    }

    /// The claims of a principal that `scopes` allow: the person's, or an entity's names and code.
    func claims(of principal: Principal, scopes: Set<String>) async throws -> [String: Any] {
        switch principal {
        case .person(let number):
            guard let person = try await population.person(number) else { return [:] }
            return claims(of: person, scopes: scopes)
        case .organisation(let code):
            guard scopes.contains("profile"), let entity = try await representation?.entities.entity(code) else {
                return ["subject_type": "organisation"]
            }
            return [
                "subject_type": "organisation", "organisation_code": code.rawValue, "name": entity.nameLatin,
                "name#ka": entity.name, "legal_form": entity.legalForm,
            ]
        }
    }

    /// The `sub`, the `act` claim (when someone acts for another) and the principal's claims, for a grant.
    func subjectAndClaims(
        of grant: Grant, scopes: Set<String>
    ) async throws -> (sub: String, act: [String: Any]?, claims: [String: Any]) {
        if let acting = try await currentActing(ofGrant: grant) {
            return (
                try await subject(for: acting.principal), ["sub": try await subject(for: acting.actor)],
                try await claims(of: acting.principal, scopes: scopes)
            )
        }
        return (try await subject(for: grant.person), nil, try await claims(of: .person(grant.person), scopes: scopes))
    }
}
