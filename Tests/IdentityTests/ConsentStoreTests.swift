import Audit
import CivitasCore
import Foundation
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust

/// The consent records (GovStack Consent BB model) on both engines: revisions, seals, history and refusals.
@Suite("Consent records")
struct ConsentStoreTests {
    static let migrations = AuditLog.migrations + NationalPKI.migrations + IdentityMigrations.all
    static let client = AuditActor(kind: .machine, id: "client-0123456789abcdef")
    static let nino = PersonalNumber(serial: 1_001_011)

    static func store(_ database: Database) -> ConsentStore {
        ConsentStore(
            database: database, audit: AuditLog(database: database),
            keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key))
    }

    static func agreement(policy: String? = nil) -> ConsentStore.DataAgreementFields {
        ConsentStore.DataAgreementFields(
            version: "1",
            controller: DataAgreement.Controller(id: "moh", name: "Ministry of Health", url: "https://moh.example"),
            policyID: policy, purpose: "Send vaccination reminders", lawfulBasis: "consent",
            dataUse: "data_using_service",
            dpia: "https://moh.example/dpia",
            dataAttributes: [
                DataAgreement.Attribute(id: "", name: "phone", sensitivity: "medium", category: "contact")
            ])
    }

    static func revisionCount(_ database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM identity_consent_revisions").first()!
                .decode(column: "n", as: Int.self)
        }
    }

    @Test(
        "a policy is revised, read as of a revision, and cannot be deleted under an active agreement",
        arguments: DatabaseEngine.allCases)
    func policies(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let store = Self.store(database)
            let (policy, first) = try await store.createPolicy(
                ConsentPolicy(id: "ignored", name: "Health data policy", version: "1", url: "https://moh.example/p/1"),
                actor: Self.client)
            #expect(ConsentStore.isWellFormedID(policy.id) && policy.id.hasPrefix("pol-"))
            var changed = policy
            changed.version = "2"
            changed.url = "https://moh.example/p/2"
            let (_, second) = try await store.updatePolicy(id: policy.id, changed, actor: Self.client)
            #expect(second.predecessorHash == first.serializedHash)
            #expect(try await store.policy(id: policy.id)?.policy.version == "2")
            #expect(try await store.policy(id: policy.id, revisionID: first.id)?.policy.version == "1")
            #expect(
                try await store.policyRevisions(id: policy.id, page: try ConsentStore.Page()).map(\.id) == [
                    first.id, second.id,
                ])

            let (agreement, _) = try await store.createDataAgreement(
                Self.agreement(policy: policy.id), actor: Self.client)
            #expect(agreement.policy?.version == "2")
            #expect(agreement.dataAttributes.first?.id.isEmpty == false)
            await #expect(throws: IdentityError.self) {
                try await store.deletePolicy(id: policy.id, actor: Self.client)
            }
            #expect(try await store.policy(id: policy.id) != nil)

            await #expect(throws: IdentityError.self) {
                try await store.updatePolicy(id: "pol-0000000000000000", changed, actor: Self.client)
            }
            var bad = changed
            bad.url = "ftp://nowhere"
            await #expect(throws: IdentityError.self) { try await store.createPolicy(bad, actor: Self.client) }
            var badAgreement = Self.agreement()
            badAgreement.lawfulBasis = "because"
            await #expect(throws: IdentityError.self) {
                try await store.createDataAgreement(badAgreement, actor: Self.client)
            }
            await #expect(throws: IdentityError.self) {
                try await store.createDataAgreement(Self.agreement(policy: "pol-ffffffffffffffff"), actor: Self.client)
            }
            #expect(try await Self.revisionCount(database) == 3)
        }
    }

    @Test(
        "a consent record is sealed, opted out as a new revision, and its whole history verifies",
        arguments: DatabaseEngine.allCases)
    func recordLifecycle(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let store = Self.store(database)
            let (agreement, agreementRevision) = try await store.createDataAgreement(
                Self.agreement(), actor: Self.client)
            let individual = try await store.createIndividual(
                ConsentStore.IndividualFields(externalId: Self.nino.rawValue, externalIdType: "personal_number"),
                actor: Self.client)
            let (record, first) = try await store.createRecord(
                dataAgreementID: agreement.id, individualID: individual.id, actor: Self.client)
            #expect(record.optIn && record.state == "signed")
            #expect(record.dataAgreementRevisionHash == agreementRevision.serializedHash)
            #expect(record.sharedAttributes == ["phone"])
            let signature = try #require(record.signature)
            #expect(try await store.seal.verifies(signature, over: first))

            let (withdrawn, second) = try await store.updateRecord(
                id: record.id, individualID: individual.id, optIn: false, actor: Self.client)
            #expect(!withdrawn.optIn && withdrawn.sharedAttributes.isEmpty)
            #expect(second.predecessorHash == first.serializedHash)
            #expect(second.predecessorSignature == signature.signature)
            let history = try await store.history(ofRecord: record.id)
            #expect(history.map(\.optIn) == [true, false])
            #expect(history.allSatisfy { $0.verified })
            #expect(try await store.verifyRecord(id: record.id))
            #expect(
                try await store.record(individualID: individual.id, dataAgreementID: agreement.id)?.consentRecord.optIn
                    == false)

            let entries = try await AuditLog(database: database).entries(
                about: DataSubject(kind: "person", identifier: Self.nino.rawValue))
            #expect(
                Set(entries.entries.map(\.event.action)).isSuperset(of: [
                    "identity.consent.individual.create", "identity.consent.record.opt-in",
                    "identity.consent.record.opt-out",
                ]))
        }
    }

    @Test(
        "unknown ids, another individual's record, a second record and an inactive agreement change nothing",
        arguments: DatabaseEngine.allCases)
    func refusals(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let store = Self.store(database)
            let (agreement, _) = try await store.createDataAgreement(Self.agreement(), actor: Self.client)
            let mine = try await store.createIndividual(ConsentStore.IndividualFields(), actor: Self.client)
            let theirs = try await store.createIndividual(ConsentStore.IndividualFields(), actor: Self.client)
            let (record, _) = try await store.createRecord(
                dataAgreementID: agreement.id, individualID: mine.id, actor: Self.client)
            let before = try await Self.revisionCount(database)

            await #expect(throws: IdentityError.self) {
                try await store.updateRecord(id: record.id, individualID: theirs.id, optIn: false, actor: Self.client)
            }
            await #expect(throws: IdentityError.self) {
                try await store.createRecord(dataAgreementID: agreement.id, individualID: mine.id, actor: Self.client)
            }
            await #expect(throws: IdentityError.self) {
                try await store.createRecord(
                    dataAgreementID: "da-0000000000000000", individualID: mine.id, actor: Self.client)
            }
            await #expect(throws: IdentityError.self) {
                try await store.createRecord(
                    dataAgreementID: agreement.id, individualID: "ind-0000000000000000", actor: Self.client)
            }
            await #expect(throws: IdentityError.self) {
                try await store.createRecord(
                    dataAgreementID: agreement.id, revisionID: "rev-0000000000000000", individualID: theirs.id,
                    actor: Self.client)
            }
            var inactive = Self.agreement()
            inactive.active = false
            _ = try await store.updateDataAgreement(id: agreement.id, inactive, actor: Self.client)
            await #expect(throws: IdentityError.self) {
                try await store.createRecord(dataAgreementID: agreement.id, individualID: theirs.id, actor: Self.client)
            }
            #expect(try await Self.revisionCount(database) == before + 1)
            #expect(try await store.record(id: record.id)?.consentRecord.optIn == true)

            await #expect(throws: IdentityError.self) {
                try await store.createIndividual(
                    ConsentStore.IndividualFields(externalId: "12345678901", externalIdType: "personal_number"),
                    actor: Self.client)
            }
            _ = try await store.createIndividual(
                ConsentStore.IndividualFields(externalId: "a@example.org", externalIdType: "email"), actor: Self.client)
            await #expect(throws: IdentityError.self) {
                try await store.createIndividual(
                    ConsentStore.IndividualFields(externalId: "a@example.org", externalIdType: "email"),
                    actor: Self.client)
            }
            #expect(throws: IdentityError.self) { try ConsentStore.Page(offset: -1) }
            #expect(throws: IdentityError.self) { try ConsentStore.Page(limit: 501) }
        }
    }

    @Test("a snapshot altered in the database no longer verifies", arguments: DatabaseEngine.allCases)
    func tampering(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let store = Self.store(database)
            let (agreement, _) = try await store.createDataAgreement(Self.agreement(), actor: Self.client)
            let individual = try await store.createIndividual(ConsentStore.IndividualFields(), actor: Self.client)
            let (record, revision) = try await store.createRecord(
                dataAgreementID: agreement.id, individualID: individual.id, optIn: false, actor: Self.client)
            #expect(try await store.verifyRecord(id: record.id))
            let forged = revision.serializedSnapshot.replacingOccurrences(of: "\"optIn\":false", with: "\"optIn\":true")
            #expect(forged != revision.serializedSnapshot)
            try await database.transaction { sql in
                try await sql.raw(
                    "UPDATE identity_consent_revisions SET serialized_snapshot = \(bind: forged) WHERE id = \(bind: revision.id)"
                ).run()
            }
            #expect(try await store.verifyRecord(id: record.id) == false)
        }
    }

    @Test("ids are checked for shape before any lookup")
    func identifiers() {
        #expect(ConsentStore.isWellFormedID("da-0123456789abcdef"))
        for bad in ["1", "invalid_id", "123!@#", "da-0123456789ABCDEF", "da-0123", "toolong-0123456789abcdef", ""] {
            #expect(!ConsentStore.isWellFormedID(bad), "\(bad)")
        }
        #expect(ConsentStore.dataAgreementID(forClient: "registry-portal").hasPrefix("da-"))
        #expect(ConsentStore.isWellFormedID(ConsentStore.dataAgreementID(forClient: "registry-portal")))
    }
}
