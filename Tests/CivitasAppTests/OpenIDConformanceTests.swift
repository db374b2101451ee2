import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Testing

/// The items of the OpenID Connect Basic OP conformance plan and of the OAuth 2.0 security BCP that the other
/// suites do not already cover: auth_time under max_age, id_token_hint for someone else, the ID token's header,
/// `iss` on error responses (mix-up), and CSRF on login and consent.
@Suite("OpenID Connect: conformance items")
struct OpenIDConformanceTests {
    static let other = PersonalNumber(serial: 1_002_026)

    @Test("with max_age the ID token's auth_time is when the person logged in, and a fresh enough login is reused")
    func authTimeUnderMaxAge() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let loggedIn = Date().addingTimeInterval(-120).rounded()
            let session = try await fixture.session(at: loggedIn)
            let code = try await fixture.code(OpenIDHTTPTests.query(["max_age": "600"]), session: session)
            let tokens = try OpenIDHTTPTests.json(try await fixture.exchange(code))
            let idToken = try JSONWebSignature(compact: try #require(tokens["id_token"] as? String))
            let claims = try idToken.claims()
            #expect(claims["auth_time"] as? Int == Int(loggedIn.timeIntervalSince1970))
            // The same login is too old for max_age=60: the person is sent to log in again, no code is issued.
            let tooOld = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["max_age": "60"])))", session: session)
            #expect(tooOld.headers[.location]?.hasPrefix("/login") == true)
            // max_age=0 is a login every time (OpenID Connect Core §3.1.2.1).
            let zero = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["max_age": "0"])))",
                session: try await fixture.session())
            let back = try #require(zero.headers[.location])
            #expect(back.hasPrefix("/login"))
            // The login made for this request satisfies max_age=0: the resumed request goes on to a code.
            let resume = try #require(
                URLComponents(string: back)?.queryItems?.first { $0.name == "return" }?.value)
            let resumed = try await fixture.get(resume, session: try await fixture.session())
            #expect(resumed.status == .ok || resumed.headers[.location]?.contains("code=") == true, "\(resumed.status)")
            #expect(resumed.headers[.location]?.hasPrefix("/login") != true)
            let negative = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["max_age": "-5"])))", session: session)
            #expect(negative.headers[.location]?.contains("error=invalid_request") == true)
        }
    }

    @Test("the ID token's header names ES256 and a kid the JWKS publishes, and its claims are complete")
    func idTokenHeaderAndClaims() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let code = try await fixture.code(OpenIDHTTPTests.query(), session: try await fixture.session())
            let tokens = try OpenIDHTTPTests.json(try await fixture.exchange(code))
            let compact = try #require(tokens["id_token"] as? String)
            let headerBytes = try #require(Base64URL.decode(compact.split(separator: ".")[0]))
            let header = try #require(try JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any])
            #expect(header["alg"] as? String == "ES256")
            let kid = try #require(header["kid"] as? String)
            let jwks = try OpenIDHTTPTests.json(try await fixture.get("/oidc/jwks"))
            let published = (jwks["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String }
            #expect(published.contains(kid))
            let claims = try JSONWebSignature(compact: compact).claims()
            for name in ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash"] {
                #expect(claims[name] != nil, "\(name) is missing")
            }
            let issued = try #require(claims["iat"] as? Int)
            let expires = try #require(claims["exp"] as? Int)
            #expect(expires > issued && expires - issued <= 3600)
            #expect(tokens["token_type"] as? String == "Bearer")
        }
    }

    @Test("an id_token_hint for someone else makes the signed-in person log in again; prompt=none says login_required")
    func idTokenHintForSomeoneElse() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let code = try await fixture.code(OpenIDHTTPTests.query(), session: try await fixture.session())
            let hint = try #require(try OpenIDHTTPTests.json(try await fixture.exchange(code))["id_token"] as? String)
            let otherSession = try await fixture.sessions.open(
                Authentication(personalNumber: Self.other, methods: [.password], authenticatedAt: Date()),
                userAgent: "test"
            ).token
            let silent = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["prompt": "none", "id_token_hint": hint])))",
                session: otherSession)
            let location = try #require(silent.headers[.location])
            #expect(location.hasPrefix(OpenIDHTTPTests.redirect) && location.contains("error=login_required"))
            let interactive = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["id_token_hint": hint])))", session: otherSession)
            #expect(interactive.headers[.location]?.hasPrefix("/login") == true)
            // The hint naming the signed-in person goes straight through (consent was given above).
            let same = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["prompt": "none", "id_token_hint": hint])))",
                session: try await fixture.session())
            #expect(same.headers[.location]?.contains("code=") == true)
            // A hint that does not verify with our keys names nobody: it cannot be used to pick a subject.
            var parts = hint.split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            let forged = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["prompt": "none", "id_token_hint": parts.joined(separator: ".")])))",
                session: try await fixture.session())
            #expect(forged.headers[.location]?.contains("error=login_required") == true)
        }
    }

    @Test("errors sent back to the relying party carry iss, so a client talking to two providers cannot be mixed up")
    func issuerOnErrors() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let response = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["prompt": "none"])))")
            let location = try #require(response.headers[.location])
            let items = URLComponents(string: location)?.queryItems ?? []
            #expect(items.first { $0.name == "error" }?.value == "login_required")
            #expect(items.first { $0.name == "iss" }?.value == "http://127.0.0.1:8080")
            #expect(items.first { $0.name == "state" }?.value == "s-123")
        }
    }

    @Test("the consent form without the CSRF token, or from another origin, is refused and issues nothing")
    func consentCSRF() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let session = try await fixture.session()
            let page = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query()))", session: session)
            #expect(page.status == .ok)
            let request = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
            let body = "request=\(request)&decision=allow&scope=profile"
            let attempts: [(HTTPFields, String)] = [
                ([.origin: "http://localhost", .cookie: "civitas_session=\(session)"], body),
                (
                    [
                        .origin: "http://localhost",
                        .cookie: "civitas_session=\(session); civitas_csrf=\(OpenIDHTTPTests.csrf)",
                    ], "_csrf=\(String(repeating: "d", count: 43))&" + body
                ),
                (
                    [
                        .origin: "https://evil.example",
                        .cookie: "civitas_session=\(session); civitas_csrf=\(OpenIDHTTPTests.csrf)",
                    ], "_csrf=\(OpenIDHTTPTests.csrf)&" + body
                ),
            ]
            for (headers, form) in attempts {
                var all = headers
                all[.contentType] = "application/x-www-form-urlencoded"
                let response = try await fixture.client.execute(
                    uri: "/oidc/authorize/consent", method: .post, headers: all, body: ByteBuffer(string: form))
                #expect(response.status == .forbidden, "\(headers)")
                #expect(response.headers[.location] == nil)
            }
            // Nothing was consented: the next silent request still needs consent.
            let silent = try await fixture.get(
                "/oidc/authorize?\(encode(OpenIDHTTPTests.query(["prompt": "none"])))", session: session)
            #expect(silent.headers[.location]?.contains("error=consent_required") == true)
        }
    }

    @Test("the login form without the CSRF token is refused before any password is checked")
    func loginCSRF() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let response = try await fixture.client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
                body: ByteBuffer(string: "username=demo.nino&password=whatever-long-enough"))
            #expect(response.status == .forbidden)
            #expect(response.headers[.setCookie]?.contains("civitas_session=") != true)
        }
    }
}

extension Date {
    /// Whole seconds, as the ID token carries them.
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
