public import Audit
import CivitasCore
import Foundation
import SQLKit
import Storage

extension ConsentStore {
    /// The fields of a data agreement a caller sets; the policy is named by id and copied in as it reads now.
    public struct DataAgreementFields: Sendable, Hashable {
        /// The version.
        public var version: String
        /// The data controller.
        public var controller: DataAgreement.Controller?
        /// The id of the governing policy.
        public var policyID: String?
        /// The purpose.
        public var purpose: String
        /// The lawful basis.
        public var lawfulBasis: String
        /// The data use.
        public var dataUse: String?
        /// The DPIA.
        public var dpia: String
        /// Whether new records may be made.
        public var active: Bool
        /// Whether withdrawn records may be forgotten.
        public var forgettable: Bool
        /// The attributes; an attribute without an id gets one.
        public var dataAttributes: [DataAgreement.Attribute]

        /// Creates the fields.
        public init(
            version: String, controller: DataAgreement.Controller? = nil, policyID: String? = nil, purpose: String,
            lawfulBasis: String, dataUse: String? = nil, dpia: String, active: Bool = true, forgettable: Bool = false,
            dataAttributes: [DataAgreement.Attribute] = []
        ) {
            self.version = version
            self.controller = controller
            self.policyID = policyID
            self.purpose = purpose
            self.lawfulBasis = lawfulBasis
            self.dataUse = dataUse
            self.dpia = dpia
            self.active = active
            self.forgettable = forgettable
            self.dataAttributes = dataAttributes
        }
    }

    // MARK: - Policies

    /// Creates a policy and its first revision; the id given is ignored.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` for a field out of bounds.
    public func createPolicy(
        _ policy: ConsentPolicy, actor: AuditActor
    ) async throws -> (policy: ConsentPolicy, revision: ConsentRevision) {
        var policy = policy
        policy.id = Self.newID("pol")
        try Self.check(policy)
        let stored = try await write(.policy, policy.id, policy, creating: true, actor: actor, verb: "create")
        return (policy, stored)
    }

    /// Changes a policy: a new revision. Agreements keep the revision they copied.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, `.invalidRecord`.
    public func updatePolicy(
        id: String, _ policy: ConsentPolicy, actor: AuditActor
    ) async throws -> (policy: ConsentPolicy, revision: ConsentRevision) {
        var policy = policy
        policy.id = id
        try Self.check(policy)
        let stored = try await write(.policy, id, policy, creating: false, actor: actor, verb: "update")
        return (policy, stored)
    }

    /// Deletes a policy (a last revision without data), unless an active agreement is governed by it.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, or `.invalidTransition` while an active agreement names it.
    public func deletePolicy(id: String, actor: AuditActor) async throws -> ConsentRevision {
        let agreements = try await database.read { sql in
            try await Self.current(.dataAgreement, page: try Page(limit: Self.maximumPage), in: sql)
        }
        for stored in agreements {
            if let agreement = try stored.object(DataAgreement.self), agreement.active, agreement.policy?.id == id {
                throw IdentityError(
                    .invalidTransition, "the active data agreement \(agreement.id) is governed by \(id)")
            }
        }
        return try await write(.policy, id, ConsentPolicy?.none, creating: false, actor: actor, verb: "delete")
    }

    /// The policy `id` with its newest revision, or as of `revisionID`; `nil` if there is none (or it is
    /// deleted).
    public func policy(
        id: String, revisionID: String? = nil
    ) async throws -> (policy: ConsentPolicy, revision: ConsentRevision)? {
        try await read(.policy, id, revisionID: revisionID, as: ConsentPolicy.self)
    }

    /// Every revision of policy `id`, oldest first.
    ///
    /// - Throws: ``IdentityError`` `.notFound`.
    public func policyRevisions(id: String, page: Page) async throws -> [ConsentRevision] {
        try await database.read { sql in
            let rows = try await Self.revisions(.policy, id, page: page, in: sql)
            guard !rows.isEmpty || page.offset > 0 else { throw IdentityError(.notFound, "no policy \(id)") }
            var revisions: [ConsentRevision] = []
            for row in rows { revisions.append(try await Self.revision(row, in: sql)) }
            return revisions
        }
    }

    /// The current policies.
    public func policies(page: Page) async throws -> [ConsentPolicy] {
        try await database.read { sql in
            try await Self.current(.policy, page: page, in: sql).compactMap { try $0.object(ConsentPolicy.self) }
        }
    }

    // MARK: - Data agreements

    /// Creates a data agreement and its first revision.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` for a bad field or an unknown policy.
    public func createDataAgreement(
        _ fields: DataAgreementFields, actor: AuditActor
    ) async throws -> (dataAgreement: DataAgreement, revision: ConsentRevision) {
        let agreement = try await agreement(Self.newID("da"), fields)
        let stored = try await write(
            .dataAgreement, agreement.id, agreement, creating: true, actor: actor, verb: "create")
        return (agreement, stored)
    }

    /// Changes a data agreement: a new revision. Consent records keep pointing at the revision consented to.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, `.invalidRecord`.
    public func updateDataAgreement(
        id: String, _ fields: DataAgreementFields, actor: AuditActor
    ) async throws -> (dataAgreement: DataAgreement, revision: ConsentRevision) {
        let agreement = try await agreement(id, fields)
        let stored = try await write(.dataAgreement, id, agreement, creating: false, actor: actor, verb: "update")
        return (agreement, stored)
    }

    /// Deletes a data agreement (a last revision without data); its consent records stay, as history.
    ///
    /// - Throws: ``IdentityError`` `.notFound`.
    public func deleteDataAgreement(id: String, actor: AuditActor) async throws -> ConsentRevision {
        try await write(.dataAgreement, id, DataAgreement?.none, creating: false, actor: actor, verb: "delete")
    }

    /// The data agreement `id` with its newest revision (or as of `revisionID`), or `nil`.
    public func dataAgreement(
        id: String, revisionID: String? = nil
    ) async throws -> (dataAgreement: DataAgreement, revision: ConsentRevision)? {
        try await read(.dataAgreement, id, revisionID: revisionID, as: DataAgreement.self)
    }

    /// The current data agreements.
    public func dataAgreements(page: Page) async throws -> [DataAgreement] {
        try await database.read { sql in
            try await Self.current(.dataAgreement, page: page, in: sql).compactMap {
                try $0.object(DataAgreement.self)
            }
        }
    }

    // MARK: - Shared

    private func agreement(_ id: String, _ fields: DataAgreementFields) async throws -> DataAgreement {
        func text(_ name: String, _ value: String, _ limit: Int) throws {
            guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, value.count <= limit else {
                throw IdentityError(.invalidRecord, "\(name) is 1 to \(limit) characters")
            }
        }
        try text("version", fields.version, 50)
        try text("purpose", fields.purpose, 2000)
        try text("dpia", fields.dpia, 2000)
        guard DataAgreement.lawfulBases.contains(fields.lawfulBasis) else {
            throw IdentityError(
                .invalidRecord, "lawfulBasis is one of " + DataAgreement.lawfulBases.sorted().joined(separator: ", "))
        }
        if let use = fields.dataUse, !DataAgreement.dataUses.contains(use) {
            throw IdentityError(.invalidRecord, "dataUse is data_source or data_using_service")
        }
        if let controller = fields.controller {
            try text("controller.id", controller.id, 200)
            try text("controller.name", controller.name, 200)
            try text("controller.url", controller.url, 2000)
        }
        guard fields.dataAttributes.count <= 200 else {
            throw IdentityError(.invalidRecord, "a data agreement has at most 200 attributes")
        }
        var attributes: [DataAgreement.Attribute] = []
        for var attribute in fields.dataAttributes {
            try text("dataAttributes.name", attribute.name, 200)
            try text("dataAttributes.sensitivity", attribute.sensitivity, 50)
            try text("dataAttributes.category", attribute.category, 200)
            if attribute.id.isEmpty { attribute.id = Self.newID("att") }
            try text("dataAttributes.id", attribute.id, 100)
            attributes.append(attribute)
        }
        var policy: ConsentPolicy?
        if let policyID = fields.policyID {
            guard Self.isWellFormedID(policyID), let found = try await self.policy(id: policyID) else {
                throw IdentityError(.invalidRecord, "no policy \(policyID)")
            }
            policy = found.policy
        }
        return DataAgreement(
            id: id, version: fields.version, controller: fields.controller, policy: policy, purpose: fields.purpose,
            lawfulBasis: fields.lawfulBasis, dataUse: fields.dataUse, dpia: fields.dpia, active: fields.active,
            forgettable: fields.forgettable, dataAttributes: attributes)
    }

    private static func check(_ policy: ConsentPolicy) throws {
        for (name, value, limit) in [("name", policy.name, 200), ("version", policy.version, 50)] {
            guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, value.count <= limit else {
                throw IdentityError(.invalidRecord, "\(name) is 1 to \(limit) characters")
            }
        }
        guard policy.url.count <= 2000, let url = URL(string: policy.url),
            url.scheme == "https" || url.scheme == "http",
            url.host != nil
        else { throw IdentityError(.invalidRecord, "url is an http or https URL") }
        if let days = policy.dataRetentionPeriodDays, days < 0 {
            throw IdentityError(.invalidRecord, "dataRetentionPeriodDays is 0 or more")
        }
        for value in [
            policy.jurisdiction, policy.industrySector, policy.geographicRestriction, policy.storageLocation,
        ] {
            if let value, value.count > 200 {
                throw IdentityError(.invalidRecord, "a policy field is at most 200 characters")
            }
        }
    }

    /// Appends a revision of a policy or agreement written by an API client, with its audit entry.
    private func write<T: Codable & Sendable>(
        _ schema: Schema, _ id: String, _ object: T?, creating: Bool, actor: AuditActor, verb: String
    ) async throws -> ConsentRevision {
        let now = clock.now()
        let audit = self.audit
        return try await database.transaction { sql in
            let previous = try await Self.latest(schema, id, in: sql)
            if !creating {
                guard let previous, !previous.deleted else {
                    throw IdentityError(.notFound, "no \(schema.rawValue) \(id)")
                }
            }
            let stored = try await Self.append(
                schema, id, object: object, after: previous, authorizedByIndividual: nil,
                authorizedByOther: actor.id, at: now, in: sql)
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.\(schema.prefix).\(verb)",
                    object: AuditObject(type: "consent-\(schema.rawValue)", id: id),
                    purpose: "\(verb) \(schema.rawValue) \(id) (revision \(stored.sequence), \(stored.hash.prefix(16)))"
                ),
                in: sql)
            return try await Self.revision(stored, in: sql)
        }
    }

    private func read<T: Codable & Sendable>(
        _ schema: Schema, _ id: String, revisionID: String?, as type: T.Type
    ) async throws -> (T, ConsentRevision)? {
        let found = try await database.read { sql -> (StoredRevision, ConsentRevision)? in
            let stored: StoredRevision?
            if let revisionID {
                stored = try await Self.revision(id: revisionID, in: sql).flatMap {
                    $0.schema == schema.rawValue && $0.objectID == id ? $0 : nil
                }
            } else {
                stored = try await Self.latest(schema, id, in: sql)
            }
            guard let stored, !stored.deleted else { return nil }
            return (stored, try await Self.revision(stored, in: sql))
        }
        guard let (stored, revision) = found, let object = try stored.object(type) else { return nil }
        return (object, revision)
    }
}
