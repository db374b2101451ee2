import Audit
public import CivitasCore
import Crypto
public import Foundation
public import SQLKit
import Storage

extension ConsentStore {
    /// Who writes a relying party's data agreement revisions.
    static let openIDAuthor = "identity.oidc"

    /// The id of a relying party's data agreement: derived from its client id, so that no mapping is stored.
    public static func dataAgreementID(forClient clientID: String) -> String {
        "da-" + Hex.encode(SHA256.hash(data: Data("oidc:\(clientID)".utf8)).prefix(8))
    }

    /// The data agreement a relying party's registration implies: sign in and share the claims behind its
    /// scopes (`age` gives only the derived `age_over_18`).
    static func agreement(for party: RelyingParty, version: String) -> DataAgreement {
        var attributes = [
            DataAgreement.Attribute(
                id: "\(dataAgreementID(forClient: party.clientID))-sub", name: "sub", sensitivity: "low",
                category: "openid")
        ]
        for scope in party.scopes.sorted() {
            for claim in OpenIDProvider.claimsByScope[scope] ?? [] {
                let sensitivity =
                    switch scope {
                    case "personal_number": "high"
                    case "address", "profile": "medium"
                    default: "low"
                    }
                attributes.append(
                    DataAgreement.Attribute(
                        id: "\(dataAgreementID(forClient: party.clientID))-\(claim)", name: claim,
                        sensitivity: sensitivity, category: scope))
            }
        }
        let origin = party.redirectURIs.first.flatMap { URL(string: $0) }.flatMap { url -> String? in
            guard let scheme = url.scheme, let host = url.host else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        return DataAgreement(
            id: dataAgreementID(forClient: party.clientID), version: version,
            controller: DataAgreement.Controller(id: party.clientID, name: party.name, url: origin ?? ""),
            purpose: "Sign in to \(party.name) with a Civitas account and share the attributes listed with it.",
            lawfulBasis: "consent", dataUse: "data_using_service",
            dpia: "Covered by the OpenID Connect provider's assessment: only the claims of the scopes granted.",
            active: true, forgettable: false, dataAttributes: attributes)
    }

    /// The relying party's agreement revision as registered now, appended when the registration changed.
    static func agreementRevision(
        for party: RelyingParty, at now: Date, in sql: any SQLDatabase
    ) async throws -> StoredRevision {
        let id = dataAgreementID(forClient: party.clientID)
        let latest = try await latest(.dataAgreement, id, in: sql)
        let current = try latest?.object(DataAgreement.self)
        var wanted = agreement(for: party, version: current?.version ?? "1")
        if let latest, let current, current == wanted { return latest }
        if let current { wanted.version = String((Int(current.version) ?? 0) + 1) }
        return try await append(
            .dataAgreement, id, object: wanted, after: latest, authorizedByIndividual: nil,
            authorizedByOther: openIDAuthor, at: now, in: sql)
    }

    /// Records, inside the OpenID provider's transaction, that `person` agreed on the consent screen to share
    /// the claims of `scopes` with `party`: a sealed opt-in revision of their record to the party's agreement.
    public func recordOpenIDConsent(
        of person: PersonalNumber, to party: RelyingParty, scopes: Set<String>, signer: ConsentSeal.Signer?,
        in sql: any SQLDatabase
    ) async throws {
        let now = clock.now()
        let agreementStored = try await Self.agreementRevision(for: party, at: now, in: sql)
        let agreement = try agreementStored.object(DataAgreement.self)
        let shared = (agreement?.dataAttributes ?? []).filter {
            $0.category == "openid" || scopes.contains($0.category)
        }
        .map(\.name)
        try await openIDRevision(
            person, agreementStored, optIn: true, shared: shared, signer: signer, at: now, in: sql)
    }

    /// Records, inside the provider's transaction, that `person` withdrew their consent to `party`.
    public func recordOpenIDWithdrawal(
        of person: PersonalNumber, from party: RelyingParty, signer: ConsentSeal.Signer?, in sql: any SQLDatabase
    ) async throws {
        let now = clock.now()
        let agreementStored = try await Self.agreementRevision(for: party, at: now, in: sql)
        try await openIDRevision(person, agreementStored, optIn: false, shared: [], signer: signer, at: now, in: sql)
    }

    private func openIDRevision(
        _ person: PersonalNumber, _ agreement: StoredRevision, optIn: Bool, shared: [String],
        signer: ConsentSeal.Signer?, at now: Date, in sql: any SQLDatabase
    ) async throws {
        let individual = try await Self.individual(for: person, at: Timestamp(now).microseconds, in: sql)
        var id = try await Self.recordID(individual: individual.id, agreement: agreement.objectID, in: sql)
        if id == nil {
            let new = Self.newID("cr")
            try await sql.raw(
                """
                INSERT INTO identity_consent_records (id, individual_id, data_agreement_id, created_at)
                VALUES (\(bind: new), \(bind: individual.id), \(bind: agreement.objectID),
                    \(bind: Timestamp(now).microseconds))
                """
            ).run()
            id = new
        }
        _ = try await appendRecord(
            id!, individual: individual, agreement: agreement, optIn: optIn, shared: shared, byIndividual: true,
            actor: AuditActor(kind: .person, id: person.rawValue), signer: signer, at: now, in: sql)
    }

    /// One change in what a person shares, for their own page.
    public struct SharingEvent: Sendable, Hashable {
        /// The consent record.
        public let recordID: String
        /// The data controller's name (the relying party).
        public let controller: String
        /// The categories (scopes) of the attributes shared; empty for a withdrawal.
        public let categories: [String]
        /// Whether it was an opt-in.
        public let optIn: Bool
        /// When.
        public let at: Date
        /// Whether the revision is sealed.
        public let sealed: Bool
    }

    /// Every change in the consent records of `person`, newest first.
    public func sharingHistory(of person: PersonalNumber, limit: Int = 50) async throws -> [SharingEvent] {
        try await database.read { sql in
            let rows = try await sql.raw(
                """
                SELECT r.id AS revision_id, r.object_id, r.serialized_snapshot, r.created_at,
                    s.id AS signature_id
                FROM identity_consent_revisions r
                JOIN identity_consent_records c ON c.id = r.object_id
                JOIN identity_consent_individuals i ON i.id = c.individual_id
                LEFT JOIN identity_consent_signatures s ON s.revision_id = r.id
                WHERE r.schema_name = \(bind: Schema.consentRecord.rawValue)
                    AND i.external_id_type = \(bind: ConsentIndividual.personalNumberType)
                    AND i.external_id = \(bind: person.rawValue)
                ORDER BY r.created_at DESC, r.sequence DESC LIMIT \(bind: limit)
                """
            ).all()
            var events: [SharingEvent] = []
            for row in rows {
                let snapshot = try row.decode(column: "serialized_snapshot", as: String.self)
                guard
                    let data = try JSONDecoder().decode(Snapshot<RecordData>.self, from: Data(snapshot.utf8))
                        .objectData,
                    let agreement = try await Self.revision(id: data.dataAgreementRevision, in: sql)?
                        .object(DataAgreement.self)
                else { continue }
                let shared = Set(data.sharedAttributes)
                var categories: [String] = []
                for attribute in agreement.dataAttributes
                where shared.contains(attribute.name) && !categories.contains(attribute.category) {
                    categories.append(attribute.category)
                }
                events.append(
                    SharingEvent(
                        recordID: try row.decode(column: "object_id", as: String.self),
                        controller: agreement.controller?.name ?? agreement.id, categories: categories,
                        optIn: data.optIn,
                        at: Timestamp(microseconds: try row.decode(column: "created_at", as: Int64.self)).date,
                        sealed: try row.decode(column: "signature_id", as: String?.self) != nil))
            }
            return events
        }
    }
}
