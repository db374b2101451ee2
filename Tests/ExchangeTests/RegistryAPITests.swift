import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Storage
import Testing
import Trust
import Web

@testable import Exchange

@Suite("Central registry admin API and global configuration routes")
struct RegistryAPITests {
    typealias World = ExchangeWorld

    static func with(
        _ engine: DatabaseEngine,
        _ body:
            @escaping @Sendable (any TestClientProtocol, World, _ token: String, _ otherToken: String) async throws ->
            Void
    ) async throws {
        try await World.with(engine) { world in
            let settings = WebSettings()
            let renderer = try await PageRenderer.bundled(settings: settings)
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: RequestContextMiddleware(settings: settings))
            router.add(middleware: ErrorMiddleware(renderer: renderer))
            let routes = RouteTable()
            let clients = APIClientRegistry(database: world.database, audit: world.audit)
            RegistryAPIRoutes(registry: world.registry, clients: clients).register(in: routes)
            GlobalConfigurationRoutes(
                publisher: GlobalConfigurationPublisher(
                    registry: world.registry, database: world.database, pki: world.pki, clock: world.clock)
            ).register(in: routes)
            routes.install(on: router)
            let token = try await clients.create(
                name: "Registry officers", scopes: [.exchangeRegistry], actor: World.official
            ).token
            let other = try await clients.create(name: "Signer", scopes: [.signatures], actor: World.official).token
            try await Application(router: router).test(.router) { client in
                try await body(client, world, token, other)
            }
        }
    }

    static func headers(_ token: String?, json: Bool = true) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        if json { fields[.contentType] = "application/json" }
        fields[.accept] = "application/json"
        return fields
    }

    static func post(
        _ client: any TestClientProtocol, _ path: String, _ token: String?, _ body: String
    ) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: headers(token), body: ByteBuffer(string: body))
    }

    @Test("every route wants a token with the exchange.registry scope", arguments: DatabaseEngine.allCases)
    func authentication(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { client, world, _, other in
            for (method, path) in [
                (HTTPRequest.Method.get, "/exchange/v1/members"), (.post, "/exchange/v1/members"),
                (.delete, "/exchange/v1/members/GOV/700000015"), (.post, "/exchange/v1/subsystems"),
                (.get, "/exchange/v1/nodes"), (.post, "/exchange/v1/nodes"), (.get, "/exchange/v1/services"),
                (.post, "/exchange/v1/services"), (.get, "/exchange/v1/access-rights"),
                (.post, "/exchange/v1/access-rights"), (.delete, "/exchange/v1/access-rights/1"),
            ] {
                let anonymous = try await client.execute(uri: path, method: method, headers: Self.headers(nil))
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
                #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let unknown = try await client.execute(uri: path, method: method, headers: Self.headers("civ_nope"))
                #expect(unknown.status == .unauthorized)
                let wrongScope = try await client.execute(uri: path, method: method, headers: Self.headers(other))
                #expect(wrongScope.status == .forbidden, "\(method) \(path)")
            }
            #expect(try await world.registry.revision() == 0)
        }
    }

    @Test(
        "members, subsystems, services and access rights are managed over the API, audited as the client",
        arguments: DatabaseEngine.allCases)
    func manages(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { client, world, token, _ in
            var response = try await Self.post(
                client, "/exchange/v1/members", token, #"{"id":"CVT/GOV/700000015","name":"Civil Registry"}"#)
            #expect(response.status == .created)
            response = try await Self.post(
                client, "/exchange/v1/subsystems", token, #"{"id":"CVT/GOV/700000015/registry"}"#)
            #expect(response.status == .created)
            response = try await Self.post(
                client, "/exchange/v1/services", token,
                #"{"id":"CVT/GOV/700000015/registry/persons","version":"v1","title":"Persons","openapi":"{\"openapi\":\"3.1.0\"}"}"#
            )
            #expect(response.status == .created)
            response = try await Self.post(
                client, "/exchange/v1/access-rights", token,
                #"{"client":"CVT/GOV/700000015/registry","service":"CVT/GOV/700000015/registry/persons","method":"GET","path":"/persons/*"}"#
            )
            #expect(response.status == .created)
            let right = try JSONDecoder().decode(
                RegistryAPIBodies.Right.self, from: Data(response.body.readableBytesView))
            response = try await client.execute(
                uri: "/exchange/v1/services/GOV/700000015/registry/persons/openapi", method: .get,
                headers: Self.headers(token, json: false))
            #expect(String(buffer: response.body) == #"{"openapi":"3.1.0"}"#)
            response = try await client.execute(uri: "/exchange/v1/members", method: .get, headers: Self.headers(token))
            let members = try JSONDecoder().decode(
                [RegistryAPIBodies.Member].self, from: Data(response.body.readableBytesView))
            #expect(members.map(\.subsystems) == [["CVT/GOV/700000015/registry"]])
            // Still in use: 409; removed in order: 204.
            response = try await client.execute(
                uri: "/exchange/v1/members/GOV/700000015", method: .delete, headers: Self.headers(token))
            #expect(response.status == .conflict)
            #expect(response.headers[.contentType] == "application/problem+json")
            for path in [
                "/exchange/v1/access-rights/\(right.id)", "/exchange/v1/services/GOV/700000015/registry/persons",
                "/exchange/v1/subsystems/GOV/700000015/registry", "/exchange/v1/members/GOV/700000015",
            ] {
                response = try await client.execute(uri: path, method: .delete, headers: Self.headers(token))
                #expect(response.status == .noContent, "\(path)")
            }
            let actors = try await world.database.read { sql in
                try await sql.raw(
                    "SELECT DISTINCT actor_kind, actor_id FROM audit_entries WHERE action LIKE 'exchange.%'"
                )
                .all().map { try $0.decode(column: "actor_kind", as: String.self) }
            }
            #expect(actors == ["machine"])
        }
    }

    @Test("bad input is refused with problem details and changes nothing", arguments: DatabaseEngine.allCases)
    func badInput(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { client, world, token, _ in
            try await world.populate()
            let revision = try await world.registry.revision()
            let cases: [(String, String, HTTPResponse.Status)] = [
                ("/exchange/v1/members", #"{"id":"CVT/GOV/70;0","name":"X"}"#, .unprocessableContent),
                ("/exchange/v1/members", #"{"id":"CVT/GOV/70%2F0","name":"X"}"#, .unprocessableContent),
                ("/exchange/v1/members", #"{"id":"EE/GOV/700000015","name":"X"}"#, .unprocessableContent),
                ("/exchange/v1/members", #"{"id":"CVT/GOV/700000015","name":"Again"}"#, .conflict),
                ("/exchange/v1/members", #"{"id":"CVT/GOV/7"#, .badRequest),
                ("/exchange/v1/members", #"{"name":"No id"}"#, .badRequest),
                ("/exchange/v1/members", "[]", .badRequest),
                ("/exchange/v1/subsystems", #"{"id":"CVT/GOV/999999999/x"}"#, .notFound),
                ("/exchange/v1/nodes", #"{"id":"CVT/GOV/700000015/n1","address":"no-port"}"#, .unprocessableContent),
                (
                    "/exchange/v1/nodes",
                    #"{"id":"CVT/GOV/700000015/n1","address":"n1.example:5500","certificate":"garbage"}"#,
                    .unprocessableContent
                ),
                ("/exchange/v1/services", #"{"id":"CVT/GOV/700000015/persons","title":"X"}"#, .unprocessableContent),
                (
                    "/exchange/v1/access-rights",
                    #"{"client":"CVT/GOV/700000023/tax","service":"CVT/GOV/700000015/registry/persons","path":"/**/x"}"#,
                    .unprocessableContent
                ),
            ]
            for (path, body, status) in cases {
                let response = try await Self.post(client, path, token, body)
                #expect(response.status == status, "\(path) \(body)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(path) \(body)")
            }
            var headers = Self.headers(token, json: false)
            headers[.contentType] = "text/plain"
            let wrongType = try await client.execute(
                uri: "/exchange/v1/members", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"id":"CVT/GOV/700000031","name":"X"}"#))
            #expect(wrongType.status == .unsupportedMediaType)
            let oversized = try await Self.post(
                client, "/exchange/v1/members", token, String(repeating: " ", count: 2 * 1024 * 1024))
            #expect(oversized.status == .contentTooLarge)
            let unknown = try await client.execute(
                uri: "/exchange/v1/members/GOV/123456789", method: .delete, headers: Self.headers(token))
            #expect(unknown.status == .notFound)
            let badSegment = try await client.execute(
                uri: "/exchange/v1/members/GOV/12%3B34", method: .delete, headers: Self.headers(token))
            #expect(badSegment.status == .notFound)
            let badID = try await client.execute(
                uri: "/exchange/v1/access-rights/abc", method: .delete, headers: Self.headers(token))
            #expect(badID.status == .notFound)
            #expect(try await world.registry.revision() == revision)
        }
    }

    @Test("the global configuration and its signature are served by version", arguments: DatabaseEngine.allCases)
    func servesConfiguration(engine: DatabaseEngine) async throws {
        try await Self.with(engine) { client, world, _, _ in
            try await world.populate()
            let newest = try await client.execute(uri: "/exchange/global-configuration", method: .get)
            #expect(newest.status == .ok)
            #expect(newest.headers[.contentType] == "application/json")
            #expect(newest.headers[.contentLocation] == "/exchange/global-configuration/1")
            let content = Array(newest.body.readableBytesView)
            let signature = try await client.execute(uri: "/exchange/global-configuration/1/signature", method: .get)
            #expect(signature.headers[.contentType] == "application/pkcs7-signature")
            let verifier = GlobalConfigurationVerifier(
                trustAnchor: try await world.pki.certificate(role: .root).certificate, instance: "CVT",
                clock: world.clock)
            let verified = try await verifier.verify(
                content: content, signature: Array(signature.body.readableBytesView))
            #expect(verified.configuration.version == 1)
            let again = try await client.execute(uri: "/exchange/global-configuration/1", method: .get)
            #expect(Array(again.body.readableBytesView) == content)
            for path in [
                "/exchange/global-configuration/2", "/exchange/global-configuration/x/signature",
                "/exchange/global-configuration/-1", "/exchange/global-configuration/99999999999999999999",
            ] {
                let missing = try await client.execute(uri: path, method: .get)
                #expect(missing.status == .notFound, "\(path)")
            }
        }
    }

    @Test("a node downloads the configuration over real HTTP, verifies it and keeps it")
    func downloadsOverHTTP() async throws {
        try await World.with(.sqlite) { world in
            try await world.populate()
            let settings = WebSettings()
            let renderer = try await PageRenderer.bundled(settings: settings)
            let router = Router(context: CivitasRequestContext.self)
            router.add(middleware: RequestContextMiddleware(settings: settings))
            router.add(middleware: ErrorMiddleware(renderer: renderer))
            let routes = RouteTable()
            let publisher = GlobalConfigurationPublisher(
                registry: world.registry, database: world.database, pki: world.pki, clock: world.clock)
            GlobalConfigurationRoutes(publisher: publisher).register(in: routes)
            routes.install(on: router)
            let anchor = try await world.pki.certificate(role: .root).certificate
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                .test(.live) { client in
                    let port = try #require(client.port)
                    let directory = FileManager.default.temporaryDirectory
                        .appendingPathComponent("civitas-gconf-\(UUID().uuidString)").path
                    defer { try? FileManager.default.removeItem(atPath: directory) }
                    let node = GlobalConfigurationClient(
                        source: HTTPGlobalConfigurationSource(baseURL: "http://127.0.0.1:\(port)/"),
                        verifier: GlobalConfigurationVerifier(trustAnchor: anchor, instance: "CVT", clock: world.clock),
                        directory: directory, clock: world.clock)
                    try await node.refresh()
                    #expect(try await node.current().services.map(\.id) == ["CVT/GOV/700000015/registry/persons"])
                    let missing = GlobalConfigurationClient(
                        source: HTTPGlobalConfigurationSource(baseURL: "http://127.0.0.1:\(port)/nothing-here"),
                        verifier: GlobalConfigurationVerifier(trustAnchor: anchor, instance: "CVT", clock: world.clock),
                        directory: directory + "-missing", clock: world.clock)
                    let error = await #expect(throws: ExchangeError.self) { try await missing.refresh() }
                    #expect(error?.code == .globalConfigurationUnavailable)
                }
        }
    }
}
