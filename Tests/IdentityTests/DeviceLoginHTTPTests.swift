import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Storage
import Testing
import Trust
import Web
import X509

/// Stand-in for the session layer's completion (a seam this block does not own): answers 303 and says whom it
/// would have logged in, so the tests can see what the routes handed over.
struct RecordingCompletion: AuthenticationCompletion {
    func complete(
        _ authentication: Authentication, request: Request, context: CivitasRequestContext
    ) async throws -> Response {
        Response(
            status: .seeOther,
            headers: [
                .location: "/", HTTPField.Name("X-Test-Person")!: authentication.personalNumber.rawValue,
                HTTPField.Name("X-Test-Level")!: "\(authentication.level)",
                HTTPField.Name("X-Test-Return")!: request.uri.queryParameters["return"].map(String.init) ?? "",
            ])
    }
}

/// Stand-in for the session layer's lookup (a seam this block does not own): a fixed person at a fixed level,
/// or nobody.
struct FixedPerson: AuthenticatedPersonLookup {
    let person: AuthenticatedPerson?
    func authenticatedPerson(
        for request: Request, context: CivitasRequestContext
    ) async throws
        -> AuthenticatedPerson?
    { person }
}

@Suite("Device login HTTP routes")
struct DeviceLoginHTTPTests {
    static func with(
        _ engine: DatabaseEngine = .sqlite, level: LevelOfAssurance? = .high,
        _ body: @escaping @Sendable (any TestClientProtocol, EIDWorld) async throws -> Void
    ) async throws {
        try await EIDWorld.with(engine) { world in
            let settings = WebSettings()
            let renderer = try await PageRenderer.bundled(settings: settings)
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: RequestContextMiddleware(settings: settings))
            router.add(middleware: ErrorMiddleware(renderer: renderer))
            let routes = RouteTable()
            DeviceLoginRoutes(
                service: world.service, renderer: renderer, completion: RecordingCompletion(),
                people: FixedPerson(
                    person: level.map { AuthenticatedPerson(personalNumber: world.nino.personalNumber, level: $0) }),
                origin: EIDWorld.origin, settings: settings, clock: world.clock
            ).register(in: routes)
            routes.install(on: router)
            try await Application(router: router).test(.router) { client in try await body(client, world) }
        }
    }

    /// The login a start page shows: its id, its code and the browser's cookie.
    static func started(_ response: TestResponse) throws -> (id: String, code: String, cookie: String) {
        let html = String(buffer: response.body)
        let id = try #require(html.firstMatch(of: /url=\/login\/(?:card|mobile)\/([0-9a-f]{32})/)?.output.1)
        let code = try #require(html.firstMatch(of: /<strong[^>]*>(\d{4}-\d{4})<\/strong>/)?.output.1)
        let setCookie = try #require(
            response.headers[values: .setCookie].first { $0.hasPrefix("civitas_device_login=") })
        #expect(setCookie.contains("HttpOnly"))
        let cookie = String(setCookie.split(separator: ";")[0])
        return (String(id), String(code), cookie)
    }

    static let html: HTTPFields = [.accept: "text/html"]
    static let json: HTTPFields = [.contentType: "application/json", .accept: "application/json"]

    @Test(
        "card login end to end: start page, the app's JSON, the answer, the refreshing page completes",
        arguments: DatabaseEngine.allCases)
    func cardFlow(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { client, world in
            let (key, stored) = try await world.card(for: world.nino)
            let start = try await client.execute(uri: "/login/card", method: .get, headers: Self.html)
            #expect(start.status == .ok)
            let page = String(buffer: start.body)
            #expect(page.contains(#"<meta http-equiv="refresh""#) && !page.contains("<script"))
            let (id, code, cookie) = try Self.started(start)

            let view = try await client.execute(
                uri: "/identity/device-logins/\(code)", method: .get, headers: [.accept: "application/json"])
            #expect(view.status == .ok)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(String(buffer: view.body).utf8)) as? [String: Any])
            #expect(object["origin"] as? String == EIDWorld.origin)
            #expect(object["method"] as? String == "card" && object["state"] as? String == "pending")
            let login = try await world.service.logins.login(id: id)
            #expect(object["challenge"] as? String == Data(login.challenge).base64EncodedString())

            var waiting = Self.html
            waiting[.cookie] = cookie
            let pending = try await client.execute(uri: "/login/card/\(id)", method: .get, headers: waiting)
            #expect(pending.status == .ok && String(buffer: pending.body).contains(code))

            let answer = try world.answer(login, key: key, certificate: stored.certificate)
            let body: [String: Any] = [
                "signedAt": answer.signedAt, "signature": Data(answer.signature).base64EncodedString(),
                "certificate": Data(stored.der).base64EncodedString(),
            ]
            let posted = try await client.execute(
                uri: "/identity/device-logins/\(code)/answer", method: .post, headers: Self.json,
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            #expect(posted.status == .ok, "\(String(buffer: posted.body))")

            let stranger = try await client.execute(uri: "/login/card/\(id)", method: .get, headers: Self.html)
            #expect(stranger.status == .forbidden)
            #expect(String(buffer: stranger.body).contains("another browser"))

            let done = try await client.execute(uri: "/login/card/\(id)", method: .get, headers: waiting)
            #expect(done.status == .seeOther)
            #expect(done.headers[HTTPField.Name("X-Test-Person")!] == world.nino.personalNumber.rawValue)
            #expect(done.headers[HTTPField.Name("X-Test-Level")!] == "high")
            #expect(done.headers[values: .setCookie].contains { $0.hasPrefix("civitas_device_login=;") })
            let again = try await client.execute(uri: "/login/card/\(id)", method: .get, headers: waiting)
            #expect(again.status == .conflict)

            let replay = try await client.execute(
                uri: "/identity/device-logins/\(code)/answer", method: .post, headers: Self.json,
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            #expect(replay.status == .conflict)
            #expect(replay.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("a login started for a relying party carries its return path through the waiting page to the completion")
    func returnPathSurvivesTheWait() async throws {
        try await Self.with { client, world in
            let (key, stored) = try await world.card(for: world.nino)
            let back = "/oidc/authorize/resume?request=abc"
            let start = try await client.execute(
                uri: "/login/card?return=%2Foidc%2Fauthorize%2Fresume%3Frequest%3Dabc", method: .get, headers: Self.html
            )
            let (id, code, cookie) = try Self.started(start)
            let refresh = try #require(String(buffer: start.body).firstMatch(of: /url=([^"]+)"/)?.output.1)
            #expect(refresh == "/login/card/\(id)?return=/oidc/authorize/resume?request%3Dabc")
            let login = try await world.service.logins.login(id: id)
            let answer = try world.answer(login, key: key, certificate: stored.certificate)
            let body: [String: Any] = [
                "signedAt": answer.signedAt, "signature": Data(answer.signature).base64EncodedString(),
                "certificate": Data(stored.der).base64EncodedString(),
            ]
            _ = try await client.execute(
                uri: "/identity/device-logins/\(code)/answer", method: .post, headers: Self.json,
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            var waiting = Self.html
            waiting[.cookie] = cookie
            let done = try await client.execute(
                uri: String(refresh.replacing("&amp;", with: "&")), method: .get, headers: waiting)
            #expect(done.status == .seeOther)
            #expect(done.headers[HTTPField.Name("X-Test-Return")!] == back)
            // Somewhere else than a path on this site is not carried on.
            let foreign = try await client.execute(
                uri: "/login/card?return=https%3A%2F%2Fevil.example%2F", method: .get, headers: Self.html)
            #expect(!String(buffer: foreign.body).contains("evil.example"))
        }
    }

    @Test("the start pages speak Georgian and Korean")
    func languages() async throws {
        try await Self.with { client, _ in
            for (language, text) in [("ka", "შესვლა"), ("ko", "로그인")] {
                for method in ["card", "mobile"] {
                    let response = try await client.execute(
                        uri: "/login/\(method)", method: .get,
                        headers: [.accept: "text/html", .acceptLanguage: language])
                    let page = String(buffer: response.body)
                    #expect(
                        page.contains(#"<html lang="\#(language)""#) && page.contains(text), "\(language) \(method)")
                }
            }
        }
    }

    @Test("bad answers get problem details and change nothing")
    func badInput() async throws {
        try await Self.with { client, world in
            let start = try await client.execute(uri: "/login/card", method: .get, headers: Self.html)
            let (id, code, _) = try Self.started(start)
            let cases: [(String, HTTPFields, String, HTTPResponse.Status)] = [
                ("/identity/device-logins/\(code)/answer", Self.json, "{", .badRequest),
                ("/identity/device-logins/\(code)/answer", Self.json, #"{"signedAt": 1}"#, .badRequest),
                (
                    "/identity/device-logins/\(code)/answer", Self.json,
                    #"{"signedAt": 1, "signature": "%%%", "certificate": "AA=="}"#, .badRequest
                ),
                (
                    "/identity/device-logins/\(code)/answer", Self.json,
                    #"{"signedAt": 1, "signature": "AAAA", "certificate": "AAAA"}"#, .forbidden
                ),
                (
                    "/identity/device-logins/\(code)/answer", Self.json,
                    #"{"signedAt": 1, "signature": "AAAA", "certificate": "AAA"}"#, .badRequest
                ),
                (
                    "/identity/device-logins/\(code)/answer", Self.json,
                    #"{"signedAt": 1, "signature": "AAAA", "deviceId": "nope"}"#, .forbidden
                ),
                (
                    "/identity/device-logins/\(code)/answer", Self.json,
                    #"{"signedAt": 1, "signature": "AAAA", "certificate": "AAAA", "deviceId": "x"}"#, .badRequest
                ),
                ("/identity/device-logins/\(code)/answer", [.contentType: "text/plain"], "{}", .unsupportedMediaType),
                ("/identity/device-logins/0000-000x/answer", Self.json, "{}", .notFound),
            ]
            for (path, headers, body, status) in cases {
                let response = try await client.execute(
                    uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(body)")
            }
            let huge = try await client.execute(
                uri: "/identity/device-logins/\(code)/answer", method: .post, headers: Self.json,
                body: ByteBuffer(string: String(repeating: " ", count: 64 * 1024)))
            #expect(huge.status == .contentTooLarge)
            #expect(try await world.service.logins.login(id: id).state == .pending)
            let unknown = try await client.execute(
                uri: "/identity/device-logins/1234-5678", method: .get, headers: [.accept: "application/json"])
            #expect(unknown.status == .notFound)
            let notID = try await client.execute(uri: "/login/card/zz", method: .get, headers: Self.html)
            #expect(notID.status == .notFound)
            let otherMethod = try await client.execute(uri: "/login/mobile/\(id)", method: .get, headers: Self.html)
            #expect(otherMethod.status == .notFound)
        }
    }

    @Test("an expired login's page says so, and the app's JSON answers 410")
    func expired() async throws {
        try await Self.with { client, world in
            let start = try await client.execute(uri: "/login/mobile", method: .get, headers: Self.html)
            let (id, code, cookie) = try Self.started(start)
            world.clock.advance(by: DeviceLogins.lifetime + 1)
            var headers = Self.html
            headers[.cookie] = cookie
            let page = try await client.execute(uri: "/login/mobile/\(id)", method: .get, headers: headers)
            #expect(page.status == .gone && String(buffer: page.body).contains("expired"))
            let view = try await client.execute(
                uri: "/identity/device-logins/\(code)", method: .get, headers: [.accept: "application/json"])
            #expect(view.status == .gone)
        }
    }

    @Test("devices are registered only from a session at level high, and listed and revoked by their owner")
    func devices() async throws {
        let key = P256.Signing.PrivateKey()
        let registration = try JSONSerialization.data(withJSONObject: [
            "name": "Nino's phone", "publicKey": key.publicKey.derRepresentation.base64EncodedString(),
        ])
        try await Self.with(level: .substantial) { client, _ in
            let response = try await client.execute(
                uri: "/identity/devices", method: .post, headers: Self.json, body: ByteBuffer(bytes: registration))
            #expect(response.status == .forbidden)
        }
        try await Self.with(level: nil) { client, _ in
            let response = try await client.execute(
                uri: "/identity/devices", method: .post, headers: Self.json, body: ByteBuffer(bytes: registration))
            #expect(response.status == .unauthorized)
            let list = try await client.execute(uri: "/identity/devices", method: .get, headers: Self.json)
            #expect(list.status == .unauthorized)
        }
        try await Self.with(level: .high) { client, world in
            let cross = try await client.execute(
                uri: "/identity/devices", method: .post,
                headers: [.contentType: "application/json", .origin: "https://evil.example"],
                body: ByteBuffer(bytes: registration))
            #expect(cross.status == .forbidden, "the session's cookie is an authority: CSRF-checked")
            let response = try await client.execute(
                uri: "/identity/devices", method: .post, headers: Self.json, body: ByteBuffer(bytes: registration))
            #expect(response.status == .created)
            let created = try #require(
                try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
            let id = try #require(created["id"] as? String)
            let duplicate = try await client.execute(
                uri: "/identity/devices", method: .post, headers: Self.json, body: ByteBuffer(bytes: registration))
            #expect(duplicate.status == .conflict)
            let badKey = try await client.execute(
                uri: "/identity/devices", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"name": "x", "publicKey": "AAAA"}"#))
            #expect(badKey.status == .badRequest)
            let list = try await client.execute(uri: "/identity/devices", method: .get, headers: Self.json)
            #expect(String(buffer: list.body).contains(id))
            let revoke = try await client.execute(
                uri: "/identity/devices/\(id)/revoke", method: .post, headers: Self.json)
            #expect(revoke.status == .ok)
            #expect(try await world.service.devices.device(id: id)?.isUsable == false)
            let twice = try await client.execute(
                uri: "/identity/devices/\(id)/revoke", method: .post, headers: Self.json)
            #expect(twice.status == .conflict)
            let missing = try await client.execute(
                uri: "/identity/devices/\(String(repeating: "0", count: 32))/revoke", method: .post, headers: Self.json)
            #expect(missing.status == .notFound)
        }
    }
}
