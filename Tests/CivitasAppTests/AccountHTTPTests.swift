import Audit
import CivitasApp
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Testing

@Suite("The citizen's account page")
struct AccountHTTPTests {
    static let csrf = OpenIDHTTPTests.csrf

    static func post(_ fixture: OpenIDHTTPTests.Fixture, _ uri: String, session: String) async throws -> TestResponse {
        try await fixture.client.execute(
            uri: uri, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
                .cookie: "civitas_session=\(session); civitas_csrf=\(csrf)",
            ], body: ByteBuffer(string: "_csrf=\(csrf)"))
    }

    @Test("lists sessions and consents; ends another session; a withdrawn consent revokes the client's tokens")
    func account() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let anonymous = try await fixture.get("/account")
            #expect(anonymous.headers[.location] == "/login?return=%2Faccount")
            let phone = try await fixture.session()
            let laptop = try await fixture.session()
            let code = try await fixture.code(OpenIDHTTPTests.query(), session: laptop)
            let tokens = try OpenIDHTTPTests.json(try await fixture.exchange(code))
            let refresh = try #require(tokens["refresh_token"] as? String)

            let page = try await fixture.get("/account", session: laptop)
            #expect(page.status == .ok)
            #expect(page.text.contains("Nino Beridze"))
            #expect(page.text.contains("Civil Registry Portal"))
            let ids = page.text.matches(of: /action="\/account\/sessions\/([A-Za-z0-9_-]{16})\/end"/).map {
                String($0.1)
            }
            #expect(ids.count == 1, "only the other session can be ended from here")
            let ended = try await Self.post(fixture, "/account/sessions/\(ids[0])/end", session: laptop)
            #expect(ended.headers[.location] == "/account")
            #expect(try await fixture.sessions.session(token: phone) == nil)
            #expect(try await fixture.sessions.session(token: laptop) != nil)

            let georgian = try await fixture.client.execute(
                uri: "/account?lang=ka", method: .get, headers: [.cookie: "civitas_session=\(laptop)"])
            #expect(georgian.text.contains("ნინო ბერიძე"))

            let withdrawn = try await Self.post(fixture, "/account/consents/registry-portal/withdraw", session: laptop)
            #expect(withdrawn.headers[.location] == "/account")
            let basic: HTTPFields = [
                .authorization: "Basic " + Data("registry-portal:\(fixture.secret)".utf8).base64EncodedString()
            ]
            let refused = try await fixture.form(
                "/oidc/token", ["grant_type": "refresh_token", "refresh_token": refresh], headers: basic)
            #expect(try OpenIDHTTPTests.json(refused)["error"] as? String == "invalid_grant")
            let again = try await Self.post(fixture, "/account/consents/registry-portal/withdraw", session: laptop)
            #expect(again.status == .notFound)
            let everywhere = try await Self.post(fixture, "/account/sessions/end-all", session: laptop)
            #expect(everywhere.status == .seeOther)
            #expect(try await fixture.sessions.session(token: laptop) == nil)
        }
    }

    @Test("the data usage page asks for a login, says when it is not connected, and when the exchange is down")
    func dataUsagePage() async throws {
        try await OpenIDHTTPTests.with { fixture in
            let anonymous = try await fixture.get("/account/data-usage")
            #expect(anonymous.headers[.location] == "/login?return=%2Faccount%2Fdata-usage")
            let session = try await fixture.session()
            let account = try await fixture.get("/account", session: session)
            #expect(account.text.contains(#"href="/account/data-usage""#))
            let page = try await fixture.get("/account/data-usage", session: session)
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.text.contains("not connected to the data exchange"))
            let georgian = try await fixture.client.execute(
                uri: "/account/data-usage?lang=ka", method: .get, headers: [.cookie: "civitas_session=\(session)"])
            #expect(georgian.text.contains("ვინ გამოიყენა ჩემი მონაცემები"))
            #expect(georgian.text.contains("დაკავშირებული არ არის"))
        }
        // Connected to an exchange node that does not answer: the person is told so, not shown an empty list.
        try await OpenIDHTTPTests.with(configure: {
            $0.portalExchange = ("http://127.0.0.1:9", "CVT/GOV/70000009/portal")
        }) { fixture in
            let session = try await fixture.session()
            let page = try await fixture.get("/account/data-usage", session: session)
            #expect(page.status == .ok)
            #expect(page.text.contains("could not be reached"))
            #expect(!page.text.contains("No organisation has received your data"))
        }
    }
}
