public import Audit
public import CivitasCore
import Crypto
import Foundation
import SQLKit
public import Storage
public import Trust

/// The consent records of the GovStack Consent building block: policies, data agreements, individuals,
/// consent records with their revisions and seals, and webhooks.
///
/// Policies, data agreements and consent records are histories: every change is a new row in
/// `identity_consent_revisions` (a JSON snapshot, its SHA-256, the previous revision's hash), nothing is updated
/// in place, and the current state of an object is its newest revision. Each consent record revision is sealed
/// with a JWS (``ConsentSeal``) and audited with the individual as the data subject, in the same transaction.
/// The OpenID provider writes its consents through the same store (``ConsentStore/recordOpenIDConsent``).
public struct ConsentStore: Sendable {
    let database: Database
    let audit: AuditLog
    let clock: any WallClock
    /// The seal over consent record revisions.
    public let seal: ConsentSeal

    /// The largest page a list answers.
    public static let maximumPage = 500

    /// Creates the store; without a key store, records are kept `unsigned`.
    public init(
        database: Database, audit: AuditLog, keyStore: (any TrustKeyStore)?, clock: any WallClock = SystemClock()
    ) {
        self.database = database
        self.audit = audit
        self.clock = clock
        self.seal = ConsentSeal(database: database, keyStore: keyStore, clock: clock)
    }

    /// The kinds of object that have revisions.
    public enum Schema: String, Sendable, CaseIterable {
        /// ``ConsentPolicy``.
        case policy = "Policy"
        /// ``DataAgreement``.
        case dataAgreement = "DataAgreement"
        /// ``ConsentRecord``.
        case consentRecord = "ConsentRecord"

        var prefix: String {
            switch self {
            case .policy: "pol"
            case .dataAgreement: "da"
            case .consentRecord: "cr"
            }
        }
    }

    /// A page of a list: `offset` rows skipped, at most `limit` given.
    public struct Page: Sendable, Hashable {
        /// Rows skipped.
        public let offset: Int
        /// Rows given at most.
        public let limit: Int

        /// Creates a page, refusing a negative offset and a limit outside 1…``ConsentStore/maximumPage``.
        public init(offset: Int = 0, limit: Int = 100) throws {
            guard offset >= 0 else { throw IdentityError(.invalidRecord, "offset must be 0 or more") }
            guard (1...ConsentStore.maximumPage).contains(limit) else {
                throw IdentityError(.invalidRecord, "limit must be between 1 and \(ConsentStore.maximumPage)")
            }
            self.offset = offset
            self.limit = limit
        }
    }

    // MARK: - Identifiers

    /// A new id: `prefix-` and 16 random hex digits.
    static func newID(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + "-" + Hex.encode(bytes)
    }

    /// Whether `id` has the shape of an id this store makes (`da-0123456789abcdef`); anything else is refused at
    /// the door as malformed, before any lookup.
    public static func isWellFormedID(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, (2...3).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ $0 >= 97 && $0 <= 122 }),
            parts[1].utf8.count == 16
        else { return false }
        return parts[1].utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    // MARK: - Revisions

    /// The snapshot the specification describes: the object's data and who authorized the change. `objectData`
    /// is `nil` for a deletion.
    struct Snapshot<Object: Codable>: Codable {
        var objectData: Object?
        var schemaName: String
        var objectId: String
        var signedWithoutObjectId: Bool
        var timestamp: String
        var authorizedByIndividual: String?
        var authorizedByOther: String?
    }

    /// A stored revision row, before the individual it names is looked up.
    struct StoredRevision: Sendable {
        var id: String
        var schema: String
        var objectID: String
        var sequence: Int64
        var snapshot: String
        var hash: String
        var predecessorHash: String?
        var predecessorSignature: String?
        var authorizedByIndividual: String?
        var authorizedByOther: String?
        var deleted: Bool
        var createdAt: Int64

        func object<T: Codable>(_ type: T.Type) throws -> T? {
            try JSONDecoder().decode(Snapshot<T>.self, from: Data(snapshot.utf8)).objectData
        }
    }

    static let revisionColumns =
        "id, schema_name, object_id, sequence, serialized_snapshot, serialized_hash, predecessor_hash, "
        + "predecessor_signature, authorized_by_individual, authorized_by_other, deleted, created_at"

    static func storedRevision(_ row: any SQLRow) throws -> StoredRevision {
        StoredRevision(
            id: try row.decode(column: "id", as: String.self),
            schema: try row.decode(column: "schema_name", as: String.self),
            objectID: try row.decode(column: "object_id", as: String.self),
            sequence: try row.decode(column: "sequence", as: Int64.self),
            snapshot: try row.decode(column: "serialized_snapshot", as: String.self),
            hash: try row.decode(column: "serialized_hash", as: String.self),
            predecessorHash: try row.decode(column: "predecessor_hash", as: String?.self),
            predecessorSignature: try row.decode(column: "predecessor_signature", as: String?.self),
            authorizedByIndividual: try row.decode(column: "authorized_by_individual", as: String?.self),
            authorizedByOther: try row.decode(column: "authorized_by_other", as: String?.self),
            deleted: try row.decode(column: "deleted", as: Int64.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    /// SHA-256 of `text`, lowercase hex.
    static func hash(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }

    static func encodeCanonically(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The newest revision of `objectID`, or `nil`.
    static func latest(_ schema: Schema, _ objectID: String, in sql: any SQLDatabase) async throws -> StoredRevision? {
        try await sql.raw(
            """
            SELECT \(unsafeRaw: revisionColumns) FROM identity_consent_revisions
            WHERE schema_name = \(bind: schema.rawValue) AND object_id = \(bind: objectID)
            ORDER BY sequence DESC LIMIT 1
            """
        ).first().map(storedRevision)
    }

    /// The revision `id`, or `nil`.
    static func revision(id: String, in sql: any SQLDatabase) async throws -> StoredRevision? {
        try await sql.raw(
            "SELECT \(unsafeRaw: revisionColumns) FROM identity_consent_revisions WHERE id = \(bind: id)"
        ).first().map(storedRevision)
    }

    /// Every revision of `objectID`, oldest first.
    static func revisions(
        _ schema: Schema, _ objectID: String, page: Page, in sql: any SQLDatabase
    ) async throws
        -> [StoredRevision]
    {
        try await sql.raw(
            """
            SELECT \(unsafeRaw: revisionColumns) FROM identity_consent_revisions
            WHERE schema_name = \(bind: schema.rawValue) AND object_id = \(bind: objectID)
            ORDER BY sequence LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """
        ).all().map(storedRevision)
    }

    /// The newest revision of every object of `schema` that is not deleted, by id.
    static func current(_ schema: Schema, page: Page, in sql: any SQLDatabase) async throws -> [StoredRevision] {
        try await sql.raw(
            """
            SELECT \(unsafeRaw: revisionColumns) FROM identity_consent_revisions r
            WHERE r.schema_name = \(bind: schema.rawValue) AND r.deleted = 0 AND r.sequence = (
                SELECT MAX(s.sequence) FROM identity_consent_revisions s
                WHERE s.schema_name = r.schema_name AND s.object_id = r.object_id)
            ORDER BY r.object_id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """
        ).all().map(storedRevision)
    }

    /// Appends a revision of `objectID` holding `object` (`nil`: a deletion) after `previous`.
    ///
    /// The unique (schema, object, sequence) constraint keeps two concurrent writers of one object from both
    /// appending the same sequence: on PostgreSQL the second fails with a unique violation and changes nothing
    /// (SQLite has one writer, so it never happens there).
    static func append(
        _ schema: Schema, _ objectID: String, object: (some Codable)?, after previous: StoredRevision?,
        previousSignature: String? = nil, authorizedByIndividual: String?, authorizedByOther: String?, at now: Date,
        in sql: any SQLDatabase
    ) async throws -> StoredRevision {
        let snapshot = try encodeCanonically(
            Snapshot(
                objectData: object, schemaName: schema.rawValue, objectId: objectID, signedWithoutObjectId: false,
                timestamp: Timestamp(now).description, authorizedByIndividual: authorizedByIndividual,
                authorizedByOther: authorizedByOther))
        let stored = StoredRevision(
            id: newID("rev"), schema: schema.rawValue, objectID: objectID, sequence: (previous?.sequence ?? 0) + 1,
            snapshot: snapshot, hash: hash(snapshot), predecessorHash: previous?.hash,
            predecessorSignature: previousSignature, authorizedByIndividual: authorizedByIndividual,
            authorizedByOther: authorizedByOther, deleted: object == nil, createdAt: Timestamp(now).microseconds)
        try await sql.raw(
            """
            INSERT INTO identity_consent_revisions (\(unsafeRaw: revisionColumns))
            VALUES (\(bind: stored.id), \(bind: stored.schema), \(bind: stored.objectID), \(bind: stored.sequence),
                \(bind: stored.snapshot), \(bind: stored.hash), \(bind: stored.predecessorHash),
                \(bind: stored.predecessorSignature), \(bind: stored.authorizedByIndividual),
                \(bind: stored.authorizedByOther), \(bind: stored.deleted ? 1 : 0), \(bind: stored.createdAt))
            """
        ).run()
        return stored
    }

    /// The API form of a stored revision.
    static func revision(_ stored: StoredRevision, in sql: any SQLDatabase) async throws -> ConsentRevision {
        ConsentRevision(
            id: stored.id, schemaName: stored.schema, objectId: stored.objectID, signedWithoutObjectId: false,
            serializedSnapshot: stored.snapshot, serializedHash: stored.hash,
            timestamp: Timestamp(microseconds: stored.createdAt).description,
            authorizedByIndividual: try await stored.authorizedByIndividual.asyncFlatMap {
                try await individual(id: $0, in: sql)
            },
            authorizedByOther: stored.authorizedByOther, predecessorHash: stored.predecessorHash,
            predecessorSignature: stored.predecessorSignature)
    }

    // MARK: - Audit

    /// The data subject of changes to `individual`'s records: the person, when it is one.
    static func subject(of individual: ConsentIndividual) -> DataSubject {
        if individual.externalIdType == ConsentIndividual.personalNumberType, let number = individual.externalId {
            return DataSubject(kind: "person", identifier: number)
        }
        return DataSubject(kind: "consent-individual", identifier: individual.id)
    }
}
