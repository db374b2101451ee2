import Audit
import CivitasApp
import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Storage
import StorageTesting
import Testing
import Trust
import X509

/// The OpenID Connect provider through the node's HTTP stack, with sessions opened the way a login opens them.
@Suite("OpenID Connect provider over HTTP")
struct OpenIDHTTPTests {
    static let redirect = "https://rp.example/callback"
    static let csrf = String(repeating: "c", count: 43)
    static let person = PersonalNumber(serial: 1_001_011)

    /// A node with a registered person and two relying parties (confidential and public).
    struct Fixture {
        let client: any TestClientProtocol
        let database: Database
        let secret: String
        let sessions: SessionStore

        func session(_ methods: Set<AuthenticationMethod> = [.password], at date: Date = Date()) async throws -> String
        {
            try await sessions.open(
                Authentication(personalNumber: OpenIDHTTPTests.person, methods: methods, authenticatedAt: date),
                userAgent: "test"
            ).token
        }

        func get(_ uri: String, session: String? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [.accept: "text/html"]
            if let session { headers[.cookie] = "civitas_session=\(session)" }
            return try await client.execute(uri: uri, method: .get, headers: headers)
        }

        func form(
            _ uri: String, _ fields: [String: String], headers extra: HTTPFields = [:]
        ) async throws -> TestResponse {
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"]
            for field in extra { headers.append(field) }
            return try await client.execute(
                uri: uri, method: .post, headers: headers, body: ByteBuffer(string: encode(fields)))
        }

        /// Runs authorize → consent → code for `query`; returns the code.
        func code(_ query: [String: String], session: String) async throws -> String {
            let first = try await get("/oidc/authorize?\(encode(query))", session: session)
            var location = first.headers[.location] ?? ""
            if first.status == .ok {
                let request = try #require(first.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
                let consent = try await client.execute(
                    uri: "/oidc/authorize/consent", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                        .cookie: "civitas_session=\(session); civitas_csrf=\(OpenIDHTTPTests.csrf)",
                    ],
                    body: ByteBuffer(
                        string:
                            "_csrf=\(OpenIDHTTPTests.csrf)&request=\(request)&decision=allow&scope=profile&scope=age"))
                location = try #require(consent.headers[.location])
            }
            #expect(location.hasPrefix(OpenIDHTTPTests.redirect), "\(location)")
            let items = URLComponents(string: location)?.queryItems ?? []
            #expect(items.first { $0.name == "iss" }?.value == "http://127.0.0.1:8080")
            #expect(items.first { $0.name == "state" }?.value == query["state"])
            return try #require(items.first { $0.name == "code" }?.value, "\(location)")
        }

        func exchange(_ code: String, verifier: String? = nil, basic: Bool = true) async throws -> TestResponse {
            var fields = ["grant_type": "authorization_code", "code": code, "redirect_uri": OpenIDHTTPTests.redirect]
            var headers: HTTPFields = [:]
            if basic {
                headers[.authorization] = "Basic " + Data("registry-portal:\(secret)".utf8).base64EncodedString()
            } else {
                fields["client_id"] = "mobile-app"
            }
            if let verifier { fields["code_verifier"] = verifier }
            return try await form("/oidc/token", fields, headers: headers)
        }
    }

    static func with(
        _ engine: DatabaseEngine = .sqlite, configure: (inout NodeConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (Fixture) async throws -> Void
    )
        async throws
    {
        try await TestNode.with(engine, configure: configure) { client, database, configuration in
            try await Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger).initialise()
            let audit = AuditLog(database: database)
            let official = AuditActor(kind: .official, id: "test")
            try await PopulationRegister(database: database, audit: audit).register(
                Person(
                    personalNumber: person,
                    name: PersonName(given: "ნინო", family: "ბერიძე", givenLatin: "Nino", familyLatin: "Beridze"),
                    birthDate: try CalendarDate(year: 1990, month: 3, day: 8), sex: .female, citizenship: "CVT",
                    address: RegisteredAddress(
                        city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "12", flat: 7,
                        postcode: "0179")), actor: official, purpose: "test")
            let registry = RelyingPartyRegistry(database: database, audit: audit)
            let secret = try #require(
                try await registry.register(
                    RelyingParty(
                        clientID: "registry-portal", name: "Civil Registry Portal", redirectURIs: [redirect],
                        postLogoutRedirectURIs: ["https://rp.example/bye"],
                        scopes: ["openid", "profile", "age", "address", "api.read"], authentication: .clientSecretBasic),
                    actor: official))
            try await registry.register(
                RelyingParty(
                    clientID: "mobile-app", name: "Mobile App", redirectURIs: [redirect],
                    scopes: ["openid", "profile"],
                    authentication: .none),
                actor: official)
            try await body(
                Fixture(
                    client: client, database: database, secret: secret,
                    sessions: SessionStore(database: database, audit: audit)))
        }
    }

    static func query(_ extra: [String: String] = [:]) -> [String: String] {
        var query = [
            "response_type": "code", "client_id": "registry-portal", "redirect_uri": redirect,
            "scope": "openid profile age", "state": "s-123", "nonce": "n-456",
        ]
        for (name, value) in extra { query[name] = value }
        return query
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test(
        "the code flow: login redirect, consent, code, tokens whose ID token verifies with the JWKS, userinfo",
        arguments: DatabaseEngine.allCases)
    func codeFlow(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { fixture in
            let discovery = try Self.json(try await fixture.get("/.well-known/openid-configuration"))
            #expect(discovery["issuer"] as? String == "http://127.0.0.1:8080")
            #expect(discovery["code_challenge_methods_supported"] as? [String] == ["S256"])

            let anonymous = try await fixture.get("/oidc/authorize?\(encode(Self.query()))")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/login?return=") == true)

            let session = try await fixture.session()
            let code = try await fixture.code(Self.query(), session: session)
            let tokens = try await fixture.exchange(code)
            #expect(tokens.status == .ok, "\(tokens.text)")
            #expect(tokens.headers[.cacheControl] == "no-store")
            let body = try Self.json(tokens)
            let idToken = try #require(body["id_token"] as? String)
            let access = try #require(body["access_token"] as? String)
            #expect(body["refresh_token"] is String)

            // The ID token verifies with a key from the JWKS, and says what it should.
            let jwks = try Self.json(try await fixture.get("/oidc/jwks"))
            let keys = try JSONDecoder().decode(
                [JSONWebKey].self, from: JSONSerialization.data(withJSONObject: jwks["keys"] as Any))
            let jws = try JSONWebSignature(compact: idToken)
            let key = try #require(keys.first { $0.kid == jws.keyID })
            #expect(key.verifies(jws.signature, over: jws.signingInput, algorithm: .es256))
            let claims = try jws.claims()
            #expect(claims["aud"] as? String == "registry-portal")
            #expect(claims["nonce"] as? String == "n-456")
            #expect(claims["acr"] as? String == LevelOfAssurance.low.acr)
            #expect(claims["amr"] as? [String] == ["pwd"])
            #expect(
                claims["at_hash"] as? String == Base64URL.encode(Array(SHA256.hash(data: Data(access.utf8))).prefix(16))
            )

            for method in [HTTPRequest.Method.get, .post] {
                let info = try await fixture.client.execute(
                    uri: "/oidc/userinfo", method: method, headers: [.authorization: "Bearer \(access)"])
                #expect(info.status == .ok)
                let userinfo = try Self.json(info)
                #expect(userinfo["sub"] as? String == claims["sub"] as? String)
                #expect(userinfo["given_name"] as? String == "Nino")
                #expect(userinfo["family_name#ka"] as? String == "ბერიძე")
                #expect(userinfo["age_over_18"] as? Bool == true)
                #expect(userinfo["address"] == nil, "address was not asked for")
            }
        }
    }

    @Test("a code works once; its second use is refused and revokes what the first gave")
    func codeReuse() async throws {
        try await Self.with { fixture in
            let code = try await fixture.code(Self.query(), session: try await fixture.session())
            let first = try Self.json(try await fixture.exchange(code))
            let access = try #require(first["access_token"] as? String)
            let again = try await fixture.exchange(code)
            #expect(again.status == .badRequest)
            #expect(try Self.json(again)["error"] as? String == "invalid_grant")
            let info = try await fixture.client.execute(
                uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(info.status == .unauthorized)
            #expect(info.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
        }
    }

    @Test("refresh tokens rotate; an old one coming back revokes the whole grant")
    func refreshRotation() async throws {
        try await Self.with { fixture in
            let code = try await fixture.code(Self.query(), session: try await fixture.session())
            let first = try Self.json(try await fixture.exchange(code))
            let basic: HTTPFields = [
                .authorization: "Basic " + Data("registry-portal:\(fixture.secret)".utf8).base64EncodedString()
            ]
            let old = try #require(first["refresh_token"] as? String)
            let rotated = try await fixture.form(
                "/oidc/token", ["grant_type": "refresh_token", "refresh_token": old], headers: basic)
            #expect(rotated.status == .ok, "\(rotated.text)")
            let second = try Self.json(rotated)
            let new = try #require(second["refresh_token"] as? String)
            #expect(new != old)
            let replay = try await fixture.form(
                "/oidc/token", ["grant_type": "refresh_token", "refresh_token": old], headers: basic)
            let refused = try Self.json(replay)
            #expect(refused["error"] as? String == "invalid_grant")
            #expect((refused["error_description"] as? String)?.contains("used already") == true, "\(refused)")
            let entries = try await AuditLog(database: fixture.database).entries(from: 1, limit: 500)
            #expect(entries.contains { $0.event.action == "identity.oidc.refresh-reuse" }, "the reuse is audited")
            let afterReplay = try await fixture.form(
                "/oidc/token", ["grant_type": "refresh_token", "refresh_token": new], headers: basic)
            #expect(try Self.json(afterReplay)["error"] as? String == "invalid_grant", "the family is revoked")
        }
    }

    @Test("PKCE: a public client must send S256; a wrong verifier and a downgrade are refused")
    func pkce() async throws {
        try await Self.with { fixture in
            let session = try await fixture.session()
            let verifier = String(repeating: "v", count: 50)
            let challenge = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
            var publicQuery = Self.query(["client_id": "mobile-app", "scope": "openid profile"])
            let missing = try await fixture.get("/oidc/authorize?\(encode(publicQuery))", session: session)
            #expect(missing.headers[.location]?.contains("error=invalid_request") == true)
            publicQuery["code_challenge"] = challenge
            publicQuery["code_challenge_method"] = "plain"
            let plain = try await fixture.get("/oidc/authorize?\(encode(publicQuery))", session: session)
            #expect(plain.headers[.location]?.contains("error=invalid_request") == true)
            publicQuery["code_challenge_method"] = "S256"
            let code = try await fixture.code(publicQuery, session: session)
            let wrong = try await fixture.exchange(code, verifier: String(repeating: "w", count: 50), basic: false)
            #expect(try Self.json(wrong)["error"] as? String == "invalid_grant")
            let code2 = try await fixture.code(publicQuery, session: session)
            let right = try await fixture.exchange(code2, verifier: verifier, basic: false)
            #expect(right.status == .ok, "\(right.text)")
            // A verifier for a code that had no challenge: a downgrade attempt.
            let plainCode = try await fixture.code(Self.query(), session: session)
            let downgrade = try await fixture.exchange(plainCode, verifier: verifier)
            #expect(try Self.json(downgrade)["error"] as? String == "invalid_grant")
        }
    }

    @Test("unregistered redirect URIs get an error page, never a redirect; other errors go back with state")
    func errors() async throws {
        try await Self.with { fixture in
            for query in [
                Self.query(["redirect_uri": "https://evil.example/callback"]),
                Self.query(["redirect_uri": Self.redirect + "/more"]), Self.query(["client_id": "nobody"]),
            ] {
                let response = try await fixture.get("/oidc/authorize?\(encode(query))")
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
            }
            let session = try await fixture.session()
            let cases: [([String: String], String)] = [
                (["response_type": "token"], "unsupported_response_type"),
                (["scope": "profile"], "invalid_scope"), (["scope": "openid payroll"], "invalid_scope"),
                (["prompt": "none login"], "invalid_request"), (["request": "eyJ"], "request_not_supported"),
            ]
            for (extra, error) in cases {
                let response = try await fixture.get("/oidc/authorize?\(encode(Self.query(extra)))", session: session)
                let location = try #require(response.headers[.location], "\(extra)")
                #expect(location.hasPrefix(Self.redirect) && location.contains("error=\(error)"), "\(location)")
                #expect(location.contains("state=s-123"))
            }
            let repeated = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query()))&scope=openid", session: session)
            #expect(repeated.headers[.location]?.contains("error=invalid_request") == true)
        }
    }

    @Test("prompt=none, prompt=login, max_age and acr_values decide when the person must log in again")
    func loginDecisions() async throws {
        try await Self.with { fixture in
            let none = try await fixture.get("/oidc/authorize?\(encode(Self.query(["prompt": "none"])))")
            #expect(none.headers[.location]?.contains("error=login_required") == true)
            let old = try await fixture.session(at: Date().addingTimeInterval(-3600))
            let fresh = try await fixture.session()
            let maxAge = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query(["max_age": "600"])))", session: old)
            #expect(maxAge.headers[.location]?.hasPrefix("/login") == true)
            let login = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query(["prompt": "login"])))", session: fresh)
            #expect(login.headers[.location]?.hasPrefix("/login") == true)
            let high = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query(["acr_values": LevelOfAssurance.high.acr])))", session: fresh)
            #expect(high.headers[.location]?.contains("level=3") == true)
            // Consent not given yet and prompt=none: consent_required, not a screen.
            let silent = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query(["prompt": "none"])))", session: fresh)
            #expect(silent.headers[.location]?.contains("error=consent_required") == true)
            // Once consented, prompt=none goes straight back with a code.
            _ = try await fixture.code(Self.query(), session: fresh)
            let again = try await fixture.get(
                "/oidc/authorize?\(encode(Self.query(["prompt": "none"])))", session: fresh)
            #expect(again.headers[.location]?.contains("code=") == true)
        }
    }

    @Test("the token endpoint refuses wrong clients, secrets, methods and grants")
    func tokenRefusals() async throws {
        try await Self.with { fixture in
            let code = try await fixture.code(Self.query(), session: try await fixture.session())
            let wrongSecret: HTTPFields = [
                .authorization: "Basic " + Data("registry-portal:nope".utf8).base64EncodedString()
            ]
            let refused = try await fixture.form(
                "/oidc/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect],
                headers: wrongSecret)
            #expect(refused.status == .unauthorized)
            #expect(try Self.json(refused)["error"] as? String == "invalid_client")
            let postInsteadOfBasic = try await fixture.form(
                "/oidc/token",
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect,
                    "client_id": "registry-portal", "client_secret": fixture.secret,
                ])
            #expect(try Self.json(postInsteadOfBasic)["error"] as? String == "invalid_client")
            let publicTakesIt = try await fixture.exchange(code, basic: false)
            #expect(try Self.json(publicTakesIt)["error"] as? String == "invalid_grant", "issued to another client")
            let unknownGrant = try await fixture.form(
                "/oidc/token", ["grant_type": "password"],
                headers: [
                    .authorization: "Basic " + Data("registry-portal:\(fixture.secret)".utf8).base64EncodedString()
                ])
            #expect(try Self.json(unknownGrant)["error"] as? String == "unsupported_grant_type")
            let credentials = try await fixture.form(
                "/oidc/token", ["grant_type": "client_credentials", "scope": "api.read"],
                headers: [
                    .authorization: "Basic " + Data("registry-portal:\(fixture.secret)".utf8).base64EncodedString()
                ])
            #expect(credentials.status == .ok, "\(credentials.text)")
            let bad = try await fixture.client.execute(
                uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer not.a.token"])
            #expect(bad.status == .unauthorized)
        }
    }
}

/// `application/x-www-form-urlencoded` of `fields`, sorted for stable URLs.
func encode(_ fields: [String: String]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return fields.sorted { $0.key < $1.key }.map {
        "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
    }.joined(separator: "&")
}

@Suite("OpenID Connect: private_key_jwt, the claims parameter and logout")
struct OpenIDClientAssertionTests {
    static let redirect = OpenIDHTTPTests.redirect

    @Test("a private_key_jwt client authenticates once per assertion; a replayed or foreign-signed one is refused")
    func privateKeyJWT() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let key = P256.Signing.PrivateKey()
            let jwk = try JSONWebKey(publicKey: .init(key.publicKey), kid: "rp-1", algorithm: .es256)
            let jwks = String(decoding: try JSONEncoder().encode(["keys": [jwk]]), as: UTF8.self)
            try await RelyingPartyRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
                .register(
                    RelyingParty(
                        clientID: "bank", name: "A Bank", redirectURIs: [Self.redirect], scopes: ["openid", "profile"],
                        authentication: .privateKeyJWT), jwks: jwks, actor: AuditActor(kind: .official, id: "t"))
            func assertion(signedBy signer: P256.Signing.PrivateKey, jti: String) async throws -> String {
                let now = Int(Date().timeIntervalSince1970)
                return try await JSONWebSignature.sign(
                    claims: [
                        "iss": "bank", "sub": "bank", "aud": "http://127.0.0.1:8080/oidc/token", "jti": jti,
                        "iat": now, "exp": now + 60,
                    ], key: .init(signer), keyID: "rp-1", algorithm: .es256)
            }
            let session = try await fixture.session()
            var query = OpenIDHTTPTests.query(["client_id": "bank", "scope": "openid profile"])
            query["claims"] = #"{"id_token":{"given_name":null,"birthdate":{"essential":true}}}"#
            func exchange(_ assertion: String) async throws -> TestResponse {
                let code = try await fixture.code(query, session: session)
                return try await fixture.form(
                    "/oidc/token",
                    [
                        "grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect,
                        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion": assertion,
                    ])
            }
            let first = try await assertion(signedBy: key, jti: "a-1")
            let accepted = try await exchange(first)
            #expect(accepted.status == .ok, "\(accepted.text)")
            // The claims parameter put the asked-for claims into the ID token.
            let idToken = try #require(try OpenIDHTTPTests.json(accepted)["id_token"] as? String)
            let claims = try JSONWebSignature(compact: idToken).claims()
            #expect(claims["given_name"] as? String == "Nino")
            #expect(claims["birthdate"] as? String == "1990-03-08")
            #expect(claims["family_name"] == nil, "only what was asked for")
            let replayed = try await exchange(first)
            #expect(replayed.status == .unauthorized)
            let foreign = try await exchange(try await assertion(signedBy: P256.Signing.PrivateKey(), jti: "a-2"))
            #expect(try OpenIDHTTPTests.json(foreign)["error"] as? String == "invalid_client")
        }
    }

    @Test("RP-initiated logout ends the session and returns only to a registered URI")
    func logout() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let session = try await fixture.session()
            let code = try await fixture.code(OpenIDHTTPTests.query(), session: session)
            let idToken = try #require(
                try OpenIDHTTPTests.json(try await fixture.exchange(code))["id_token"] as? String)
            let foreign = try await fixture.get(
                "/oidc/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
                session: session)
            #expect(foreign.headers[.location] == "/")
            let session2 = try await fixture.session()
            let registered = try await fixture.get(
                "/oidc/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=x",
                session: session2)
            #expect(registered.headers[.location] == "https://rp.example/bye?state=x")
            #expect(try await fixture.sessions.session(token: session2) == nil)
        }
    }
}
