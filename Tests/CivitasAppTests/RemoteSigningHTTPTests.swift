import Audit
import CivitasApp
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Storage
import StorageTesting
import SwiftASN1
import Testing
import Trust
import X509

@Suite("GovStack eSignature remote signing API over HTTP")
struct RemoteSigningHTTPTests {
    static let prefix = "/esignature/v1"
    static let document = Array("Application for a building permit, parcel 01.10.23.456".utf8)

    struct Caller {
        let client: any TestClientProtocol
        let token: String

        func call(
            _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, headers: HTTPFields = [:],
            body: [UInt8]? = nil, authenticate: Bool = true
        ) async throws -> (status: HTTPResponse.Status, json: Any?, response: TestResponse) {
            var headers = headers
            if authenticate, headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
            var bytes = body
            if let json {
                bytes = Array(try JSONSerialization.data(withJSONObject: json))
                if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            }
            let response = try await client.execute(
                uri: RemoteSigningHTTPTests.prefix + path, method: method, headers: headers,
                body: bytes.map { ByteBuffer(bytes: $0) })
            let parsed = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
            return (response.status, parsed, response)
        }
    }

    /// A node with an initialised PKI and a client with every scope.
    static func withNode(
        _ engine: DatabaseEngine = .sqlite,
        _ body: @escaping @Sendable (Caller, APIClientRegistry, Database) async throws -> Void
    ) async throws {
        try await TestNode.with(engine) { client, database, configuration in
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let registry = APIClientRegistry(database: database, audit: AuditLog(database: database))
            let (_, token) = try await registry.create(
                name: "Justice e-services", scopes: Set(APIScope.allCases),
                profiles: [.citizenQualifiedSignature, .organisationSeal], actor: .system("test"))
            try await body(Caller(client: client, token: token), registry, database)
        }
    }

    static func signBody(_ hash: [UInt8], type: String = "SHA2-256", format: String = "CAdES") -> [String: Any] {
        [
            "format": format, "hash": Data(hash).base64EncodedString(), "hashType": type,
            "dataToBeDisplayed": "Sign the building permit application", "requestTimestamp": "2026-03-20T09:12:28Z",
        ]
    }

    static func count(_ table: String, in database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(
                column: "n", as: Int.self)
        }
    }

    @Test(
        "a service-held key: create, sign a hash, read the signature back, see it in the audit log",
        arguments: DatabaseEngine.allCases)
    func serviceKeyFlow(engine: DatabaseEngine) async throws {
        try await Self.withNode(engine) { caller, _, database in
            let created = try await caller.call(
                .post, "/cert/create", json: ["requestTimestamp": "2026-03-20T09:12:28Z"])
            #expect(created.status == .ok)
            let certificate = try #require(created.json as? [String: Any])
            let id = try #require(certificate["certificateId"] as? String)
            #expect(id.count == 64)
            #expect((certificate["pseudonym"] as? String)?.isEmpty == false)
            #expect(certificate["keyLocation"] as? String == "SERVICE")
            #expect((certificate["status"] as? [String: Any])?["code"] as? String == "OK")
            let pem = try #require(certificate["certificate"] as? String)
            let issued = try Certificate(pemEncoded: pem)

            let hash = Array(SHA256.hash(data: Self.document))
            let signed = try await caller.call(.post, "/sign/certificateId/\(id)", json: Self.signBody(hash))
            #expect(signed.status == .ok)
            let reply = try #require(signed.json as? [String: Any])
            let signatureText = try #require(reply["signature"] as? String)
            let signatureDER = try #require(Data(base64Encoded: signatureText))
            let signedData = try CMSSignedData(contentInfoDER: Array(signatureDER))
            let signerInfo = try #require(signedData.signerInfos.first)
            #expect(signedData.content == nil)
            #expect(try signerInfo.messageDigest == hash)
            #expect(signerInfo.isValidSignature(publicKey: issued.publicKey))
            let tokenText = try #require(reply["signatureTimestamp"] as? String)
            let tokenDER = try #require(Data(base64Encoded: tokenText))
            let token = try TimeStampToken(derEncoded: Array(tokenDER))
            #expect(token.info.hashedMessage == Array(SHA256.hash(data: signerInfo.signature)))

            let signatureID = try #require(reply["signatureId"] as? String)
            let again = try await caller.call(.get, "/sign/response/\(signatureID)")
            #expect(again.status == .ok)
            #expect((again.json as? [String: Any])?["signature"] as? String == reply["signature"] as? String)

            let log = try await caller.call(.get, "/audit/log?start=2000-01-01T00:00:00Z")
            let items = try #require(log.json as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["signatureType"] as? String == "SCD")
            let empty = try await caller.call(.get, "/audit/log?end=2000-01-01T00:00:00Z")
            #expect((empty.json as? [Any])?.isEmpty == true)
            let badTime = try await caller.call(.get, "/audit/log?start=yesterday")
            #expect(badTime.status == .badRequest)

            // Every creation and signature is audited with the client as actor.
            let entries = try await AuditLog(database: database).entries(from: 1, limit: 1000)
            let actions = entries.filter { $0.event.actor.kind == .machine }.map(\.event.action)
            #expect(actions.contains("trust.certificate.issue"))
            #expect(actions.contains("trust.remote.certificate.create"))
            #expect(actions.contains("trust.remote.sign"))
        }
    }

    static func csr(subject: String) throws -> (pem: String, der: [UInt8]) {
        let key = P256.Signing.PrivateKey()
        let request = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(subject) },
            privateKey: Certificate.PrivateKey(key), attributes: CertificateSigningRequest.Attributes(),
            signatureAlgorithm: .ecdsaWithSHA256)
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return (try request.serializeAsPEM().pemString, serializer.serializedBytes)
    }

    @Test("a CSR (PEM or base64 DER) keeps the key on the device: signing is 409; a taken pseudonym is 409")
    func deviceKey() async throws {
        try await Self.withNode { caller, _, database in
            let request = try Self.csr(subject: "Nino Beridze")
            let pem = try await caller.call(.post, "/cert/create", json: ["CSR": request.pem, "pseudonym": "nino.b"])
            #expect(pem.status == .ok)
            let created = try #require(pem.json as? [String: Any])
            #expect(created["pseudonym"] as? String == "nino.b")
            #expect(created["keyLocation"] as? String == "DEVICE")
            let certificate = try Certificate(pemEncoded: try #require(created["certificate"] as? String))
            #expect(certificate.subject.description.contains("Nino Beridze"))

            let other = try Self.csr(subject: "Giorgi Kapanadze")
            let base64 = try await caller.call(
                .post, "/cert/create",
                json: [
                    "CSR": Data(other.der).base64EncodedString(), "pseodonym": "giorgi", "profile": "organisation-seal",
                ])
            #expect(base64.status == .ok)
            #expect((base64.json as? [String: Any])?["profile"] as? String == "organisation-seal")

            let taken = try await caller.call(.post, "/cert/create", json: ["CSR": other.pem, "pseudonym": "nino.b"])
            #expect(taken.status == .conflict)

            let id = try #require(created["certificateId"] as? String)
            let sign = try await caller.call(
                .post, "/sign/certificateId/\(id)", json: Self.signBody(Array(SHA256.hash(data: Self.document))))
            #expect(sign.status == .conflict)
            #expect(((sign.json as? [String: Any])?["detail"] as? String)?.contains("device") == true)

            let byPseudonym = try await caller.call(
                .get, "/cert/pseudonym",
                headers: [
                    HTTPField.Name("X-Pseodonym-Token")!: "nino.b"
                ])
            #expect((byPseudonym.json as? [String: Any])?["certificateId"] as? String == id)
            #expect(try await Self.count("trust_remote_certificates", in: database) == 2)
        }
    }

    @Test("bad CSRs, pseudonyms and profiles are refused and store nothing")
    func badCertificateRequests() async throws {
        try await Self.withNode { caller, _, database in
            let request = try Self.csr(subject: "Tamar")
            var tampered = request.der
            tampered[tampered.count - 1] ^= 0x01
            let cases: [([String: Any], HTTPResponse.Status)] = [
                (["CSR": "not a csr"], .badRequest),
                (["CSR": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"], .badRequest),
                (["CSR": Data([0x30, 0x03, 0x02, 0x01, 0x00]).base64EncodedString()], .badRequest),
                (["pseudonym": "../../etc"], .unprocessableContent),
                (["pseudonym": String(repeating: "a", count: 65)], .unprocessableContent),
                (["profile": "tls-node"], .unprocessableContent),
                (["CSR": 42], .badRequest),
            ]
            for (body, status) in cases {
                let answer = try await caller.call(.post, "/cert/create", json: body)
                #expect(answer.status == status, "\(body)")
                #expect(answer.response.headers[.contentType] == "application/problem+json")
            }
            let forged = try await caller.call(
                .post, "/cert/create", json: ["CSR": Data(tampered).base64EncodedString()])
            #expect([.badRequest, .unprocessableContent].contains(forged.status))
            #expect(try await Self.count("trust_remote_certificates", in: database) == 0)
            #expect(try await Self.count("trust_certificates", in: database) == PKIRole.allCases.count)
        }
    }

    @Test("missing, unknown and revoked tokens are 401 with a Bearer challenge; a missing scope is 403")
    func authentication() async throws {
        try await Self.withNode { caller, registry, _ in
            let none = try await caller.call(.get, "/cert/list", authenticate: false)
            #expect(none.status == .unauthorized)
            #expect(none.response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(none.response.headers[.contentType] == "application/problem+json")
            let unknown = try await caller.call(.get, "/cert/list", headers: [.authorization: "Bearer civ_nothing"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            let basic = try await caller.call(.get, "/cert/list", headers: [.authorization: "Basic \(caller.token)"])
            #expect(basic.status == .unauthorized)
            let govStack = try await caller.call(
                .get, "/cert/list", headers: [HTTPField.Name("X-GovStack-AuthenticationToken")!: caller.token],
                authenticate: false)
            #expect(govStack.status == .ok)

            let (auditor, auditorToken) = try await registry.create(
                name: "Auditor", scopes: [.audit], actor: .system("test"))
            let limited = Caller(client: caller.client, token: auditorToken)
            let forbidden = try await limited.call(.post, "/cert/create", json: [:])
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
            #expect(try await limited.call(.get, "/audit/log").status == .ok)
            try await registry.revoke(id: auditor.id, actor: .system("test"))
            #expect(try await limited.call(.get, "/audit/log").status == .unauthorized)
            // The issuance API takes no cookies and needs no CSRF token, even as a cross-site POST with a token.
            let crossSite = try await caller.call(
                .post, "/cert/create", json: [:], headers: [.origin: "https://evil.example"])
            #expect(crossSite.status == .ok)
        }
    }

    @Test("a client sees only its own certificates and signatures", arguments: DatabaseEngine.allCases)
    func isolation(engine: DatabaseEngine) async throws {
        try await Self.withNode(engine) { caller, registry, _ in
            let created = try #require(try await caller.call(.post, "/cert/create", json: [:]).json as? [String: Any])
            let id = try #require(created["certificateId"] as? String)
            let signed = try await caller.call(
                .post, "/sign/certificateId/\(id)", json: Self.signBody(Array(SHA256.hash(data: Self.document))))
            let signatureID = try #require((signed.json as? [String: Any])?["signatureId"] as? String)

            let (_, otherToken) = try await registry.create(
                name: "Other agency", scopes: Set(APIScope.allCases), actor: .system("test"))
            let other = Caller(client: caller.client, token: otherToken)
            #expect(
                try await other.call(
                    .post, "/sign/certificateId/\(id)", json: Self.signBody(Array(SHA256.hash(data: Self.document)))
                ).status == .notFound)
            #expect(
                try await other.call(.patch, "/cert/\(id)", json: ["status": ["code": "REVOKE"]]).status == .notFound)
            #expect(try await other.call(.get, "/sign/response/\(signatureID)").status == .notFound)
            let pseudonym = try #require(created["pseudonym"] as? String)
            #expect(try await other.call(.get, "/cert/pseudonym?pseudonym=\(pseudonym)").status == .notFound)
            #expect((try await other.call(.get, "/cert/list").json as? [Any])?.isEmpty == true)
            #expect((try await other.call(.get, "/audit/log").json as? [Any])?.isEmpty == true)
            #expect((try await caller.call(.get, "/cert/list").json as? [Any])?.count == 1)
        }
    }

    @Test(
        "suspend, activate and revoke follow the allowed transitions; only an active certificate signs",
        arguments: DatabaseEngine.allCases)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await Self.withNode(engine) { caller, _, database in
            let created = try #require(try await caller.call(.post, "/cert/create", json: [:]).json as? [String: Any])
            let id = try #require(created["certificateId"] as? String)
            let body = Self.signBody(Array(SHA384.hash(data: Self.document)), type: "SHA2-384")
            func change(_ code: String) async throws -> (HTTPResponse.Status, String?) {
                let answer = try await caller.call(.patch, "/cert/\(id)", json: ["status": ["code": code]])
                return (
                    answer.status, ((answer.json as? [String: Any])?["status"] as? [String: Any])?["code"] as? String
                )
            }
            #expect(try await change("ACTIVATE").0 == .conflict)
            #expect(try await change("SUSPEND") == (.ok, "SUSPENDED"))
            #expect(try await caller.call(.post, "/sign/certificateId/\(id)", json: body).status == .conflict)
            let suspended = try await caller.call(.get, "/cert/list?filter=SUSPENDED")
            #expect((suspended.json as? [Any])?.count == 1)
            #expect((try await caller.call(.get, "/cert/list?filter=ACTIVATED").json as? [Any])?.isEmpty == true)
            #expect(try await caller.call(.get, "/cert/list?filter=SOMETIMES").status == .badRequest)
            #expect(try await change("ACTIVATE") == (.ok, "ACTIVATED"))
            #expect(try await caller.call(.post, "/sign/certificateId/\(id)", json: body).status == .ok)
            #expect(try await change("REVOKE") == (.ok, "REVOKED"))
            #expect(try await change("ACTIVATE").0 == .conflict)
            #expect(try await change("EXPLODE").0 == .unprocessableContent)
            #expect(try await caller.call(.post, "/sign/certificateId/\(id)", json: body).status == .conflict)

            // The PKI itself (OCSP, CRLs) sees the revocation.
            let certificate = try Certificate(pemEncoded: try #require(created["certificate"] as? String))
            let serial = certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()
            let pki = NationalPKI(
                database: database,
                keyStore: SoftwareKeyStore(database: database, encryptionKey: KeyEncryptionKey.generate().key),
                audit: AuditLog(database: database), baseURL: "http://x")
            let revocations = try await pki.revocations(issuer: "citizens-ca")
            #expect(revocations.map(\.serial).contains(serial))
        }
    }

    @Test("bad signature requests are 400, 415, 413 or 422 problems and store nothing")
    func badSignatureRequests() async throws {
        try await Self.withNode { caller, _, database in
            let created = try #require(try await caller.call(.post, "/cert/create", json: [:]).json as? [String: Any])
            let id = try #require(created["certificateId"] as? String)
            let hash = Array(SHA256.hash(data: Self.document))
            var badBase64 = Self.signBody(hash)
            badBase64["hash"] = "@@not base64@@"
            var missing = Self.signBody(hash)
            missing["hash"] = nil
            let cases: [([String: Any], HTTPResponse.Status)] = [
                (badBase64, .badRequest),
                (Self.signBody(Array(hash.dropLast())), .unprocessableContent),
                (Self.signBody(hash, type: "SHA2-384"), .unprocessableContent),
                (Self.signBody(hash, type: "MD5"), .unprocessableContent),
                (Self.signBody(hash, type: "SHA3-256"), .unprocessableContent),
                (Self.signBody(hash, format: "XAdES"), .unprocessableContent),
                (missing, .unprocessableContent),
                (["hash": 1, "hashType": "SHA2-256", "format": "CAdES"], .badRequest),
            ]
            for (body, status) in cases {
                let answer = try await caller.call(.post, "/sign/certificateId/\(id)", json: body)
                #expect(answer.status == status, "\(body)")
                #expect(answer.response.headers[.contentType] == "application/problem+json")
            }
            let truncated = try await caller.call(
                .post, "/sign/certificateId/\(id)", headers: [.contentType: "application/json"],
                body: Array("{\"format\": \"CAdES\", \"hash\":".utf8))
            #expect(truncated.status == .badRequest)
            let wrongType = try await caller.call(
                .post, "/sign/certificateId/\(id)", headers: [.contentType: "text/plain"], body: Array("{}".utf8))
            #expect(wrongType.status == .unsupportedMediaType)
            let huge = try await caller.call(
                .post, "/sign/certificateId/\(id)", headers: [.contentType: "application/json"],
                body: Array(repeating: UInt8(ascii: " "), count: 100_000))
            #expect(huge.status == .contentTooLarge)
            let unknown = try await caller.call(
                .post, "/sign/certificateId/\(String(repeating: "0", count: 64))", json: Self.signBody(hash))
            #expect(unknown.status == .notFound)
            let malformedID = try await caller.call(.post, "/sign/certificateId/xyz", json: Self.signBody(hash))
            #expect(malformedID.status == .notFound)
            #expect(try await Self.count("trust_remote_signatures", in: database) == 0)
        }
    }

    @Test("sign/pseudonym signs with the pseudonym's certificate and echoes nonce and state")
    func pseudonymSigning() async throws {
        try await Self.withNode { caller, _, _ in
            let created = try await caller.call(.post, "/cert/create", json: ["pseudonym": "johndoe5766"])
            #expect(created.status == .ok)
            var body = Self.signBody(Array(SHA512.hash(data: Self.document)), type: "SHA2-512")
            body["nonce"] = "d2dff004"
            body["state"] = "s-1"
            let signed = try await caller.call(
                .post, "/sign/pseudonym", json: body, headers: [HTTPField.Name("X-Pseodonym-Token")!: "johndoe5766"])
            #expect(signed.status == .ok)
            let reply = try #require(signed.json as? [String: Any])
            #expect(reply["nonce"] as? String == "d2dff004")
            #expect(reply["state"] as? String == "s-1")
            let id = try #require(reply["signatureId"] as? String)
            #expect(try await caller.call(.get, "/sign/response/\(id)").status == .ok)
            #expect(try await caller.call(.post, "/sign/pseudonym", json: body).status == .unprocessableContent)
            body["pseudonym"] = "nobody"
            #expect(try await caller.call(.post, "/sign/pseudonym", json: body).status == .notFound)
        }
    }

    @Test("the node's OpenAPI document describes the eSignature paths and their security")
    func openAPI() async throws {
        try await TestNode.with { client, _, _ in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/esignature/v1/sign/certificateId/{certificateId}"] != nil)
            #expect(paths["/esignature/v1/cert/create"] != nil)
            let components = try #require(document["components"] as? [String: Any])
            #expect((components["securitySchemes"] as? [String: Any])?["bearerToken"] != nil)
        }
    }
}
