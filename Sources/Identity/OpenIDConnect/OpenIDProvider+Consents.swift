import Audit
public import CivitasCore
public import Foundation
import SQLKit
import Storage

extension OpenIDProvider {
    /// A consent a person gave a relying party.
    public struct Consent: Sendable, Hashable {
        /// The relying party.
        public let clientID: String
        /// Its name.
        public let clientName: String
        /// The scopes shared.
        public let scopes: [String]
        /// When.
        public let grantedAt: Date
    }

    /// The person's consents, newest first.
    public func consents(of person: PersonalNumber) async throws -> [Consent] {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT c.client_id, c.scopes, c.granted_at, r.name FROM identity_oidc_consents c
                JOIN identity_oidc_clients r ON r.client_id = c.client_id
                WHERE c.personal_number = \(bind: person.rawValue) ORDER BY c.granted_at DESC
                """
            ).all()
        }
        return try rows.map { row in
            Consent(
                clientID: try row.decode(column: "client_id", as: String.self),
                clientName: try row.decode(column: "name", as: String.self),
                scopes: try row.decode(column: "scopes", as: String.self).split(separator: " ").map(String.init),
                grantedAt: Timestamp(microseconds: try row.decode(column: "granted_at", as: Int64.self)).date)
        }
    }

    /// Withdraws the person's consent to the client, and revokes every grant the client holds for them, so
    /// that its refresh and access tokens stop working at once.
    public func withdrawConsent(of person: PersonalNumber, from clientID: String) async throws {
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        let records = consentRecords
        let party = try await clients.party(clientID)
        let seal = try await records.seal.signer()
        try await database.transaction { sql in
            let existing = try await sql.raw(
                """
                SELECT 1 AS n FROM identity_oidc_consents
                WHERE personal_number = \(bind: person.rawValue) AND client_id = \(bind: clientID)
                """
            ).first()
            guard existing != nil else { throw IdentityError(.notFound, "no consent to \(clientID)") }
            try await sql.raw(
                """
                DELETE FROM identity_oidc_consents
                WHERE personal_number = \(bind: person.rawValue) AND client_id = \(bind: clientID)
                """
            ).run()
            try await sql.raw(
                """
                UPDATE identity_oidc_grants SET revoked_at = \(bind: now)
                WHERE personal_number = \(bind: person.rawValue) AND client_id = \(bind: clientID) AND revoked_at IS NULL
                """
            ).run()
            _ = try await audit.append(
                AuditEvent(
                    actor: AuditActor(kind: .person, id: person.rawValue), action: "identity.consent.withdraw",
                    object: AuditObject(type: "oidc-client", id: clientID),
                    subject: DataSubject(kind: "person", identifier: person.rawValue),
                    purpose: "consent withdrawn; the client's tokens are revoked"), in: sql)
            if let party { try await records.recordOpenIDWithdrawal(of: person, from: party, signer: seal, in: sql) }
        }
    }
}
