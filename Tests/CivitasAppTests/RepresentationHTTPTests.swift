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

/// Powers of attorney through the node's HTTP stack: the API and pages, verification by anyone, and acting for a
/// principal at a relying party.
@Suite("Powers of attorney over HTTP")
struct RepresentationHTTPTests {
    static let csrf = OpenIDHTTPTests.csrf
    static let nino = PersonalNumber(serial: 1_001_011)
    static let giorgi = PersonalNumber(serial: 3_003_033)
    static let eka = PersonalNumber(serial: 4_004_044)
    static let company = try! RegistryCode("404040404")

    struct Fixture {
        let base: OpenIDHTTPTests.Fixture
        let pki: NationalPKI
        let entities: LegalEntityRegistry
        var client: any TestClientProtocol { base.client }

        func session(_ person: PersonalNumber) async throws -> String {
            try await base.sessions.open(
                Authentication(personalNumber: person, methods: [.password], authenticatedAt: Date()),
                userAgent: "test"
            ).token
        }

        func request(
            _ uri: String, _ method: HTTPRequest.Method = .get, session: String? = nil, json: Any? = nil,
            body: [UInt8]? = nil, type: String? = nil, accept: String = "application/json"
        ) async throws -> TestResponse {
            var headers: HTTPFields = [.accept: accept, .origin: "http://localhost"]
            var cookies = ["civitas_csrf=\(RepresentationHTTPTests.csrf)"]
            if let session { cookies.append("civitas_session=\(session)") }
            headers[.cookie] = cookies.joined(separator: "; ")
            var buffer: ByteBuffer?
            if let json {
                headers[.contentType] = "application/json"
                buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            } else if let body {
                headers[.contentType] = type ?? "application/pkcs7-signature"
                buffer = ByteBuffer(bytes: body)
            } else if method == .post {
                headers[.contentType] = "application/x-www-form-urlencoded"
                buffer = ByteBuffer(string: "_csrf=\(RepresentationHTTPTests.csrf)")
            }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        }

        /// A detached CAdES signature of `document` by a fresh qualified certificate of `person`.
        func sign(
            _ document: [UInt8], as person: PersonalNumber, profile: CertificateProfile = .citizenQualifiedSignature
        ) async throws -> [UInt8] {
            let key = P256.Signing.PrivateKey()
            let audit = AuditLog(database: base.database)
            let holder = try #require(
                try await PopulationRegister(database: base.database, audit: audit).person(person))
            let subject = try CitizenSubject.name(for: holder, semantics: .demoCountry)
            let stored = try await pki.issue(
                profile: profile, publicKey: Certificate.PublicKey(key.publicKey), subject: subject,
                actor: AuditActor(kind: .official, id: "test"))
            return try await CAdESSigner().sign(
                document, key: Certificate.PrivateKey(key), certificate: stored.certificate,
                chain: [try await pki.certificate(role: .citizensCA).certificate], level: .basic)
        }

        /// Nino drafts for Giorgi (registry-portal, a year), signs; Giorgi accepts. Returns the id.
        func acceptedPower(
            principal: String? = nil, by drafter: PersonalNumber = RepresentationHTTPTests.nino
        )
            async throws -> String
        {
            var body: [String: Any] = [
                "attorney": RepresentationHTTPTests.giorgi.rawValue, "services": ["registry-portal"],
                "validFrom": today.description,
                "validUntil": CalendarDate(daysSince1970: today.daysSince1970 + 365).description,
            ]
            if let principal { body["principal"] = principal }
            let drafterSession = try await session(drafter)
            let created = try await request("/api/powers-of-attorney", .post, session: drafterSession, json: body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try OpenIDHTTPTests.json(created)["id"] as? String)
            let document = try await request("/powers-of-attorney/\(id)/document", session: drafterSession)
            let signature = try await sign(Array(document.body.readableBytesView), as: drafter)
            let signed = try await request(
                "/powers-of-attorney/\(id)/signature", .post, session: drafterSession, body: signature)
            #expect(signed.status == .ok, "\(signed.text)")
            let accepted = try await request(
                "/powers-of-attorney/\(id)/accept", .post, session: try await session(RepresentationHTTPTests.giorgi),
                json: [String: String]())
            #expect(accepted.status == .ok, "\(accepted.text)")
            return id
        }

        var today: CalendarDate { CalendarDate(daysSince1970: Int(Date().timeIntervalSince1970 / 86_400)) }
    }

    static func with(
        _ engine: DatabaseEngine = .sqlite, _ body: @escaping @Sendable (Fixture) async throws -> Void
    ) async throws {
        try await TestNode.with(engine) { client, database, configuration in
            let pki = try Node.nationalPKI(configuration, database: database, logger: TestDatabase.logger)
            try await pki.initialise()
            let audit = AuditLog(database: database)
            let official = AuditActor(kind: .official, id: "test")
            let register = PopulationRegister(database: database, audit: audit)
            for (number, given, family, latin) in [
                (nino, "ნინო", "ბერიძე", ("Nino", "Beridze")),
                (giorgi, "გიორგი", "მაისურაძე", ("Giorgi", "Maisuradze")),
                (eka, "ეკა", "ლომიძე", ("Eka", "Lomidze")),
            ] {
                try await register.register(
                    Person(
                        personalNumber: number,
                        name: PersonName(given: given, family: family, givenLatin: latin.0, familyLatin: latin.1),
                        birthDate: try CalendarDate(year: 1985, month: 1, day: 2), sex: .female, citizenship: "CVT",
                        address: RegisteredAddress(
                            city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "1",
                            flat: nil,
                            postcode: "0179")), actor: official, purpose: "test")
            }
            let secret = try #require(
                try await RelyingPartyRegistry(database: database, audit: audit).register(
                    RelyingParty(
                        clientID: "registry-portal", name: "Civil Registry Portal",
                        redirectURIs: [OpenIDHTTPTests.redirect], scopes: ["openid", "profile", "age"],
                        authentication: .clientSecretBasic),
                    actor: official))
            let entities = LegalEntityRegistry(database: database, audit: audit)
            try await entities.register(
                LegalEntity(registryCode: company, name: "შპს ნიმუში", nameLatin: "Nimushi", legalForm: "LLC"),
                actor: official, purpose: "test")
            try await entities.record(
                Representative(
                    entity: company, personalNumber: nino, role: "director", right: .sole,
                    from: try CalendarDate("2020-01-01")), actor: official, purpose: "test")
            let base = OpenIDHTTPTests.Fixture(
                client: client, database: database, secret: secret,
                sessions: SessionStore(database: database, audit: audit))
            try await body(Fixture(base: base, pki: pki, entities: entities))
        }
    }

    @Test(
        "draft, sign, accept over the API; anyone verifies the JSON, the page in three languages and the files",
        arguments: DatabaseEngine.allCases)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { fixture in
            let nino = try await fixture.session(Self.nino)
            let giorgi = try await fixture.session(Self.giorgi)
            let created = try await fixture.request(
                "/api/powers-of-attorney", .post, session: nino,
                json: [
                    "attorney": Self.giorgi.rawValue, "services": ["registry-portal"],
                    "validFrom": fixture.today.description,
                    "validUntil": CalendarDate(daysSince1970: fixture.today.daysSince1970 + 30).description,
                ] as [String: Any])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try OpenIDHTTPTests.json(created)["id"] as? String)
            #expect(created.headers[.location] == "/powers-of-attorney/\(id)")
            #expect(try await fixture.request("/powers-of-attorney/\(id)").status == .notFound, "a draft is private")
            #expect(
                try await fixture.request("/powers-of-attorney/\(id)", session: giorgi).status == .notFound,
                "even to the attorney")
            let document = try await fixture.request("/powers-of-attorney/\(id)/document", session: nino)
            #expect(document.headers[.contentType] == "application/json")
            let bytes = Array(document.body.readableBytesView)
            #expect(try PowerOfAttorneyDocument(decoding: bytes).attorney == Self.giorgi)

            let signature = try await fixture.sign(bytes, as: Self.nino)
            let byAttorney = try await fixture.request(
                "/powers-of-attorney/\(id)/signature", .post, session: giorgi, body: signature)
            #expect(byAttorney.status == .forbidden)
            let anonymous = try await fixture.request("/powers-of-attorney/\(id)/signature", .post, body: signature)
            #expect(anonymous.status == .unauthorized)
            let signed = try await fixture.request(
                "/powers-of-attorney/\(id)/signature", .post, session: nino, body: signature)
            #expect(signed.status == .ok, "\(signed.text)")
            #expect(try OpenIDHTTPTests.json(signed)["state"] as? String == "signed")

            let accepted = try await fixture.request(
                "/powers-of-attorney/\(id)/accept", .post, session: giorgi, json: [String: String]())
            #expect(accepted.status == .ok, "\(accepted.text)")

            let verified = try OpenIDHTTPTests.json(try await fixture.request("/powers-of-attorney/\(id)"))
            #expect(verified["validNow"] as? Bool == true)
            #expect(verified["state"] as? String == "accepted")
            #expect(verified["services"] as? [String] == ["registry-portal"])
            #expect((verified["principal"] as? [String: String])?["name"] == "Nino Beridze")
            #expect((verified["attorney"] as? [String: String])?["personalNumber"] == Self.giorgi.rawValue)
            let report = try #require(verified["signature"] as? [String: Any])
            #expect(report["indication"] as? String == "TOTAL-PASSED")
            #expect(report["qualified"] as? Bool == true)
            #expect((report["signer"] as? String)?.contains(Self.nino.rawValue) == true, "\(report)")
            let download = try await fixture.request("/powers-of-attorney/\(id)/signature")
            #expect(Array(download.body.readableBytesView) == signature)
            #expect(download.headers[.contentType] == "application/pkcs7-signature")

            for (language, text) in [("en", "Valid now"), ("ka", "ამჟამად მოქმედია"), ("ko", "현재 유효함")] {
                let page = try await fixture.request("/powers-of-attorney/\(id)?lang=\(language)", accept: "text/html")
                #expect(page.status == .ok)
                #expect(page.text.contains(text), "\(language)")
                // The page carries a QR code of its own address, as one SVG path with an accessible name.
                #expect(page.text.contains(#"<svg"#) && page.text.contains(#"role="img""#), "\(language)")
                #expect(page.text.contains("Nino Beridze"))
            }
            let own = try await fixture.request("/account/powers", session: giorgi, accept: "text/html")
            #expect(own.text.contains("/powers-of-attorney/\(id)"))
            let lists = try OpenIDHTTPTests.json(try await fixture.request("/api/powers-of-attorney", session: nino))
            #expect((lists["given"] as? [[String: Any]])?.first?["id"] as? String == id)
            #expect((lists["held"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("every state-changing route refuses the wrong person, no session, garbage and unknown ids")
    func refusals() async throws {
        try await Self.with { fixture in
            let nino = try await fixture.session(Self.nino)
            let giorgi = try await fixture.session(Self.giorgi)
            let eka = try await fixture.session(Self.eka)
            let id = try await fixture.acceptedPower()
            let attempts: [(String, String?, HTTPResponse.Status)] = [
                ("accept", nino, .forbidden), ("accept", eka, .forbidden), ("accept", nil, .unauthorized),
                ("revoke", giorgi, .forbidden), ("revoke", eka, .forbidden), ("revoke", nil, .unauthorized),
                ("renounce", nino, .forbidden), ("renounce", eka, .forbidden), ("renounce", nil, .unauthorized),
            ]
            for (verb, session, status) in attempts {
                let answer = try await fixture.request(
                    "/powers-of-attorney/\(id)/\(verb)", .post, session: session, json: [String: String]())
                #expect(answer.status == status, "\(verb) as \(session ?? "nobody"): \(answer.text)")
            }
            #expect(
                try await fixture.request("/powers-of-attorney/AAAAAAAAAAAAAAAAAAAAAA/accept", .post, session: giorgi)
                    .status == .notFound)
            #expect(try await fixture.request("/powers-of-attorney/nope").status == .notFound)
            #expect(
                try await fixture.request("/powers-of-attorney/AAAAAAAAAAAAAAAAAAAAAA/document").status == .notFound)

            let attorney = Self.giorgi.rawValue
            let bodies: [Any] = [
                ["attorney": "123"] as [String: Any],
                ["attorney": attorney, "services": [String](), "validFrom": "x", "validUntil": "y"] as [String: Any],
                ["attorney": attorney, "services": ["*"], "validFrom": "2026-02-30", "validUntil": "2027-01-01"]
                    as [String: Any],
                [
                    "attorney": attorney, "services": ["*"], "validFrom": "2026-01-01", "validUntil": "2027-01-01",
                    "principal": "organisation:999",
                ] as [String: Any],
                [1, 2],
            ]
            for bad in bodies {
                let answer = try await fixture.request("/api/powers-of-attorney", .post, session: nino, json: bad)
                #expect(answer.status == .badRequest, "\(bad): \(answer.text)")
            }
            let truncated = try await fixture.request(
                "/api/powers-of-attorney", .post, session: nino, body: Array("{\"attorney\":".utf8),
                type: "application/json")
            #expect(truncated.status == .badRequest)
            let forCompany = try await fixture.request(
                "/api/powers-of-attorney", .post, session: eka,
                json: [
                    "attorney": Self.giorgi.rawValue, "services": ["*"], "validFrom": fixture.today.description,
                    "validUntil": fixture.today.description, "principal": "organisation:\(Self.company)",
                ] as [String: Any])
            #expect(forCompany.status == .forbidden, "Eka does not represent the company")

            // A draft: garbage uploads are refused with 422, a multipart form without its token with 403.
            let draft = try await fixture.request(
                "/api/powers-of-attorney", .post, session: nino,
                json: [
                    "attorney": Self.eka.rawValue, "services": ["*"], "validFrom": fixture.today.description,
                    "validUntil": fixture.today.description,
                ] as [String: Any])
            let draftID = try #require(try OpenIDHTTPTests.json(draft)["id"] as? String)
            let garbage = try await fixture.request(
                "/powers-of-attorney/\(draftID)/signature", .post, session: nino, body: Array("garbage".utf8))
            #expect(garbage.status == .unprocessableContent, "\(garbage.text)")
            let wrongDocument = try await fixture.request(
                "/powers-of-attorney/\(draftID)/signature", .post, session: nino,
                body: try await fixture.sign(Array("another document".utf8), as: Self.nino))
            #expect(wrongDocument.status == .unprocessableContent)
            let boundary = "XyZ"
            let document = Array(
                try await fixture.request("/powers-of-attorney/\(draftID)/document", session: nino).body
                    .readableBytesView)
            let signature = try await fixture.sign(document, as: Self.nino)
            func multipart(csrf: String) -> [UInt8] {
                Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8)
                    + Array(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"signature\"; filename=\"x.p7s\"\r\n"
                            .utf8)
                    + Array("Content-Type: application/pkcs7-signature\r\n\r\n".utf8) + signature
                    + Array("\r\n--\(boundary)--\r\n".utf8)
            }
            let type = "multipart/form-data; boundary=\(boundary)"
            let forged = try await fixture.request(
                "/powers-of-attorney/\(draftID)/signature", .post, session: nino,
                body: multipart(csrf: String(repeating: "d", count: 43)), type: type, accept: "text/html")
            #expect(forged.status == .forbidden)
            let broken = try await fixture.request(
                "/powers-of-attorney/\(draftID)/signature", .post, session: nino, body: Array("--XyZ\r\n".utf8),
                type: type)
            #expect(broken.status == .badRequest)
            let uploaded = try await fixture.request(
                "/powers-of-attorney/\(draftID)/signature", .post, session: nino, body: multipart(csrf: Self.csrf),
                type: type, accept: "text/html")
            #expect(uploaded.status == .seeOther, "\(uploaded.text)")
            #expect(uploaded.headers[.location] == "/powers-of-attorney/\(draftID)")
        }
    }

    @Test(
        "an attorney chooses the principal after login; the tokens carry sub of the principal and act of the actor",
        arguments: DatabaseEngine.allCases)
    func actingAtARelyingParty(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { fixture in
            let id = try await fixture.acceptedPower()
            let giorgi = try await fixture.session(Self.giorgi)
            let query = OpenIDHTTPTests.query()
            let first = try await fixture.base.get("/oidc/authorize?\(encode(query))", session: giorgi)
            #expect(first.status == .ok)
            #expect(first.text.contains("action=\"/oidc/authorize/act\""), "the choice is offered")
            #expect(first.text.contains("person:\(Self.nino.rawValue)"))
            let request = try #require(first.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            func choose(_ principal: String) async throws -> TestResponse {
                try await fixture.client.execute(
                    uri: "/oidc/authorize/act", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                        .cookie: "civitas_session=\(giorgi); civitas_csrf=\(Self.csrf)",
                    ],
                    body: ByteBuffer(string: "_csrf=\(Self.csrf)&request=\(request)&principal=\(principal)"))
            }
            let refused = try await choose("organisation:\(Self.company)")
            #expect(refused.status == .forbidden, "Giorgi cannot act for the company")
            let chosen = try await choose("person:\(Self.nino.rawValue)")
            #expect(chosen.headers[.location] == "/oidc/authorize/resume?request=\(request)")
            let resumed = try await fixture.base.get(chosen.headers[.location]!, session: giorgi)
            let code = try await Self.consent(fixture, resumed, session: giorgi)
            let tokens = try OpenIDHTTPTests.json(try await fixture.base.exchange(code))
            let claims = try JSONWebSignature(compact: try #require(tokens["id_token"] as? String)).claims()
            let access = try #require(tokens["access_token"] as? String)
            let accessClaims = try JSONWebSignature(compact: access).claims()
            let ninoSubject = try await Self.subject(fixture, Self.nino)
            let giorgiSubject = try await Self.subject(fixture, Self.giorgi)
            #expect(claims["sub"] as? String == ninoSubject)
            #expect((claims["act"] as? [String: Any])?["sub"] as? String == giorgiSubject)
            #expect((accessClaims["act"] as? [String: Any])?["sub"] as? String == giorgiSubject)
            let info = try OpenIDHTTPTests.json(
                try await fixture.client.execute(
                    uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"]))
            #expect(info["sub"] as? String == ninoSubject)
            #expect(info["given_name"] as? String == "Nino", "the principal's claims")
            #expect((info["act"] as? [String: Any])?["sub"] as? String == giorgiSubject)
            let entries = try await AuditLog(database: fixture.base.database).entries(
                about: DataSubject(kind: "person", identifier: Self.nino.rawValue), limit: 50
            ).entries
            #expect(
                entries.contains {
                    $0.event.action == "identity.representation.act" && $0.event.actor.id == Self.giorgi.rawValue
                        && $0.event.actor.onBehalfOf == "person:\(Self.nino.rawValue)"
                })

            // Revoked: refresh and userinfo stop working for the principal.
            let nino = try await fixture.session(Self.nino)
            #expect(
                try await fixture.request(
                    "/powers-of-attorney/\(id)/revoke", .post, session: nino, json: [String: String]()
                )
                .status == .ok)
            let refreshed = try await fixture.base.form(
                "/oidc/token",
                ["grant_type": "refresh_token", "refresh_token": try #require(tokens["refresh_token"] as? String)],
                headers: [
                    .authorization: "Basic " + Data("registry-portal:\(fixture.base.secret)".utf8).base64EncodedString()
                ])
            #expect(try OpenIDHTTPTests.json(refreshed)["error"] as? String == "invalid_grant")
            let after = try await fixture.client.execute(
                uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(after.status == .unauthorized)
        }
    }

    @Test("a sole director acts for the company: sub is organisation:<code>, the claims are the company's")
    func actingForACompany() async throws {
        try await Self.with { fixture in
            let nino = try await fixture.session(Self.nino)
            let first = try await fixture.base.get("/oidc/authorize?\(encode(OpenIDHTTPTests.query()))", session: nino)
            let request = try #require(first.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            let chosen = try await fixture.client.execute(
                uri: "/oidc/authorize/act", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                    .cookie: "civitas_session=\(nino); civitas_csrf=\(Self.csrf)",
                ],
                body: ByteBuffer(string: "_csrf=\(Self.csrf)&request=\(request)&principal=organisation:\(Self.company)")
            )
            let resumed = try await fixture.base.get(try #require(chosen.headers[.location]), session: nino)
            let code = try await Self.consent(fixture, resumed, session: nino)
            let tokens = try OpenIDHTTPTests.json(try await fixture.base.exchange(code))
            let access = try #require(tokens["access_token"] as? String)
            let info = try OpenIDHTTPTests.json(
                try await fixture.client.execute(
                    uri: "/oidc/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"]))
            #expect(info["sub"] as? String == "organisation:\(Self.company)")
            #expect(info["subject_type"] as? String == "organisation")
            #expect(info["name"] as? String == "Nimushi")
            #expect((info["act"] as? [String: Any])?["sub"] as? String == (try await Self.subject(fixture, Self.nino)))

            // Someone with nobody to act for goes straight on, as before.
            let eka = try await fixture.session(Self.eka)
            let direct = try await fixture.base.get("/oidc/authorize?\(encode(OpenIDHTTPTests.query()))", session: eka)
            #expect(!direct.text.contains("/oidc/authorize/act"))
        }
    }

    @Test("after login a representative chooses whom they act for on Civitas's pages; others go straight on")
    func actingOnCivitasPages() async throws {
        try await Self.with { fixture in
            let nino = try await fixture.session(Self.nino)
            let page = try await fixture.request(
                "/account/acting?return=%2Faccount%2Fpowers", session: nino, accept: "text/html")
            #expect(page.status == .ok)
            #expect(page.text.contains("organisation:\(Self.company)"))
            func choose(_ session: String, _ principal: String) async throws -> TestResponse {
                try await fixture.client.execute(
                    uri: "/account/acting", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                        .cookie: "civitas_session=\(session); civitas_csrf=\(Self.csrf)",
                    ],
                    body: ByteBuffer(string: "_csrf=\(Self.csrf)&principal=\(principal)&return=%2Faccount%2Fpowers"))
            }
            let chosen = try await choose(nino, "organisation:\(Self.company)")
            #expect(chosen.headers[.location] == "/account/powers")
            let powers = try await fixture.request("/account/powers", session: nino, accept: "text/html")
            #expect(powers.text.contains("Nimushi LLC"))
            let eka = try await fixture.session(Self.eka)
            let skipped = try await fixture.request(
                "/account/acting?return=%2Faccount", session: eka, accept: "text/html")
            #expect(skipped.headers[.location] == "/account", "nobody to choose: straight on")
            #expect(try await choose(eka, "organisation:\(Self.company)").status == .forbidden)
            #expect(try await choose(eka, "person:garbage").status == .badRequest)
            let entries = try await AuditLog(database: fixture.base.database).entries(
                about: DataSubject(kind: "organisation", identifier: Self.company.rawValue), limit: 20
            ).entries
            #expect(entries.contains { $0.event.action == "identity.representation.act" })
        }
    }

    /// Agrees on the consent page `page` (or follows a redirect) and returns the code.
    static func consent(_ fixture: Fixture, _ page: TestResponse, session: String) async throws -> String {
        var location = page.headers[.location] ?? ""
        if page.status == .ok {
            let request = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            let consent = try await fixture.client.execute(
                uri: "/oidc/authorize/consent", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                    .cookie: "civitas_session=\(session); civitas_csrf=\(csrf)",
                ],
                body: ByteBuffer(string: "_csrf=\(csrf)&request=\(request)&decision=allow&scope=profile&scope=age"))
            location = try #require(consent.headers[.location])
        }
        let items = URLComponents(string: location)?.queryItems ?? []
        return try #require(items.first { $0.name == "code" }?.value, "\(location)")
    }

    /// A person's `sub`, as the provider makes it.
    static func subject(_ fixture: Fixture, _ person: PersonalNumber) async throws -> String {
        let database = fixture.base.database
        let audit = AuditLog(database: database)
        return try await OpenIDProvider(
            issuer: "http://127.0.0.1:8080", database: database, audit: audit,
            keys: SigningKeys(database: database, keyStore: fixture.pki.keyStore),
            population: PopulationRegister(database: database, audit: audit)
        ).subject(for: person)
    }
}
