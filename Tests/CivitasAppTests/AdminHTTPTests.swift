import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Testing

/// The admin pages through the node's HTTP stack, and the ``OfficialPolicy`` on every one of their routes.
@Suite("Admin pages and the officials' policy")
struct AdminHTTPTests {
    static let csrf = OpenIDHTTPTests.csrf
    static let admin = PersonalNumber(serial: 3_003_033)
    static let clerk = PersonalNumber(serial: 4_004_044)
    static let strong: Set<AuthenticationMethod> = [.password, .oneTimePassword]

    static func session(
        _ fixture: OpenIDHTTPTests.Fixture, _ person: PersonalNumber, _ methods: Set<AuthenticationMethod> = strong
    ) async throws -> String {
        try await fixture.sessions.open(
            Authentication(personalNumber: person, methods: methods, authenticatedAt: Date()), userAgent: "test"
        ).token
    }

    static func send(
        _ fixture: OpenIDHTTPTests.Fixture, _ method: HTTPRequest.Method, _ uri: String, session: String?,
        form: [String: String] = [:], language: String = "en"
    ) async throws -> TestResponse {
        var cookies = ["civitas_csrf=\(csrf)", "civitas_lang=\(language)"]
        if let session { cookies.append("civitas_session=\(session)") }
        var headers: HTTPFields = [.accept: "text/html", .cookie: cookies.joined(separator: "; ")]
        var body: ByteBuffer?
        if method == .post {
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[.origin] = "http://localhost"
            var fields = form
            fields["_csrf"] = csrf
            body = ByteBuffer(string: encode(fields))
        }
        return try await fixture.client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    static func grantRoles(_ fixture: OpenIDHTTPTests.Fixture) async throws {
        let officials = OfficialRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
        let root = AuditActor(kind: .official, id: "cli:root")
        try await officials.grant(.identityAdmin, to: admin, actor: root)
        try await officials.grant(.serviceHall, to: clerk, actor: root)
    }

    static var everyRoute: [(method: HTTPRequest.Method, path: String, role: OfficialRole?)] {
        let parties = RelyingPartyAdminRoutes.paths.map {
            route -> (method: HTTPRequest.Method, path: String, role: OfficialRole?) in
            (route.method, route.path.replacingOccurrences(of: "{id}", with: "registry-portal"), .identityAdmin)
        }
        return parties + AdminRoutes.paths
    }

    static func isLogin(_ response: TestResponse) -> Bool {
        let location = response.headers[.location] ?? ""
        return response.status == .seeOther && location.hasPrefix("/login?") && location.contains("level=2")
    }

    @Test(
        "every admin route: anonymous and low-level officials go to log in at substantial; others get 403 in their language"
    )
    func policyOnEveryRoute() async throws {
        try await OpenIDHTTPTests.with { fixture in
            try await Self.grantRoles(fixture)
            let citizen = try await Self.session(fixture, OpenIDHTTPTests.person)
            let weakAdmin = try await Self.session(fixture, Self.admin, [.password])
            let weakClerk = try await Self.session(fixture, Self.clerk, [.password])
            let admin = try await Self.session(fixture, Self.admin)
            let clerk = try await Self.session(fixture, Self.clerk)
            #expect(Self.everyRoute.count == 10)
            for route in Self.everyRoute {
                let name = "\(route.method) \(route.path)"
                let anonymous = try await Self.send(fixture, route.method, route.path, session: nil)
                #expect(Self.isLogin(anonymous), "anonymous \(name): \(anonymous.status)")

                let refused = try await Self.send(fixture, route.method, route.path, session: citizen, language: "ka")
                #expect(refused.status == .forbidden, "citizen \(name): \(refused.status)")
                #expect(refused.text.contains("ეს გვერდი საჯარო მოხელეებისთვისაა"), "citizen \(name) in Georgian")
                let korean = try await Self.send(fixture, route.method, route.path, session: citizen, language: "ko")
                #expect(korean.text.contains("공무원 전용 페이지입니다"), "citizen \(name) in Korean")

                let holder = route.role == .serviceHall ? weakClerk : weakAdmin
                let weak = try await Self.send(fixture, route.method, route.path, session: holder)
                #expect(Self.isLogin(weak), "low-level official \(name): \(weak.status)")

                if let role = route.role {
                    let other = role == .serviceHall ? admin : clerk
                    let wrong = try await Self.send(fixture, route.method, route.path, session: other)
                    #expect(wrong.status == .forbidden, "official with the other role \(name): \(wrong.status)")
                }
            }
            // Nothing above changed anything: the relying party is still there and no account was opened.
            #expect(try await fixture.sessions.session(token: admin) != nil)
            let registry = RelyingPartyRegistry(database: fixture.database, audit: AuditLog(database: fixture.database))
            #expect(try await registry.party("registry-portal") != nil)

            for role in [admin, clerk] {
                let home = try await Self.send(fixture, .get, "/admin", session: role)
                #expect(home.status == .ok)
            }
            let adminHome = try await Self.send(fixture, .get, "/admin", session: admin)
            #expect(
                adminHome.text.contains("/admin/relying-parties") && !adminHome.text.contains("/admin/service-hall"))
            let withoutCSRF = try await fixture.client.execute(
                uri: "/admin/relying-parties/registry-portal/disable", method: .post,
                headers: [.cookie: "civitas_session=\(admin)", .accept: "text/html"])
            #expect(withoutCSRF.status == .forbidden)
            #expect(try await registry.party("registry-portal") != nil, "a form without its CSRF token changes nothing")
        }
    }

    @Test(
        "relying parties: bad input is shown next to its field and changes nothing; register, change, rotate, disable")
    func relyingParties() async throws {
        try await OpenIDHTTPTests.with { fixture in
            try await Self.grantRoles(fixture)
            let admin = try await Self.session(fixture, Self.admin)
            let audit = AuditLog(database: fixture.database)
            let registry = RelyingPartyRegistry(database: fixture.database, audit: audit)
            let list = try await Self.send(fixture, .get, "/admin/relying-parties", session: admin)
            #expect(list.status == .ok && list.text.contains("registry-portal") && list.text.contains("Mobile App"))
            let blank = try await Self.send(fixture, .get, "/admin/relying-parties/new", session: admin, language: "ko")
            #expect(blank.status == .ok && blank.text.contains("신뢰 당사자 등록"))

            var form = [
                "client_id": "land-registry", "client_name": "Land Registry", "logo_uri": "",
                "redirect_uris": "https://land.example/cb#x\nhttps://land.example/other",
                "post_logout_redirect_uris": "",
                "scope": "openid profile", "allowed_claims": "name salary",
                "token_endpoint_auth_method": "client_secret_basic", "jwks": "", "required_level": "substantial",
                "id_token_signed_response_alg": "EdDSA",
            ]
            let refused = try await Self.send(fixture, .post, "/admin/relying-parties", session: admin, form: form)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains(#"id="redirect_uris-error""#))
            #expect(refused.text.contains(#"id="allowed_claims-error""#))
            #expect(!refused.text.contains(#"id="client_name-error""#))
            #expect(refused.text.contains("Land Registry"), "what was typed is shown again")
            #expect(try await registry.record("land-registry") == nil, "a refused form registers nothing")

            form["redirect_uris"] = "https://land.example/cb"
            form["allowed_claims"] = "name birthdate"
            let made = try await Self.send(fixture, .post, "/admin/relying-parties", session: admin, form: form)
            #expect(made.status == .ok, "\(made.text)")
            let secret = try #require(made.text.firstMatch(of: /id="shown-once">([A-Za-z0-9_-]+)</)?.1)
            #expect(try await registry.isSecret(String(secret), of: "land-registry"))
            let party = try #require(try await registry.party("land-registry"))
            #expect(party.idTokenSigningAlgorithm == .edDSA && party.requiredLevel == .substantial)
            #expect(party.allowedClaims == ["name", "birthdate"])
            let again = try await Self.send(fixture, .post, "/admin/relying-parties", session: admin, form: form)
            #expect(again.status == .conflict && again.text.contains(#"id="client_id-error""#))

            let edit = try await Self.send(fixture, .get, "/admin/relying-parties/land-registry", session: admin)
            #expect(edit.status == .ok && edit.text.contains("https://land.example/cb"))
            form["client_name"] = ""
            let badEdit = try await Self.send(
                fixture, .post, "/admin/relying-parties/land-registry", session: admin, form: form)
            #expect(badEdit.status == .badRequest && badEdit.text.contains(#"id="client_name-error""#))
            #expect(try await registry.party("land-registry")?.name == "Land Registry")
            form["client_name"] = "Land and Property Registry"
            let edited = try await Self.send(
                fixture, .post, "/admin/relying-parties/land-registry", session: admin, form: form)
            #expect(edited.status == .seeOther && edited.headers[.location] == "/admin/relying-parties")
            #expect(try await registry.party("land-registry")?.name == "Land and Property Registry")

            let rotated = try await Self.send(
                fixture, .post, "/admin/relying-parties/land-registry/secret", session: admin)
            let newSecret = try #require(rotated.text.firstMatch(of: /id="shown-once">([A-Za-z0-9_-]+)</)?.1)
            #expect(try await registry.isSecret(String(newSecret), of: "land-registry"))
            #expect(try await !registry.isSecret(String(secret), of: "land-registry"))

            let disabled = try await Self.send(
                fixture, .post, "/admin/relying-parties/land-registry/disable", session: admin)
            #expect(disabled.status == .seeOther)
            #expect(try await registry.party("land-registry") == nil)
            let twice = try await Self.send(
                fixture, .post, "/admin/relying-parties/land-registry/disable", session: admin)
            #expect(twice.status == .conflict)
            let unknown = try await Self.send(fixture, .get, "/admin/relying-parties/nobody", session: admin)
            #expect(unknown.status == .notFound)

            let head = try await audit.head()
            let entries = try await audit.entries(from: 1, limit: Int(head.sequence))
            let mine = entries.filter { $0.event.object.id == "land-registry" }
            #expect(
                mine.map(\.event.action) == [
                    "identity.client.register", "identity.client.update", "identity.client.rotate-secret",
                    "identity.client.disable",
                ])
            #expect(mine.allSatisfy { $0.event.actor == AuditActor(kind: .official, id: Self.admin.rawValue) })
        }
    }

    @Test("service hall: a person is looked up by personal number and gets an account with a code shown once")
    func serviceHall() async throws {
        try await OpenIDHTTPTests.with { fixture in
            try await Self.grantRoles(fixture)
            let clerk = try await Self.session(fixture, Self.clerk)
            let number = OpenIDHTTPTests.person.rawValue
            let invalid = try await Self.send(fixture, .get, "/admin/service-hall?personal_number=1234", session: clerk)
            #expect(invalid.status == .badRequest && invalid.text.contains(#"id="personal_number-error""#))
            let nobody = PersonalNumber(serial: 9_009_099).rawValue
            let missing = try await Self.send(
                fixture, .get, "/admin/service-hall?personal_number=\(nobody)", session: clerk)
            #expect(missing.status == .notFound)
            let found = try await Self.send(
                fixture, .get, "/admin/service-hall?personal_number=\(number)", session: clerk, language: "ka")
            #expect(found.status == .ok && found.text.contains("ნინო ბერიძე"))
            #expect(found.text.contains(#"action="/admin/service-hall/accounts""#))

            let badName = try await Self.send(
                fixture, .post, "/admin/service-hall/accounts", session: clerk,
                form: ["personal_number": number, "username": "no spaces allowed"])
            #expect(badName.status == .badRequest && badName.text.contains(#"id="username-error""#))
            let accounts = AccountStore(
                database: fixture.database, audit: AuditLog(database: fixture.database), hasher: PasswordHasher(),
                throttle: LoginThrottle(database: fixture.database))
            #expect(try await accounts.account(of: OpenIDHTTPTests.person) == nil, "nothing was opened")

            let opened = try await Self.send(
                fixture, .post, "/admin/service-hall/accounts", session: clerk,
                form: ["personal_number": number, "username": "nino.beridze"])
            #expect(opened.status == .ok)
            let code = try #require(opened.text.firstMatch(of: /id="shown-once">([^<]+)</)?.1)
            #expect(!code.isEmpty)
            let account = try #require(try await accounts.account(of: OpenIDHTTPTests.person))
            #expect(account.username == "nino.beridze" && account.mustChangePassword)
            let after = try await Self.send(
                fixture, .get, "/admin/service-hall?personal_number=\(number)", session: clerk)
            #expect(after.text.contains("This person has an account already."))
            let twice = try await Self.send(
                fixture, .post, "/admin/service-hall/accounts", session: clerk,
                form: ["personal_number": number, "username": "nino.other"])
            #expect(twice.status == .badRequest)

            let audit = AuditLog(database: fixture.database)
            let entries = try await audit.entries(about: DataSubject(kind: "person", identifier: number)).entries
            let creation = try #require(entries.first { $0.event.action == "identity.account.create" })
            #expect(creation.event.actor == AuditActor(kind: .official, id: Self.clerk.rawValue))
        }
    }
}
