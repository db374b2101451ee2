import CivitasApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Storage
import StorageTesting
import Testing
import Trust
import Web

@Suite("HTTP node")
struct HTTPNodeTests {
    @Test("liveness answers 200 with a JSON report")
    func liveness() async throws {
        try await TestNode.with { client, _, _ in
            let response = try await client.execute(uri: "/health/live", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == #"{"status":"live"}"#)
        }
    }

    @Test("readiness is 200 when the database answers and migrations are applied", arguments: DatabaseEngine.allCases)
    func ready(engine: DatabaseEngine) async throws {
        try await TestNode.with(engine) { client, _, _ in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains(#""database":"up""#))
            #expect(response.text.contains(#""migrations":"applied""#))
        }
    }

    @Test("readiness is 503 when a migration is pending")
    func notReadyWithPendingMigration() async throws {
        try await TestNode.with { client, database, _ in
            try await database.transaction { sql in
                try await sql.raw("DELETE FROM storage_migrations WHERE module = 'audit'").run()
            }
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains(#""migrations":"1 pending""#))
        }
    }

    @Test("readiness is 503 when the database is gone, and liveness stays 200")
    func notReadyWithDatabaseDown() async throws {
        let created = try await TestDatabase.create(.postgres)
        let database = try await Database.open(created.location, logger: TestDatabase.logger)
        try await Migrator(database: database, migrations: Node.migrations(demo: false), logger: TestDatabase.logger)
            .migrate()
        var configuration = NodeConfiguration()
        configuration.keyEncryptionKey = KeyEncryptionKey.generate().base64
        let application = try await Node.buildApplication(
            configuration: configuration, database: database, logger: TestDatabase.logger)
        try await application.test(.router) { client in
            // The probe allows the database 2 s to answer; on a machine busy with the other suites, ask again.
            var ready = try await client.execute(uri: "/health/ready", method: .get).status
            for _ in 0..<10 where ready != .ok {
                try await Task.sleep(for: .milliseconds(500))
                ready = try await client.execute(uri: "/health/ready", method: .get).status
            }
            #expect(ready == .ok)
            // The database is dropped under the running node: its connections are terminated.
            try await created.remove()
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains(#""database":"down""#))
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
        await database.close()
    }

    @Test("metrics count requests by route, method and status")
    func metrics() async throws {
        try await TestNode.with { client, _, _ in
            _ = try await client.execute(uri: "/health/live", method: .get)
            _ = try await client.execute(uri: "/no-such-page", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains("# TYPE hb_requests counter"))
            #expect(
                text.contains(
                    #"hb_requests{http_route="/health/live",http_request_method="GET",http_response_status_code="200"}"#
                ))
            #expect(text.contains(#"http_route="NotFound",http_request_method="GET",http_response_status_code="404""#))
            #expect(text.contains("http_server_request_duration_bucket"))
        }
    }

    @Test("a well-formed request id is echoed; a missing or hostile one is replaced")
    func requestIDs() async throws {
        try await TestNode.with { client, _, _ in
            let given = "3f2a9c1e-5b7d-4e0a-9f1b-2c3d4e5f6a7b"
            let echoed = try await client.execute(
                uri: "/health/live", method: .get, headers: [.xRequestID: given])
            #expect(echoed.headers[.xRequestID] == given)
            let generated = try await client.execute(uri: "/health/live", method: .get)
            let id = try #require(generated.headers[.xRequestID])
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            for hostile in ["a b", "x\"y", String(repeating: "a", count: 129), "<script>"] {
                let response = try await client.execute(
                    uri: "/health/live", method: .get, headers: [.xRequestID: hostile])
                #expect(response.headers[.xRequestID] != hostile)
                #expect(response.headers[.xRequestID]?.count == 32)
            }
        }
    }

    @Test("an API client gets RFC 9457 problem details for an unknown path")
    func problemDetails() async throws {
        try await TestNode.with { client, _, _ in
            let response = try await client.execute(
                uri: "/api/nothing", method: .get, headers: [.accept: "application/json", .xRequestID: "req-42"])
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body.readableBytesView))
            #expect(problem.status == 404)
            #expect(problem.title == "Not Found")
            #expect(problem.type.hasSuffix("/not-found"))
            #expect(problem.instance == "/api/nothing")
            #expect(problem.requestID == "req-42")
        }
    }

    @Test("a known path with the wrong method answers 405 with Allow")
    func methodNotAllowed() async throws {
        try await TestNode.with { client, _, _ in
            for method: HTTPRequest.Method in [.post, .put, .delete, .patch, .trace, .options] {
                let response = try await client.execute(uri: "/health/live", method: method)
                #expect(response.status == .methodNotAllowed, "\(method)")
                #expect(response.headers[.allow] == "GET")
            }
            let language = try await client.execute(uri: "/language", method: .get)
            #expect(language.status == .methodNotAllowed)
            #expect(language.headers[.allow] == "POST")
        }
    }

    @Test("every response carries the security headers, errors included")
    func securityHeaders() async throws {
        try await TestNode.with { client, _, _ in
            for uri in ["/", "/health/live", "/missing"] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.accept: "text/html"])
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(policy.contains("default-src 'none'"))
                #expect(!policy.contains("script-src"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.referrerPolicy] == "no-referrer")
                #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS over plain HTTP")
            }
        }
    }

    @Test("HSTS and Secure cookies when the node is reached over HTTPS")
    func overTLS() async throws {
        try await TestNode.with(configure: { $0.servedOverTLS = true }) { client, _, _ in
            let response = try await client.execute(uri: "/", method: .get, headers: [.accept: "text/html"])
            #expect(response.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
        }
    }

    @Test("a body over the limit is refused with 413 before the route runs")
    func bodyTooLarge() async throws {
        try await TestNode.with(configure: { $0.maximumBodySize = 2048 }) { client, _, _ in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 4096)
            let response = try await client.execute(
                uri: "/language", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"], body: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.text.contains("body-too-large"))
            let html = try await client.execute(
                uri: "/language", method: .post, headers: [.accept: "text/html", .acceptLanguage: "ko"], body: big)
            #expect(html.status == .contentTooLarge)
            #expect(html.text.contains(#"<html lang="ko""#))
        }
    }

    @Test("the API description is OpenAPI 3.1 and lists the node's operations")
    func openAPI() async throws {
        try await TestNode.with { client, _, _ in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(Set(paths.keys).isSuperset(of: ["/health/live", "/health/ready", "/metrics", "/openapi.json"]))
        }
    }
}
