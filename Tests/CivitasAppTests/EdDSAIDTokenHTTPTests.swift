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

/// A relying party registered with `id_token_signed_response_alg=EdDSA` gets Ed25519 ID tokens; others stay ES256.
@Suite("EdDSA ID tokens per relying party")
struct EdDSAIDTokenHTTPTests {
    @Test(
        "discovery and the JWKS offer EdDSA; the EdDSA client's ID token verifies with the OKP key; allowed claims hold",
        arguments: DatabaseEngine.allCases)
    func edDSAClient(engine: DatabaseEngine) async throws {
        try await OpenIDHTTPTests.with(engine) { fixture in
            let registry = RelyingPartyRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
            let secret = try #require(
                try await registry.register(
                    RelyingParty(
                        clientID: "ed-portal", name: "Ed Portal", redirectURIs: [OpenIDHTTPTests.redirect],
                        scopes: ["openid", "profile", "age"], authentication: .clientSecretPost,
                        allowedClaims: ["given_name", "age_over_18"], idTokenSigningAlgorithm: .edDSA),
                    actor: AuditActor(kind: .official, id: "test")))
            let discovery = try OpenIDHTTPTests.json(try await fixture.get("/.well-known/openid-configuration"))
            #expect(discovery["id_token_signing_alg_values_supported"] as? [String] == ["ES256", "EdDSA"])
            let jwks = try OpenIDHTTPTests.json(try await fixture.get("/oidc/jwks"))
            let keys = try JSONDecoder().decode(
                [JSONWebKey].self, from: JSONSerialization.data(withJSONObject: jwks["keys"] as Any))
            let okp = try #require(keys.first { $0.kty == "OKP" })
            #expect(okp.crv == "Ed25519" && okp.alg == "EdDSA" && okp.x.flatMap(Base64URL.decode)?.count == 32)

            let session = try await fixture.session()
            var query = OpenIDHTTPTests.query(["client_id": "ed-portal"])
            query["claims"] = #"{"id_token":{"given_name":null,"family_name":null}}"#
            let code = try await fixture.code(query, session: session)
            let answer = try await fixture.form(
                "/oidc/token",
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": OpenIDHTTPTests.redirect,
                    "client_id": "ed-portal", "client_secret": secret,
                ])
            #expect(answer.status == .ok, "\(answer.text)")
            let tokens = try OpenIDHTTPTests.json(answer)
            let idToken = try JSONWebSignature(compact: try #require(tokens["id_token"] as? String))
            #expect(idToken.algorithm == .edDSA && idToken.keyID == okp.kid)
            #expect(okp.verifies(idToken.signature, over: idToken.signingInput, algorithm: .edDSA))
            let claims = try idToken.claims()
            #expect(claims["aud"] as? String == "ed-portal")
            #expect(claims["given_name"] as? String == "Nino")
            #expect(claims["family_name"] == nil, "family_name is not among the allowed claims")
            let access = try JSONWebSignature(compact: try #require(tokens["access_token"] as? String))
            #expect(access.algorithm == .es256, "access tokens stay ES256")

            let info = try await fixture.client.execute(
                uri: "/oidc/userinfo", method: .get,
                headers: [.authorization: "Bearer \(try #require(tokens["access_token"] as? String))"])
            let body = try OpenIDHTTPTests.json(info)
            #expect(body["given_name"] as? String == "Nino" && body["age_over_18"] as? Bool == true)
            #expect(body["family_name"] == nil && body["birthdate"] == nil)

            // The ES256 client is unchanged.
            let es = try await fixture.code(OpenIDHTTPTests.query(), session: session)
            let esTokens = try OpenIDHTTPTests.json(try await fixture.exchange(es))
            #expect(try JSONWebSignature(compact: try #require(esTokens["id_token"] as? String)).algorithm == .es256)
        }
    }
}
