import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Storage
import Testing
import Trust

/// `/identity/v1/relying-parties` for Trust's API clients: scopes, problem details, and a disabled client's end.
@Suite("The relying-party registry API")
struct RelyingPartyAPITests {
    static let base = "/identity/v1/relying-parties"

    static func call(
        _ fixture: OpenIDHTTPTests.Fixture, _ method: HTTPRequest.Method, _ uri: String, token: String?,
        json: String? = nil, contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.accept: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await fixture.client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    static func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try OpenIDHTTPTests.json(response)
    }

    static let land = """
        {"client_id": "land-registry", "client_name": "Land Registry", "redirect_uris": ["https://land.example/cb"],
         "scope": "openid profile", "allowed_claims": ["name"], "required_level": "substantial",
         "id_token_signed_response_alg": "EdDSA"}
        """

    @Test("tokens and scopes: none, unknown, and the wrong scope are refused with a challenge")
    func authentication() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let clients = APIClientRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
            let operator_ = AuditActor(kind: .official, id: "cli:root")
            let signing = try await clients.create(name: "Signer", scopes: [.signatures], actor: operator_).token
            let revoked = try await clients.create(name: "Old", scopes: [.identityRelyingParties], actor: operator_)
            try await clients.revoke(id: revoked.client.id, actor: operator_)
            for (method, path) in [
                (HTTPRequest.Method.get, Self.base), (.post, Self.base), (.get, Self.base + "/registry-portal"),
                (.put, Self.base + "/registry-portal"), (.delete, Self.base + "/registry-portal"),
                (.post, Self.base + "/registry-portal/secret"),
            ] {
                let none = try await Self.call(fixture, method, path, token: nil)
                #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer realm=\"civitas\"")
                let old = try await Self.call(fixture, method, path, token: revoked.token)
                #expect(old.status == .unauthorized, "\(method) \(path)")
                let wrong = try await Self.call(fixture, method, path, token: signing)
                #expect(wrong.status == .forbidden, "\(method) \(path)")
                #expect(try Self.problem(wrong)["type"] as? String == "https://civitas.dev/problems/insufficient-scope")
                #expect(wrong.headers[.wwwAuthenticate]?.contains("scope=\"identity.relying-parties\"") == true)
            }
            #expect(
                try await RelyingPartyRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
                    .party("registry-portal") != nil)
        }
    }

    @Test("register, read, change, rotate and disable; bad JSON, bad fields and unknown ids are problems")
    func lifecycle() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let audit = AuditLog(database: fixture.database)
            let clients = APIClientRegistry(database: fixture.database, audit: audit)
            let (client, token) = try await clients.create(
                name: "Digital agency", scopes: [.identityRelyingParties], actor: AuditActor(kind: .official, id: "x"))
            let registry = RelyingPartyRegistry(database: fixture.database, audit: audit)

            let list = try await Self.call(fixture, .get, Self.base, token: token)
            #expect(list.status == .ok)
            let parties = try #require(
                try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [[String: Any]])
            #expect(Set(parties.compactMap { $0["client_id"] as? String }) == ["registry-portal", "mobile-app"])
            #expect(parties.allSatisfy { $0["client_secret"] == nil })

            for bad in ["{", "[]", #"{"client_name": 5}"#, String(repeating: " ", count: 70_000)] {
                let refused = try await Self.call(fixture, .post, Self.base, token: token, json: bad)
                #expect(refused.status == .badRequest || refused.status == .contentTooLarge, "\(bad.prefix(20))")
            }
            let form = try await Self.call(
                fixture, .post, Self.base, token: token, json: Self.land, contentType: "text/plain")
            #expect(form.status == .unsupportedMediaType)
            let noID = try await Self.call(
                fixture, .post, Self.base, token: token,
                json: #"{"client_name": "X", "redirect_uris": ["https://x.example/cb"]}"#)
            #expect(noID.status == .unprocessableContent)
            let fragment = Self.land.replacingOccurrences(
                of: "https://land.example/cb", with: "https://land.example/cb#f")
            let badURI = try await Self.call(fixture, .post, Self.base, token: token, json: fragment)
            #expect(badURI.status == .unprocessableContent)
            #expect((try Self.problem(badURI)["detail"] as? String)?.hasPrefix("redirect_uris") == true)
            let badAlg = Self.land.replacingOccurrences(of: "EdDSA", with: "HS256")
            #expect(
                try await Self.call(fixture, .post, Self.base, token: token, json: badAlg).status
                    == .unprocessableContent)
            let privateKey = Self.land.replacingOccurrences(
                of: #""scope""#,
                with:
                    #""token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"}]}, "scope""#
            )
            #expect(
                try await Self.call(fixture, .post, Self.base, token: token, json: privateKey).status == .badRequest)
            #expect(try await registry.record("land-registry") == nil, "nothing was registered")

            let created = try await Self.call(fixture, .post, Self.base, token: token, json: Self.land)
            #expect(created.status == .created, "\(created.text)")
            let body = try OpenIDHTTPTests.json(created)
            let secret = try #require(body["client_secret"] as? String)
            #expect(body["id_token_signed_response_alg"] as? String == "EdDSA")
            #expect(body["allowed_claims"] as? [String] == ["name"])
            #expect(body["disabled"] as? Bool == false)
            #expect(try await registry.isSecret(secret, of: "land-registry"))
            let duplicate = try await Self.call(fixture, .post, Self.base, token: token, json: Self.land)
            #expect(duplicate.status == .conflict)

            let read = try OpenIDHTTPTests.json(
                try await Self.call(fixture, .get, Self.base + "/land-registry", token: token))
            #expect(read["client_secret"] == nil && read["required_level"] as? String == "substantial")
            #expect(try await Self.call(fixture, .get, Self.base + "/nobody", token: token).status == .notFound)
            #expect(
                try await Self.call(fixture, .put, Self.base + "/nobody", token: token, json: Self.land).status
                    == .notFound)
            #expect(try await Self.call(fixture, .delete, Self.base + "/nobody", token: token).status == .notFound)
            #expect(try await Self.call(fixture, .post, Self.base + "/nobody/secret", token: token).status == .notFound)

            let renamed = Self.land.replacingOccurrences(of: "\"Land Registry\"", with: "\"Land and Property\"")
            let changed = try await Self.call(fixture, .put, Self.base + "/land-registry", token: token, json: renamed)
            #expect(changed.status == .ok)
            #expect(try OpenIDHTTPTests.json(changed)["client_name"] as? String == "Land and Property")
            let badChange = try await Self.call(
                fixture, .put, Self.base + "/land-registry", token: token, json: fragment)
            #expect(badChange.status == .unprocessableContent)
            #expect(try await registry.party("land-registry")?.name == "Land and Property")

            let rotated = try await Self.call(fixture, .post, Self.base + "/land-registry/secret", token: token)
            let newSecret = try #require(try OpenIDHTTPTests.json(rotated)["client_secret"] as? String)
            #expect(try await registry.isSecret(newSecret, of: "land-registry"))
            #expect(try await !registry.isSecret(secret, of: "land-registry"))

            // A disabled client can no longer get tokens or use the ones it has.
            let session = try await fixture.session()
            let code = try await fixture.code(OpenIDHTTPTests.query(), session: session)
            let tokens = try OpenIDHTTPTests.json(try await fixture.exchange(code))
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let gone = try await Self.call(fixture, .delete, Self.base + "/registry-portal", token: token)
            #expect(gone.status == .noContent)
            let info = try await fixture.client.execute(
                uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(info.status == .unauthorized)
            let basic: HTTPFields = [
                .authorization: "Basic " + Data("registry-portal:\(fixture.secret)".utf8).base64EncodedString()
            ]
            let refused = try await fixture.form(
                "/oidc/token", ["grant_type": "refresh_token", "refresh_token": refresh], headers: basic)
            #expect(try OpenIDHTTPTests.json(refused)["error"] as? String == "invalid_client")
            let authorize = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query()))", session: session)
            #expect(authorize.status == .badRequest)
            let twice = try await Self.call(fixture, .delete, Self.base + "/registry-portal", token: token)
            #expect(twice.status == .conflict)
            let listed = try OpenIDHTTPTests.json(
                try await Self.call(fixture, .get, Self.base + "/registry-portal", token: token))
            #expect(listed["disabled"] as? Bool == true)

            let head = try await audit.head()
            let entries = try await audit.entries(from: 1, limit: Int(head.sequence))
            let byClient = entries.filter { $0.event.actor == AuditActor(kind: .machine, id: client.id) }
            #expect(
                byClient.map(\.event.action) == [
                    "identity.client.register", "identity.client.update", "identity.client.rotate-secret",
                    "identity.client.disable",
                ])
        }
    }
}
