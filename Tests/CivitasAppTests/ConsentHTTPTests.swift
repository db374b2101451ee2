import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust

/// The GovStack Consent API through the node's HTTP stack, and its join to the OpenID consent screen.
@Suite("Consent API over HTTP")
struct ConsentHTTPTests {
    /// API clients with one scope each, and one with none of the consent scopes.
    struct Callers: Sendable {
        let client: any TestClientProtocol
        let database: Database
        let config: String
        let service: String
        let audit: String
        let stranger: String

        func call(
            _ method: HTTPRequest.Method, _ path: String, token: String?, json: Any? = nil, raw: String? = nil,
            headers extra: HTTPFields = [:]
        ) async throws -> (status: HTTPResponse.Status, body: [String: Any], response: TestResponse) {
            var headers: HTTPFields = [.accept: "application/json"]
            if let token { headers[.authorization] = "Bearer \(token)" }
            var body: ByteBuffer?
            if let json {
                headers[.contentType] = "application/json"
                body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            } else if let raw {
                headers[.contentType] = "application/json"
                body = ByteBuffer(string: raw)
            }
            for field in extra { headers[field.name] = field.value }
            let response = try await client.execute(
                uri: ConsentRoutes.prefix + path, method: method, headers: headers, body: body)
            let parsed =
                (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
                ?? [:]
            return (response.status, parsed, response)
        }
    }

    static func with(
        _ engine: DatabaseEngine = .sqlite, _ body: @escaping @Sendable (Callers) async throws -> Void
    ) async throws {
        try await TestNode.with(engine) { client, database, configuration in
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let registry = APIClientRegistry(database: database, audit: AuditLog(database: database))
            func token(_ scopes: Set<APIScope>) async throws -> String {
                try await registry.create(name: "Consent caller", scopes: scopes, actor: .system("test")).token
            }
            try await body(
                Callers(
                    client: client, database: database, config: try await token([.consentConfig]),
                    service: try await token([.consentService]), audit: try await token([.consentAudit]),
                    stranger: try await token([.certificates, .signatures, .audit])))
        }
    }

    static var agreement: [String: Any] {
        [
            "dataAgreement": [
                "version": "1", "purpose": "Send vaccination reminders", "lawfulBasis": "consent",
                "dpia": "none needed", "dataUse": "data_using_service",
                "controller": ["id": "moh", "name": "Ministry of Health", "url": "https://moh.example"],
                "dataAttributes": [["name": "phone", "sensitivity": "medium", "category": "contact"]],
            ]
        ]
    }

    static func count(_ table: String, in database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(
                column: "n", as: Int.self)
        }
    }

    @Test(
        "create an agreement and an individual, record consent, read it back, verify, opt out, audit the history",
        arguments: DatabaseEngine.allCases)
    func mainScenario(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { callers in
            let created = try await callers.call(
                .post, "/config/data-agreement/", token: callers.config, json: Self.agreement)
            #expect(created.status == .ok)
            let agreement = try #require(created.body["dataAgreement"] as? [String: Any])
            let agreementID = try #require(agreement["id"] as? String)
            #expect((created.body["revision"] as? [String: Any])?["schemaName"] as? String == "DataAgreement")
            let read = try await callers.call(.get, "/config/data-agreement/\(agreementID)/", token: callers.config)
            #expect(
                (read.body["dataAgreement"] as? [String: Any])?["purpose"] as? String == "Send vaccination reminders")
            let listed = try await callers.call(.get, "/config/data-agreements/", token: callers.config)
            #expect((listed.body["dataAgreement"] as? [[String: Any]])?.count == 1)

            let person = try await callers.call(
                .post, "/service/individual/", token: callers.service,
                json: ["individual": ["externalId": "a@example.org", "externalIdType": "email"]])
            let individualID = try #require((person.body["individual"] as? [String: Any])?["id"] as? String)

            let recorded = try await callers.call(
                .post, "/service/individual/record/data-agreement/\(agreementID)/?individualId=\(individualID)",
                token: callers.service)
            #expect(recorded.status == .ok)
            let record = try #require(recorded.body["consentRecord"] as? [String: Any])
            let recordID = try #require(record["id"] as? String)
            #expect(record["optIn"] as? Bool == true)
            #expect(record["state"] as? String == "signed")
            #expect((record["signature"] as? [String: Any])?["verificationMethod"] as? String == "jws-es256")

            let mine = try await callers.call(
                .get, "/service/individual/record/data-agreement/\(agreementID)/", token: callers.service,
                headers: [HTTPField.Name("X-ConsentBB-IndividualId")!: individualID])
            #expect((mine.body["consentRecord"] as? [String: Any])?["id"] as? String == recordID)
            let verified = try await callers.call(
                .get, "/service/verification/consent-record/\(recordID)/", token: callers.service)
            #expect(verified.body["valid"] as? Bool == true)

            let optOut = try await callers.call(
                .put, "/service/individual/record/consent-record/\(recordID)/", token: callers.service,
                json: ["consentRecord": ["optIn": false]],
                headers: [HTTPField.Name("X-ConsentBB-IndividualId")!: individualID])
            #expect(optOut.status == .ok)
            #expect((optOut.body["consentRecord"] as? [String: Any])?["optIn"] as? Bool == false)

            let audited = try await callers.call(.get, "/audit/consent-record/\(recordID)/", token: callers.audit)
            let revisions = try #require(audited.body["revisions"] as? [[String: Any]])
            #expect(revisions.map { $0["optIn"] as? Bool } == [true, false])
            #expect(revisions.allSatisfy { $0["verified"] as? Bool == true })
            let all = try await callers.call(.get, "/audit/consent-records/", token: callers.audit)
            #expect((all.body["consentRecords"] as? [[String: Any]])?.count == 1)

            let keys = try await callers.client.execute(uri: "/consent/v1/keys/", method: .get)
            #expect(String(buffer: keys.body).contains("\"kty\":\"EC\""))
        }
    }

    @Test("no token, the wrong scope, malformed JSON and ids, unknown ids and another individual's record are refused")
    func refusals() async throws {
        try await Self.with { callers in
            let created = try await callers.call(
                .post, "/config/data-agreement/", token: callers.config, json: Self.agreement)
            let agreementID = try #require((created.body["dataAgreement"] as? [String: Any])?["id"] as? String)
            var individuals: [String] = []
            for _ in 0..<2 {
                let made = try await callers.call(
                    .post, "/service/individual/", token: callers.service, json: ["individual": [:]])
                individuals.append(try #require((made.body["individual"] as? [String: Any])?["id"] as? String))
            }
            let recorded = try await callers.call(
                .post, "/service/individual/record/data-agreement/\(agreementID)/?individualId=\(individuals[0])",
                token: callers.service)
            let recordID = try #require((recorded.body["consentRecord"] as? [String: Any])?["id"] as? String)
            let revisions = try await Self.count("identity_consent_revisions", in: callers.database)

            let anonymous = try await callers.call(.get, "/config/data-agreements/", token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(
                try await callers.call(.get, "/config/data-agreements/", token: "civ_nonsense").status == .unauthorized)
            for token in [callers.stranger, callers.service, callers.audit] {
                let refused = try await callers.call(
                    .post, "/config/data-agreement/", token: token, json: Self.agreement)
                #expect(refused.status == .forbidden)
                #expect(refused.response.headers[.contentType] == "application/problem+json")
            }
            #expect(
                try await callers.call(.get, "/audit/consent-records/", token: callers.service).status == .forbidden)

            let truncated = try await callers.call(
                .post, "/config/data-agreement/", token: callers.config, raw: "{\"dataAgreement\": {")
            #expect(truncated.status == .badRequest)
            #expect(truncated.body["status"] as? Int == 400)
            let missing = try await callers.call(
                .post, "/config/data-agreement/", token: callers.config, json: ["dataAgreement": ["version": "1"]])
            #expect(missing.status == .badRequest)
            let badBasis = try await callers.call(
                .post, "/config/policy/", token: callers.config,
                json: ["policy": ["name": "P", "version": "1", "url": "not a url"]])
            #expect(badBasis.status == .badRequest)
            let plain = try await callers.client.execute(
                uri: "/consent/v1/config/individual/", method: .post,
                headers: [.authorization: "Bearer \(callers.config)", .contentType: "text/plain"],
                body: ByteBuffer(string: "{}"))
            #expect(plain.status == .unsupportedMediaType)

            for malformed in ["invalid_id", "123!%40%23"] {
                let answer = try await callers.call(.get, "/config/data-agreement/\(malformed)/", token: callers.config)
                #expect(answer.status == .badRequest, "\(malformed)")
            }
            #expect(
                try await callers.call(.get, "/config/data-agreement/da-0000000000000000/", token: callers.config)
                    .status == .notFound)
            #expect(
                try await callers.call(.get, "/config/individual/ind-0000000000000000/", token: callers.config).status
                    == .notFound)
            let noAgreement = try await callers.call(
                .post, "/service/individual/record/data-agreement/da-0000000000000000/?individualId=\(individuals[1])",
                token: callers.service)
            #expect(noAgreement.status == .notFound)
            let twice = try await callers.call(
                .post, "/service/individual/record/data-agreement/\(agreementID)/?individualId=\(individuals[0])",
                token: callers.service)
            #expect(twice.status == .conflict)
            let noIndividual = try await callers.call(
                .post, "/service/individual/record/data-agreement/\(agreementID)/", token: callers.service)
            #expect(noIndividual.status == .badRequest)

            let foreign = try await callers.call(
                .put, "/service/individual/record/consent-record/\(recordID)/", token: callers.service,
                json: ["consentRecord": ["optIn": false]],
                headers: [HTTPField.Name("X-ConsentBB-IndividualId")!: individuals[1]])
            #expect(foreign.status == .notFound)
            let badLimit = try await callers.call(.get, "/audit/consent-records/?limit=0", token: callers.audit)
            #expect(badLimit.status == .badRequest)
            let notOffered = try await callers.call(.delete, "/service/individual/record/", token: callers.service)
            #expect(notOffered.status == .notImplemented)

            #expect(try await Self.count("identity_consent_revisions", in: callers.database) == revisions)
            let still = try await callers.call(.get, "/audit/consent-record/\(recordID)/", token: callers.audit)
            #expect((still.body["consentRecord"] as? [String: Any])?["optIn"] as? Bool == true)
        }
    }

    @Test(
        "the OpenID consent screen writes a sealed record; withdrawing on /account writes an opt-out; the page shows both"
    )
    func openIDJoin() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let session = try await fixture.session()
            _ = try await fixture.code(OpenIDHTTPTests.query(["scope": "openid profile age address"]), session: session)
            let store = ConsentStore(
                database: fixture.database, audit: AuditLog(database: fixture.database), keyStore: nil)
            let agreementID = ConsentStore.dataAgreementID(forClient: "registry-portal")
            let agreement = try #require(try await store.dataAgreement(id: agreementID)).dataAgreement
            #expect(agreement.controller?.name == "Civil Registry Portal")
            #expect(agreement.dataAttributes.contains { $0.name == "age_over_18" && $0.category == "age" })
            #expect(agreement.dataAttributes.contains { $0.name == "address" })
            #expect(!agreement.dataAttributes.contains { $0.name == "birthdate" && $0.category == "age" })
            let individual = try #require(try await store.individuals(page: try ConsentStore.Page()).first)
            #expect(individual.externalId == OpenIDHTTPTests.person.rawValue)
            let (record, _) = try #require(
                try await store.record(individualID: individual.id, dataAgreementID: agreementID))
            #expect(record.optIn && record.state == "signed")
            // The person left profile and age ticked, not address.
            #expect(record.sharedAttributes.contains("age_over_18"))
            #expect(!record.sharedAttributes.contains("address"))

            let withdrawn = try await AccountHTTPTests.post(
                fixture, "/account/consents/registry-portal/withdraw", session: session)
            #expect(withdrawn.status == .seeOther)
            let history = try await store.history(ofRecord: record.id)
            #expect(history.map(\.optIn) == [true, false])
            #expect(try await store.verifyRecord(id: record.id))

            let page = try await fixture.get("/account", session: session)
            #expect(page.text.contains("What you shared, with whom and when"))
            #expect(page.text.contains("withdrew consent"))
            #expect(page.text.contains("Whether you are 18 or older"))
            let entries = try await AuditLog(database: fixture.database).entries(
                about: DataSubject(kind: "person", identifier: OpenIDHTTPTests.person.rawValue))
            #expect(entries.entries.contains { $0.event.action == "identity.consent.record.opt-out" })
        }
    }
}
