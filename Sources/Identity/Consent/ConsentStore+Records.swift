public import Audit
import CivitasCore
import Foundation
import SQLKit
import Storage

extension ConsentStore {
    /// What a consent record revision holds: references to the agreement revision and individual, the answer,
    /// and the attributes shared.
    struct RecordData: Codable, Sendable {
        var dataAgreement: String
        var dataAgreementRevision: String
        var dataAgreementRevisionHash: String
        var individual: String
        var optIn: Bool
        var sharedAttributes: [String]
    }

    /// A filter over consent records.
    public struct RecordFilter: Sendable, Hashable {
        /// Only this individual's.
        public var individualID: String?
        /// Only records to this agreement.
        public var dataAgreementID: String?

        /// Creates a filter.
        public init(individualID: String? = nil, dataAgreementID: String? = nil) {
            self.individualID = individualID
            self.dataAgreementID = dataAgreementID
        }
    }

    /// Records `individualID`'s answer to the agreement `dataAgreementID` (its newest revision, or
    /// `revisionID`) in a new consent record, sealed and audited.
    ///
    /// - Throws: ``IdentityError`` `.notFound` for an unknown agreement or individual, `.invalidRecord` for a
    ///   revision of another object, `.invalidTransition` for an inactive agreement, `.alreadyRegistered` when
    ///   the individual has a record for the agreement already (change that one).
    public func createRecord(
        dataAgreementID: String, revisionID: String? = nil, individualID: String, optIn: Bool = true,
        actor: AuditActor
    ) async throws -> (consentRecord: ConsentRecord, revision: ConsentRevision) {
        let signer = try await seal.signer()
        let now = clock.now()
        return try await database.transaction { sql in
            guard let individual = try await Self.individual(id: individualID, in: sql) else {
                throw IdentityError(.notFound, "no individual \(individualID)")
            }
            let agreementRevision = try await Self.agreementRevision(dataAgreementID, revisionID, in: sql)
            guard let agreement = try agreementRevision.object(DataAgreement.self) else {
                throw IdentityError(.notFound, "no data agreement \(dataAgreementID)")
            }
            guard agreement.active else {
                throw IdentityError(.invalidTransition, "the data agreement \(dataAgreementID) is not active")
            }
            if try await Self.recordID(individual: individual.id, agreement: dataAgreementID, in: sql) != nil {
                throw IdentityError(
                    .alreadyRegistered, "the individual has a consent record for \(dataAgreementID); change it")
            }
            let id = Self.newID("cr")
            try await sql.raw(
                """
                INSERT INTO identity_consent_records (id, individual_id, data_agreement_id, created_at)
                VALUES (\(bind: id), \(bind: individual.id), \(bind: dataAgreementID),
                    \(bind: Timestamp(now).microseconds))
                """
            ).run()
            let stored = try await self.appendRecord(
                id, individual: individual, agreement: agreementRevision,
                optIn: optIn, shared: optIn ? agreement.dataAttributes.map(\.name) : [], byIndividual: false,
                actor: actor, signer: signer, at: now, in: sql)
            return try await Self.render(stored, in: sql)
        }
    }

    /// Changes the answer in record `id`, which must be `individualID`'s: a new revision, pointing at the
    /// agreement's newest revision.
    ///
    /// - Throws: ``IdentityError`` `.notFound` for an unknown record or another individual's (the same answer,
    ///   so that nobody learns which records exist).
    public func updateRecord(
        id: String, individualID: String, optIn: Bool, actor: AuditActor
    ) async throws -> (consentRecord: ConsentRecord, revision: ConsentRevision) {
        let signer = try await seal.signer()
        let now = clock.now()
        return try await database.transaction { sql in
            guard let previous = try await Self.latest(.consentRecord, id, in: sql),
                let data = try previous.object(RecordData.self), data.individual == individualID,
                let individual = try await Self.individual(id: individualID, in: sql)
            else { throw IdentityError(.notFound, "no consent record \(id) for individual \(individualID)") }
            var agreementRevision = try await Self.latest(.dataAgreement, data.dataAgreement, in: sql)
            if agreementRevision?.deleted ?? true {
                agreementRevision = try await Self.revision(id: data.dataAgreementRevision, in: sql)
            }
            guard let agreementRevision, let agreement = try agreementRevision.object(DataAgreement.self) else {
                throw IdentityError(.notFound, "no data agreement \(data.dataAgreement)")
            }
            if optIn && (!agreement.active || agreementRevision.deleted) {
                throw IdentityError(.invalidTransition, "the data agreement \(data.dataAgreement) is not active")
            }
            let stored = try await self.appendRecord(
                id, individual: individual, agreement: agreementRevision, optIn: optIn,
                shared: optIn ? agreement.dataAttributes.map(\.name) : [], byIndividual: false, actor: actor,
                signer: signer, at: now, in: sql)
            return try await Self.render(stored, in: sql)
        }
    }

    /// The consent record `id` with its newest revision, or `nil`.
    public func record(id: String) async throws -> (consentRecord: ConsentRecord, revision: ConsentRevision)? {
        try await database.read { sql in
            guard let stored = try await Self.latest(.consentRecord, id, in: sql) else { return nil }
            return try await Self.render(stored, in: sql)
        }
    }

    /// The individual's record for the agreement, or `nil`.
    public func record(
        individualID: String, dataAgreementID: String
    ) async throws -> (consentRecord: ConsentRecord, revision: ConsentRevision)? {
        try await database.read { sql in
            guard let id = try await Self.recordID(individual: individualID, agreement: dataAgreementID, in: sql),
                let stored = try await Self.latest(.consentRecord, id, in: sql)
            else { return nil }
            return try await Self.render(stored, in: sql)
        }
    }

    /// Current consent records matching `filter`, by id.
    public func records(_ filter: RecordFilter = RecordFilter(), page: Page) async throws -> [ConsentRecord] {
        try await database.read { sql in
            var query: SQLQueryString = "SELECT id FROM identity_consent_records WHERE 1 = 1"
            if let individual = filter.individualID { query += " AND individual_id = \(bind: individual)" }
            if let agreement = filter.dataAgreementID { query += " AND data_agreement_id = \(bind: agreement)" }
            query += " ORDER BY id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            let rows = try await sql.raw(query).all()
            var records: [ConsentRecord] = []
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                if let stored = try await Self.latest(.consentRecord, id, in: sql) {
                    records.append(try await Self.render(stored, in: sql).consentRecord)
                }
            }
            return records
        }
    }

    /// One revision of a record's history with its seal and whether the seal verifies.
    public struct HistoryEntry: Sendable, Hashable {
        /// The revision.
        public let revision: ConsentRevision
        /// Its seal.
        public let signature: ConsentSignature?
        /// What the individual answered in it.
        public let optIn: Bool
        /// The attributes shared.
        public let sharedAttributes: [String]
        /// Whether the seal verifies over the revision and the revision chains to its predecessor.
        public let verified: Bool
    }

    /// Every revision of record `id`, oldest first, each checked.
    ///
    /// - Throws: ``IdentityError`` `.notFound`.
    public func history(ofRecord id: String) async throws -> [HistoryEntry] {
        let (rows, signatures) = try await database.read { sql in
            let rows = try await Self.revisions(.consentRecord, id, page: try Page(limit: Self.maximumPage), in: sql)
            var pairs: [(ConsentRevision, ConsentSignature?, RecordData?)] = []
            for row in rows {
                pairs.append(
                    (
                        try await Self.revision(row, in: sql), try await ConsentSeal.signature(of: row, in: sql),
                        try row.object(RecordData.self)
                    ))
            }
            return (rows, pairs)
        }
        guard !rows.isEmpty else { throw IdentityError(.notFound, "no consent record \(id)") }
        var entries: [HistoryEntry] = []
        var previousHash: String?
        for (revision, signature, data) in signatures {
            var verified = revision.predecessorHash == previousHash
            if let signature {
                verified = try await seal.verifies(signature, over: revision) && verified
            } else {
                verified = verified && Self.hash(revision.serializedSnapshot) == revision.serializedHash
            }
            previousHash = revision.serializedHash
            entries.append(
                HistoryEntry(
                    revision: revision, signature: signature, optIn: data?.optIn ?? false,
                    sharedAttributes: data?.sharedAttributes ?? [], verified: verified))
        }
        return entries
    }

    /// Whether every revision of record `id` is intact, chained and (when sealed) verifies.
    public func verifyRecord(id: String) async throws -> Bool {
        try await history(ofRecord: id).allSatisfy(\.verified)
    }

    // MARK: - Internals

    static func recordID(individual: String, agreement: String, in sql: any SQLDatabase) async throws -> String? {
        try await sql.raw(
            """
            SELECT id FROM identity_consent_records
            WHERE individual_id = \(bind: individual) AND data_agreement_id = \(bind: agreement)
            """
        ).first()?.decode(column: "id", as: String.self)
    }

    static func agreementRevision(
        _ id: String, _ revisionID: String?, in sql: any SQLDatabase
    ) async throws -> StoredRevision {
        guard let latest = try await latest(.dataAgreement, id, in: sql), !latest.deleted else {
            throw IdentityError(.notFound, "no data agreement \(id)")
        }
        guard let revisionID else { return latest }
        guard let revision = try await revision(id: revisionID, in: sql), revision.objectID == id,
            revision.schema == Schema.dataAgreement.rawValue, !revision.deleted
        else { throw IdentityError(.invalidRecord, "\(revisionID) is not a revision of \(id)") }
        return revision
    }

    /// Appends a record revision, seals it and audits it with the individual as the data subject.
    func appendRecord(
        _ id: String, individual: ConsentIndividual, agreement: StoredRevision, optIn: Bool, shared: [String],
        byIndividual: Bool, actor: AuditActor, signer: ConsentSeal.Signer?, at now: Date, in sql: any SQLDatabase
    ) async throws -> StoredRevision {
        let previous = try await Self.latest(.consentRecord, id, in: sql)
        let previousSignature = try await previous.asyncFlatMap { try await ConsentSeal.signature(of: $0, in: sql) }
        let data = RecordData(
            dataAgreement: agreement.objectID, dataAgreementRevision: agreement.id,
            dataAgreementRevisionHash: agreement.hash, individual: individual.id, optIn: optIn,
            sharedAttributes: shared)
        let stored = try await Self.append(
            .consentRecord, id, object: data, after: previous, previousSignature: previousSignature?.signature,
            authorizedByIndividual: byIndividual ? individual.id : nil,
            authorizedByOther: byIndividual ? nil : actor.id,
            at: now, in: sql)
        if let signer {
            _ = try await seal.sign(stored, signedAs: byIndividual ? "individual" : "delegate", with: signer, in: sql)
        }
        try await audit.append(
            AuditEvent(
                actor: actor, action: optIn ? "identity.consent.record.opt-in" : "identity.consent.record.opt-out",
                object: AuditObject(type: "consent-record", id: id), subject: Self.subject(of: individual),
                purpose: (optIn ? "opt in to " : "opt out of ")
                    + "\(agreement.objectID) (revision \(stored.sequence), \(stored.hash.prefix(16)))"),
            in: sql)
        return stored
    }

    /// The API form of a record revision.
    static func render(
        _ stored: StoredRevision, in sql: any SQLDatabase
    ) async throws -> (consentRecord: ConsentRecord, revision: ConsentRevision) {
        guard let data = try stored.object(RecordData.self),
            let agreementStored = try await revision(id: data.dataAgreementRevision, in: sql),
            let agreement = try agreementStored.object(DataAgreement.self),
            let individual = try await individual(id: data.individual, in: sql)
        else { throw IdentityError(.notFound, "the consent record \(stored.objectID) is incomplete") }
        let signature = try await ConsentSeal.signature(of: stored, in: sql)
        let record = ConsentRecord(
            id: stored.objectID, dataAgreement: agreement,
            dataAgreementRevision: try await revision(agreementStored, in: sql),
            dataAgreementRevisionHash: data.dataAgreementRevisionHash, individual: individual, optIn: data.optIn,
            state: signature == nil ? "unsigned" : "signed", sharedAttributes: data.sharedAttributes,
            signature: signature)
        return (record, try await revision(stored, in: sql))
    }
}
