import CivitasApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Web

@Suite("Web shell")
struct WebShellTests {
    static let browser: HTTPFields = [.accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"]

    static func csrfCookie(from response: TestResponse) throws -> String {
        let header = try #require(response.headers[.setCookie])
        let pair = try #require(header.split(separator: ";").first)
        #expect(pair.hasPrefix("civitas_csrf="))
        return String(pair.dropFirst("civitas_csrf=".count))
    }

    @Test(
        "the 404 page speaks the visitor's language",
        arguments: [("en", "Page not found"), ("ka", "ვერ მოიძებნა"), ("ko", "찾을 수 없습니다")])
    func notFoundPage(language: String, phrase: String) async throws {
        try await TestNode.with { client, _, _ in
            var headers = Self.browser
            headers[.acceptLanguage] = "\(language);q=0.9, en;q=0.1"
            headers[.xRequestID] = "help-desk-ref-1"
            let response = try await client.execute(uri: "/no/such/page", method: .get, headers: headers)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.text.contains("<html lang=\"\(language)\""))
            #expect(response.text.contains(phrase), "\(language)")
            #expect(response.text.contains("help-desk-ref-1"))
        }
    }

    @Test("the home page presents the building blocks in each language")
    func homePage() async throws {
        try await TestNode.with { client, _, _ in
            for language in ["en", "ka", "ko"] {
                let response = try await client.execute(
                    uri: "/?lang=\(language)", method: .get, headers: Self.browser)
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("<html lang=\"\(language)\""))
                for block in SitePresentation.allBlockIDs { #expect(html.contains("id=\"block-\(block)\"")) }
                #expect(html.contains("href=\"#main\""), "skip link")
                #expect(html.contains("<main id=\"main\""))
                #expect(!html.contains("<script"))
                #expect(!html.contains("{{"), "no unrendered Mustache")
            }
        }
    }

    @Test("a demo node shows the demo country and what to try")
    func demoHome() async throws {
        let demo = SitePresentation.Demo(persons: 1_234_567, agencyKeys: ["agency_civil_registry"])
        try await TestNode.with(demo: demo) { client, _, _ in
            let english = try await client.execute(uri: "/?lang=en", method: .get, headers: Self.browser).text
            #expect(english.contains("1,234,567"))
            #expect(english.contains("href=\"/health/ready\""))
            let georgian = try await client.execute(uri: "/?lang=ka", method: .get, headers: Self.browser).text
            #expect(georgian.contains("1\u{00A0}234\u{00A0}567"))
        }
    }

    @Test("the language cookie outranks Accept-Language; ?lang outranks both")
    func languagePrecedence() async throws {
        try await TestNode.with { client, _, _ in
            var headers = Self.browser
            headers[.acceptLanguage] = "ko"
            headers[.cookie] = "civitas_lang=ka"
            let byCookie = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(byCookie.text.contains("<html lang=\"ka\""))
            let byQuery = try await client.execute(uri: "/?lang=en", method: .get, headers: headers)
            #expect(byQuery.text.contains("<html lang=\"en\""))
            headers[.cookie] = "civitas_lang=xx"
            let badCookie = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(badCookie.text.contains("<html lang=\"ko\""))
        }
    }

    @Test("switching language with a valid token sets the cookie and returns to the page")
    func languageSwitch() async throws {
        try await TestNode.with { client, _, _ in
            let home = try await client.execute(uri: "/", method: .get, headers: Self.browser)
            let token = try Self.csrfCookie(from: home)
            #expect(home.text.contains("value=\"\(token)\""), "the form carries the cookie's token")
            let response = try await client.execute(
                uri: "/language", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", .cookie: "civitas_csrf=\(token)",
                    .origin: "http://localhost",
                ],
                body: ByteBuffer(string: "_csrf=\(token)&lang=ka&return=%2Fsome%2Fpage"))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/some/page")
            #expect(response.headers[.setCookie]?.contains("civitas_lang=ka") == true)
        }
    }

    @Test(
        "a state-changing form without a matching token is refused with 403",
        arguments: [
            ("", "lang=ka"),
            ("civitas_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "lang=ka"),
            (
                "civitas_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "_csrf=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB&lang=ka"
            ),
            ("civitas_csrf=short", "_csrf=short&lang=ka"),
        ])
    func csrfRejected(cookie: String, body: String) async throws {
        try await TestNode.with { client, _, _ in
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"]
            if !cookie.isEmpty { headers[.cookie] = cookie }
            let response = try await client.execute(
                uri: "/language", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .forbidden)
            #expect(response.text.contains("/problems/csrf"))
            #expect(response.headers[.setCookie]?.contains("civitas_lang") != true, "nothing was changed")
        }
    }

    @Test("a cross-site request is refused even with a matching token")
    func crossSite() async throws {
        try await TestNode.with { client, _, _ in
            let token = String(repeating: "A", count: 43)
            for extra: HTTPFields in [[.secFetchSite: "cross-site"], [.origin: "https://evil.example"]] {
                var headers: HTTPFields = [
                    .contentType: "application/x-www-form-urlencoded", .cookie: "civitas_csrf=\(token)",
                    .accept: "text/html", .acceptLanguage: "ka",
                ]
                headers.append(contentsOf: extra)
                let response = try await client.execute(
                    uri: "/language", method: .post, headers: headers,
                    body: ByteBuffer(string: "_csrf=\(token)&lang=ka"))
                #expect(response.status == .forbidden)
                #expect(response.text.contains("<html lang=\"ka\""), "the browser gets a page in its language")
            }
        }
    }

    @Test("the return path after a language switch cannot lead off-site")
    func openRedirect() async throws {
        try await TestNode.with { client, _, _ in
            let token = String(repeating: "A", count: 43)
            for target in ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"] {
                let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let response = try await client.execute(
                    uri: "/language", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "civitas_csrf=\(token)"],
                    body: ByteBuffer(string: "_csrf=\(token)&lang=en&return=\(encoded)"))
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/", "\(target)")
            }
        }
    }

    @Test("an unknown language in the switch is a 400 and sets nothing")
    func unknownLanguage() async throws {
        try await TestNode.with { client, _, _ in
            let token = String(repeating: "A", count: 43)
            let response = try await client.execute(
                uri: "/language", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "civitas_csrf=\(token)"],
                body: ByteBuffer(string: "_csrf=\(token)&lang=fr"))
            #expect(response.status == .badRequest)
            #expect(response.headers[.setCookie] == nil)
        }
    }

    @Test("the stylesheet is served with an ETag and revalidates with 304")
    func stylesheet() async throws {
        try await TestNode.with { client, _, _ in
            let response = try await client.execute(uri: "/static/civitas.css", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
            let etag = try #require(response.headers[.eTag])
            let again = try await client.execute(
                uri: "/static/civitas.css", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
        }
    }
}
