import CivitasCore
import Foundation
import StorageTesting
import Testing

@testable import Exchange

/// What the tests read back from the answers: the GovStack shape, decoded.
struct ClientListReply: Decodable {
    struct Client: Decodable {
        struct ID: Decodable, Hashable {
            let objectType: String
            let instanceId: String
            let memberClass: String
            let memberCode: String
            let applicationCode: String?
        }
        let id: ID
        let name: String
    }
    let member: [Client]
}

struct ServiceListReply: Decodable {
    struct Service: Decodable {
        let objectType: String
        let serviceType: String
        let instanceId: String
        let memberClass: String
        let memberCode: String
        let applicationCode: String?
        let serviceCode: String
        let serviceVersion: String?
        let endpointList: EndpointList
    }
    struct EndpointList: Decodable {
        let member: [Endpoint]
    }
    struct Endpoint: Decodable, Hashable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
    }
    let member: [Service]

    /// Each service code with its endpoints as `METHOD path`.
    var endpoints: [String: [String]] {
        Dictionary(uniqueKeysWithValues: member.map { ($0.serviceCode, $0.endpointList.member.map(\.description)) })
    }
}

@Suite("Exchange metadata services")
struct MetadataServicesTests {
    static let registry = try! XRoadClientIdentifier("CVT/GOV/700000015/registry")
    static let tax = try! XRoadClientIdentifier("CVT/GOV/700000023/tax")
    static let customs = try! XRoadClientIdentifier("CVT/GOV/700000023/customs")
    static let revenue = try! XRoadClientIdentifier("CVT/GOV/700000023")

    /// The civil registry's `persons` service, described in JSON.
    static let personsJSON = #"""
        {
          "openapi": "3.0.3",
          "info": {"title": "Persons", "version": "1"},
          "servers": [{"url": "https://registry.example/api"}],
          "paths": {
            "/persons": {
              "get": {"responses": {"200": {"description": "a page of persons"}}},
              "post": {"responses": {"201": {"description": "registered"}}}
            },
            "/persons/{personalNumber}": {
              "parameters": [{"name": "personalNumber", "in": "path", "required": true, "schema": {"type": "string"}}],
              "get": {"responses": {"200": {"description": "one person"}}},
              "put": {"responses": {"200": {"description": "updated"}}},
              "delete": {"responses": {"204": {"description": "removed"}}}
            },
            "/persons/{personalNumber}/acts": {
              "summary": "civil acts",
              "get": {"responses": {"200": {"description": "acts"}}}
            },
            "x-internal": {"get": {}}
          }
        }
        """#

    /// The civil registry's `acts` service, described in YAML with what editors write: comments, quoted keys,
    /// sequences at their key's indentation, block scalars that look like keys.
    static let actsYAML = """
        # Civil acts
        openapi: 3.0.3
        info:
          title: Civil acts
          description: |
            Not operations, only text:
            get:
            /fake:
          version: '1'
        paths:
          /acts:   # every act
            get:
              summary: List acts
              tags:
              - acts
              responses:
                '200':
                  description: OK
          '/acts/{actId}':
            parameters:
            - name: actId
              in: path
              required: true
              schema: {type: string}
            get:
              responses: {'200': {description: OK}}
            patch:
              responses:
                '200':
                  description: >
                    post:
                    delete:
          "/acts/{actId}/copies":
            post:
              responses:
                '201':
                  description: a certified copy
          x-draft: {}
        components:
          schemas: {}
        """

    static let services: [ProvidedService] = [
        provided("persons", openAPI: personsJSON),
        provided("acts", openAPI: actsYAML, version: "v2"),
        provided("archive"),
        provided("broken", openAPI: "this is: not an OpenAPI description"),
        provided("listMethods"),
        ProvidedService(
            id: try! XRoadServiceIdentifier(provider: tax, serviceCode: "returns"), title: "Tax returns",
            backendURL: URL(string: "http://tax.internal")!),
    ]

    static func provided(_ code: String, openAPI: String? = nil, version: String? = nil) -> ProvidedService {
        ProvidedService(
            id: try! XRoadServiceIdentifier(provider: registry, serviceCode: code, serviceVersion: version),
            title: code.capitalized, backendURL: URL(string: "http://registry.internal:8080/\(code)")!,
            openAPI: openAPI)
    }

    static func rule(
        _ client: XRoadClientIdentifier, _ service: String, method: String? = nil, path: String? = nil
    ) -> GlobalConfiguration.AccessRule {
        GlobalConfiguration.AccessRule(
            client: client.description, service: "\(registry)/\(service)", method: method, path: path)
    }

    static func configuration(rules: [GlobalConfiguration.AccessRule] = []) -> GlobalConfiguration {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return GlobalConfiguration(
            instance: "CVT", version: 7, createdAt: now, expiresAt: now.addingTimeInterval(3_600),
            members: [
                .init(
                    id: "CVT/GOV/700000023", name: "Revenue Service",
                    subsystems: ["CVT/GOV/700000023/tax", "CVT/GOV/700000023/customs"]),
                .init(id: "FED/COM/12345", name: "Federated Company", subsystems: ["FED/COM/12345/shop"]),
                .init(id: "CVT/GOV/700000015", name: "Civil Registry", subsystems: ["CVT/GOV/700000015/registry"]),
                .init(id: "CVT/COM/400000001", name: "Example Bank", subsystems: []),
            ],
            nodes: [], services: [], accessRights: rules, trustedCAs: [],
            timeStampingURL: "https://trust.civitas.example/tsa", ocspURL: "https://trust.civitas.example/ocsp",
            policies: .init())
    }

    /// The rules the `allowedMethods` tests use: the tax office may read one person at a time and everything of
    /// `acts`; customs may use `persons` only on `/persons/*` and `acts` only with GET; the tax office may POST to
    /// the undescribed `archive`; nobody has a right on `broken`.
    static let rules = [
        rule(tax, "persons", method: "GET", path: "/persons/*"),
        rule(tax, "acts"),
        rule(tax, "archive", method: "POST"),
        rule(customs, "persons", path: "/persons/*"),
        rule(customs, "acts", method: "GET"),
        // Rules that must not leak into other clients' or providers' answers.
        GlobalConfiguration.AccessRule(
            client: tax.description, service: "CVT/GOV/700000023/tax/returns", method: nil, path: nil),
        rule(try! XRoadClientIdentifier("CVT/COM/400000001/bank"), "persons"),
    ]

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    // MARK: - listClients

    @Test("listClients lists every member and subsystem, sorted, subsystems as APPLICATION with their member's name")
    func listsClients() throws {
        let answer = try Self.decode(ClientListReply.self, MetadataServices.listClients(Self.configuration()))
        let ids = answer.member.map { [$0.id.instanceId, $0.id.memberClass, $0.id.memberCode, $0.id.applicationCode] }
        #expect(
            ids == [
                ["CVT", "COM", "400000001", nil],
                ["CVT", "GOV", "700000015", nil],
                ["CVT", "GOV", "700000015", "registry"],
                ["CVT", "GOV", "700000023", nil],
                ["CVT", "GOV", "700000023", "customs"],
                ["CVT", "GOV", "700000023", "tax"],
                ["FED", "COM", "12345", nil],
                ["FED", "COM", "12345", "shop"],
            ])
        #expect(
            answer.member.map(\.id.objectType) == [
                "MEMBER", "MEMBER", "APPLICATION", "MEMBER", "APPLICATION", "APPLICATION", "MEMBER", "APPLICATION",
            ])
        #expect(answer.member[4].name == "Revenue Service")
        #expect(answer.member[0].name == "Example Bank")
    }

    @Test("listClients of one instance lists only its clients; of an instance not in the configuration, none")
    func listsClientsOfOneInstance() throws {
        let federated = try Self.decode(
            ClientListReply.self, MetadataServices.listClients(Self.configuration(), instance: "FED"))
        #expect(federated.member.map(\.id.memberCode) == ["12345", "12345"])
        #expect(federated.member.map(\.id.applicationCode) == [nil, "shop"])
        let unknown = MetadataServices.listClients(Self.configuration(), instance: "XX")
        #expect(String(decoding: unknown, as: UTF8.self) == #"{"member":[]}"#)
    }

    @Test("listClients writes GovStack's names exactly: camelCase, the list under member, keys sorted, no spaces")
    func listClientsBytes() throws {
        var configuration = Self.configuration()
        configuration.members = [
            .init(id: "CVT/GOV/700000015", name: "Civil Registry", subsystems: ["CVT/GOV/700000015/registry"])
        ]
        let text = String(decoding: MetadataServices.listClients(configuration), as: UTF8.self)
        #expect(
            text
                == #"{"member":[{"id":{"instanceId":"CVT","memberClass":"GOV","memberCode":"700000015","#
                + #""objectType":"MEMBER"},"name":"Civil Registry"},{"id":{"applicationCode":"registry","#
                + #""instanceId":"CVT","memberClass":"GOV","memberCode":"700000015","objectType":"APPLICATION"},"#
                + #""name":"Civil Registry"}]}"#)
        // The same configuration always gives the same bytes.
        #expect(MetadataServices.listClients(configuration) == MetadataServices.listClients(configuration))
    }

    // MARK: - listMethods

    @Test("listMethods lists the provider's services with the operations of their JSON and YAML descriptions")
    func listsMethods() throws {
        let answer = try Self.decode(
            ServiceListReply.self, MetadataServices.listMethods(provider: Self.registry, services: Self.services))
        // By service code; not the metadata services' own codes, not another provider's services.
        #expect(answer.member.map(\.serviceCode) == ["acts", "archive", "broken", "persons"])
        #expect(
            answer.endpoints["persons"] == [
                "GET /persons", "POST /persons", "GET /persons/*", "PUT /persons/*", "DELETE /persons/*",
                "GET /persons/*/acts",
            ])
        #expect(answer.endpoints["acts"] == ["GET /acts", "GET /acts/*", "PATCH /acts/*", "POST /acts/*/copies"])
        #expect(answer.member.map(\.serviceType) == ["OPENAPI", "REST", "OPENAPI", "OPENAPI"])
        // Without a description, or with one that cannot be read, the node knows only that any call may go through.
        #expect(answer.endpoints["archive"] == ["* /**"])
        #expect(answer.endpoints["broken"] == ["* /**"])
        let acts = try #require(answer.member.first { $0.serviceCode == "acts" })
        #expect(acts.objectType == "SERVICE")
        #expect(
            [acts.instanceId, acts.memberClass, acts.memberCode, acts.applicationCode] == [
                "CVT", "GOV", "700000015", "registry",
            ])
        #expect(acts.serviceVersion == "v2")
        #expect(answer.member.first { $0.serviceCode == "persons" }?.serviceVersion == nil)
    }

    @Test("listMethods of a provider with no services here, or of a member, is an empty list")
    func listsNothing() {
        let empty = #"{"member":[]}"#
        let none = MetadataServices.listMethods(provider: Self.customs, services: Self.services)
        #expect(String(decoding: none, as: UTF8.self) == empty)
        let member = MetadataServices.listMethods(provider: Self.registry.member, services: Self.services)
        #expect(String(decoding: member, as: UTF8.self) == empty)
    }

    // MARK: - allowedMethods

    @Test("allowedMethods shows a client only the services and endpoints its access rules allow")
    func allowedMethodsNarrows() throws {
        let configuration = Self.configuration(rules: Self.rules)
        let forTax = try Self.decode(
            ServiceListReply.self,
            MetadataServices.allowedMethods(
                provider: Self.registry, client: Self.tax, configuration: configuration, services: Self.services))
        // No right on broken: hidden. Another provider's service: not this provider's answer.
        #expect(forTax.member.map(\.serviceCode) == ["acts", "archive", "persons"])
        // One method and one path pattern: exactly that endpoint.
        #expect(forTax.endpoints["persons"] == ["GET /persons/*"])
        // No method and no path: every endpoint of the description.
        #expect(forTax.endpoints["acts"] == ["GET /acts", "GET /acts/*", "PATCH /acts/*", "POST /acts/*/copies"])
        // A method on an undescribed service: that method, any path.
        #expect(forTax.endpoints["archive"] == ["POST /**"])

        let forCustoms = try Self.decode(
            ServiceListReply.self,
            MetadataServices.allowedMethods(
                provider: Self.registry, client: Self.customs, configuration: configuration, services: Self.services))
        #expect(forCustoms.member.map(\.serviceCode) == ["acts", "persons"])
        // A path pattern alone: the described endpoints it covers, every method.
        #expect(forCustoms.endpoints["persons"] == ["GET /persons/*", "PUT /persons/*", "DELETE /persons/*"])
        // A method alone: the described endpoints of that method.
        #expect(forCustoms.endpoints["acts"] == ["GET /acts", "GET /acts/*"])
    }

    @Test("allowedMethods denies by default: no rules, another client's rules, or a member asking, show nothing")
    func allowedMethodsDeniesByDefault() {
        let empty = #"{"member":[]}"#
        for (client, rules) in [
            (Self.tax, []), (Self.revenue, Self.rules),
            (try! XRoadClientIdentifier("CVT/GOV/700000099/tax"), Self.rules),
        ] as [(XRoadClientIdentifier, [GlobalConfiguration.AccessRule])] {
            let answer = MetadataServices.allowedMethods(
                provider: Self.registry, client: client, configuration: Self.configuration(rules: rules),
                services: Self.services)
            #expect(String(decoding: answer, as: UTF8.self) == empty, "\(client)")
        }
    }

    @Test("allowedMethods agrees with permits: a listed endpoint is callable, and a described call allowed is listed")
    func allowedMethodsAgreesWithPermits() throws {
        let configuration = Self.configuration(rules: Self.rules)
        // Service, method, path, and whether the service's description has that operation (or has none at all).
        let calls: [(String, String, String, described: Bool)] = [
            ("persons", "GET", "/persons/01001011116", true), ("persons", "PUT", "/persons/01001011116", true),
            ("persons", "GET", "/persons", true), ("persons", "GET", "/persons/01001011116/acts", true),
            ("acts", "GET", "/acts", true), ("acts", "PATCH", "/acts/7", true),
            ("acts", "POST", "/acts/7/copies", true),
            ("acts", "DELETE", "/acts/7", false), ("archive", "POST", "/boxes/1", true),
            ("archive", "GET", "/boxes/1", true), ("broken", "GET", "/", true),
        ]
        for client in [Self.tax, Self.customs] {
            let answer = try Self.decode(
                ServiceListReply.self,
                MetadataServices.allowedMethods(
                    provider: Self.registry, client: client, configuration: configuration, services: Self.services))
            for (code, method, path, described) in calls {
                let listed = (answer.member.first { $0.serviceCode == code }?.endpointList.member ?? []).contains {
                    ($0.method == method || $0.method == "*")
                        && ServiceEndpoint(method: method, path: path).isCovered(byPathPattern: $0.path)
                }
                let permitted = configuration.permits(
                    client: client.description, service: "\(Self.registry)/\(code)", method: method, path: path)
                if listed { #expect(permitted, "\(client) \(method) \(code)\(path) is listed") }
                // A call the description does not have (tax's DELETE /acts/7) is allowed, but is not an endpoint.
                if described { #expect(listed == permitted, "\(client) \(method) \(code)\(path)") }
            }
        }
    }

    // MARK: - getOpenAPI

    @Test("getOpenAPI serves the description as stored, as application/json or text/yaml")
    func servesDescriptions() throws {
        let persons = try MetadataServices.openAPI(
            serviceCode: "persons", provider: Self.registry, services: Self.services)
        #expect(persons.contentType == "application/json; charset=utf-8")
        #expect(persons.body == Array(Self.personsJSON.utf8))
        let acts = try MetadataServices.openAPI(serviceCode: "acts", provider: Self.registry, services: Self.services)
        #expect(acts.contentType == "text/yaml; charset=utf-8")
        #expect(acts.body == Array(Self.actsYAML.utf8))
        // Served even when its operations cannot be read: it is the operator's text.
        let broken = try MetadataServices.openAPI(
            serviceCode: "broken", provider: Self.registry, services: Self.services)
        #expect(broken.contentType == "text/yaml; charset=utf-8")
    }

    @Test(
        "getOpenAPI refuses an unknown service, one without a description, and a missing or malformed serviceCode",
        arguments: [
            ("pets", ExchangeError.Code.notFound, "provides no service pets"),
            ("returns", .notFound, "provides no service returns"),
            ("listMethods", .notFound, "provides no service listMethods"),
            ("archive", .noServiceDescription, "has no OpenAPI description"),
            ("", .invalidRecord, "serviceCode"),
            ("_invalid", .invalidRecord, "serviceCode"),
            ("a/b", .invalidRecord, "serviceCode"),
        ])
    func refusesDescriptions(serviceCode: String, code: ExchangeError.Code, words: String) {
        let error = #expect(throws: ExchangeError.self) {
            _ = try MetadataServices.openAPI(
                serviceCode: serviceCode, provider: Self.registry, services: Self.services)
        }
        #expect(error?.code == code)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }

    // MARK: - Reading OpenAPI descriptions

    @Test(
        "a description that cannot be read is a clear invalidServiceDescription error, never a crash",
        arguments: [
            ("", "no top-level openapi"),
            ("{", "starts with { but is not JSON"),
            ("{openapi: 3.0.0, paths: {}}", "starts with { but is not JSON"),
            (#"{"paths": {}}"#, "no top-level openapi"),
            (#"{"openapi": "3.1.0", "paths": []}"#, "paths is not an object"),
            (#"{"openapi": "3.1.0", "paths": {"persons": {}}}"#, #"the path "persons" does not start with /"#),
            (#"{"openapi": "3.1.0", "paths": {"/a": 1}}"#, #"the path item of "/a" is not an object"#),
            (##"{"openapi": "3.1.0", "paths": {"/a": {"$ref": "#/components/pathItems/a"}}}"##, "references"),
            ("this is: not an OpenAPI description", "no top-level openapi"),
            ("- openapi: 3.0.0", "line 1: the document is not a mapping"),
            ("openapi: 3.0.0\npaths: {/a: {get: {}}}", "line 2: paths must be a block mapping"),
            ("openapi: 3.0.0\npaths: *all", "line 2: an alias"),
            ("openapi: 3.0.0\npaths:\n  /a: *item", "line 3: an alias"),
            ("openapi: 3.0.0\npaths:\n  /a: {get: {}}", "line 3: the path item of \"/a\" must be a block mapping"),
            ("openapi: 3.0.0\npaths:\n  /a:\n    $ref: '#/x'", "line 4: a path item $ref is not followed"),
            ("openapi: 3.0.0\npaths:\n  /a:\n    <<: *common", "line 4: merge keys"),
            ("openapi: 3.0.0\npaths:\n  /a:\n    get: {}\n  b:\n    get: {}", "line 5: the path \"b\""),
            ("openapi: 3.0.0\npaths:\n    /a:\n      get: {}\n  /b:", "line 5: the indentation under paths"),
            ("openapi: 3.0.0\npaths:\n  /a:\n      get: {}\n    put: {}", "line 5: the indentation of a path item"),
            ("openapi: 3.0.0\npaths:\n  ? /a\n  : {}", "line 3: explicit ? keys"),
            ("openapi: 3.0.0\npaths:\n  - /a", "line 3: paths is not a mapping"),
            ("openapi: 3.0.0\npaths:\n  /a:\n  \tget: {}", "line 4: a tab"),
            ("openapi: 3.0.0\npaths:\n  '/a:\n    get: {}", "line 3: a single-quoted key does not end"),
            ("openapi: 3.0.0\npaths:\n  \"/a\\x\":\n    get: {}", "line 3: the escape \\x"),
            ("openapi: 3.0.0\npaths:\n  /a\n", "line 3: a key: value line was expected"),
            ("openapi: 3.0.0\npaths:\n  \"/a\"x:\n", "line 3: a : was expected"),
            ("--- openapi: 3.0.0", "line 1: content on the --- line"),
        ])
    func refusesUnreadableDescriptions(text: String, words: String) {
        let error = #expect(throws: ExchangeError.self) { _ = try OpenAPIEndpoints.read(text) }
        #expect(error?.code == .invalidServiceDescription)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }

    @Test("the YAML reader understands directives, document markers, CRLF, escapes, empty and Swagger 2 documents")
    func readsYAMLForms() throws {
        let forms: [(String, [String])] = [
            ("%YAML 1.2\n---\nopenapi: 3.1.0\npaths:\n  /a:\n    get: {}\n...\n  /b:\n    get: {}", ["GET /a"]),
            ("openapi: 3.1.0\r\npaths:\r\n  /a/{id}:\r\n    delete:\r\n      responses: {}\r\n", ["DELETE /a/*"]),
            ("openapi: 3.1.0\npaths:\n  \"/a\\u002Fb\\\\c\\\"\":\n    head: {}", [#"HEAD /a/b\c""#]),
            (
                "openapi: 3.1.0\npaths:\n  '/it''s':\n    options: {}\n    trace: *op\n",
                ["OPTIONS /it's", "TRACE /it's"]
            ),
            ("openapi: 3.1.0\npaths: &p\n  /a: &item\n    get: !!map {}\n", ["GET /a"]),
            ("openapi: 3.1.0\npaths: {}", []),
            ("openapi: 3.1.0\ninfo: {title: t, version: '1'}", []),
            ("openapi: 3.1.0\npaths:\n  /a: {}\n  /b:\n  /items/{id}:cancel:\n    post: {}", ["POST /items/*"]),
            (
                "swagger: '2.0'\npaths:\n  /pets:\n    get: {}\n    x-get: {}\n    GET: {}\n---\nopenapi: 3.0.0",
                ["GET /pets"]
            ),
            ("\u{FEFF}openapi: 3.1.0\npaths:\n  \"/a\" :\n    get: {}", ["GET /a"]),
        ]
        for (text, expected) in forms {
            let endpoints = try OpenAPIEndpoints.read(text).map { "\($0.method) \($0.path)" }
            #expect(endpoints == expected, "\(text)")
        }
        #expect(try OpenAPIEndpoints.read("\n  {\"swagger\": \"2.0\", \"paths\": {\"/p\": {\"get\": {}}}}").count == 1)
    }

    @Test("the readers survive every prefix and many one-byte changes of the sample descriptions")
    func survivesDamage() {
        for sample in [Self.actsYAML, Self.personsJSON] {
            let bytes = Array(sample.utf8)
            var generator = SystemRandomNumberGenerator()
            var damaged: [[UInt8]] = (0...bytes.count).map { Array(bytes.prefix($0)) }
            for _ in 0..<300 {
                var copy = bytes
                copy[Int.random(in: 0..<copy.count, using: &generator)] = [
                    UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "{"),
                    UInt8(ascii: "*"), UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: "\\"), 0xFF,
                ].randomElement(using: &generator)!
                damaged.append(copy)
            }
            for input in damaged {
                // Either endpoints or the error: nothing else, and never a crash.
                do throws(ExchangeError) {
                    for endpoint in try OpenAPIEndpoints.read(String(decoding: input, as: UTF8.self)) {
                        #expect(endpoint.path.hasPrefix("/"))
                    }
                } catch {
                    #expect(error.code == .invalidServiceDescription)
                }
            }
        }
    }

    // MARK: - X-Road errors

    @Test("an X-Road error body is type, message and detail, sent as 400 for Client errors and 500 for Server ones")
    func errorBodies() throws {
        let body = XRoadErrorBody.json(
            type: .serverProxyAccessDenied, message: "CVT/GOV/700000023/tax may not call persons",
            detail: "5ea48ae9-15c1-465a-be15-9b6ef2c7ef4a")
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"detail":"5ea48ae9-15c1-465a-be15-9b6ef2c7ef4a","message":"CVT/GOV/700000023/tax may not "#
                + #"call persons","type":"Server.ServerProxy.AccessDenied"}"#)
        let quoted = try #require(
            try JSONSerialization.jsonObject(
                with: Data(XRoadErrorBody.json(type: .badRequest, message: "a \"quoted\"\nline", detail: "x")))
                as? [String: String])
        #expect(quoted == ["type": "Client.BadRequest", "message": "a \"quoted\"\nline", "detail": "x"])
        #expect(XRoadErrorType.headerName == "X-Road-Error")
        #expect(XRoadErrorBody.contentType == "application/json; charset=utf-8")
        let all: [XRoadErrorType] = [
            .badRequest, .clientProxyOutdatedGlobalConf, .clientProxyUnknownMember, .clientProxyNetworkError,
            .clientProxySslAuthenticationFailed, .clientProxyInvalidSignatureValue, .clientProxyLoggingFailed,
            .clientProxyInternalError, .serverProxyAccessDenied, .serverProxyUnknownService,
            .serverProxyServiceFailed, .serverProxyNetworkError, .serverProxyDatabaseError,
            .serverProxySslAuthenticationFailed, .serverProxyInvalidSignatureValue, .serverProxyOutdatedGlobalConf,
            .serverProxyLoggingFailed, .serverProxyInternalError,
        ]
        #expect(Set(all).count == all.count)
        for type in all {
            let prefix = type.rawValue.split(separator: ".").prefix(2).joined(separator: ".")
            #expect(["Client.BadRequest", "Server.ClientProxy", "Server.ServerProxy"].contains(prefix), "\(type)")
            #expect(type.httpStatus == (type.rawValue.hasPrefix("Client.") ? 400 : 500))
        }
        #expect(XRoadErrorType("Server.ClientProxy.ServiceFailed.MissingBody").httpStatus == 500)
    }

    // MARK: - GovStack's schemas, checked by jsonschema

    @Test("the answers validate against the GovStack Directory Services schemas (PyYAML and jsonschema)")
    func govStackSchemas() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python = root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record(
                "\(python) is missing: run scripts/test, which creates .venv from scripts/requirements-test.txt")
            return
        }
        let spec = try #require(
            Self.govStackSpec(root: root),
            Comment(
                rawValue: "GovStack_IM_Directory_Services_API.yaml not found: set CIVITAS_SHARED to the project's "
                    + "shared/ folder (looked in CIVITAS_SHARED, then shared/ beside the package or its main checkout)")
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("civitas-im-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = Self.configuration(rules: Self.rules)
        let persons = try MetadataServices.openAPI(
            serviceCode: "persons", provider: Self.registry, services: Self.services)
        let acts = try MetadataServices.openAPI(serviceCode: "acts", provider: Self.registry, services: Self.services)
        let answers: [(operation: String, file: String, contentType: String, body: [UInt8])] = [
            (
                "listClients", "listClients.json", MetadataServices.jsonContentType,
                MetadataServices.listClients(configuration)
            ),
            (
                "listMethods", "listMethods.json", MetadataServices.jsonContentType,
                MetadataServices.listMethods(provider: Self.registry, services: Self.services)
            ),
            (
                "allowedMethods", "allowedMethods-tax.json", MetadataServices.jsonContentType,
                MetadataServices.allowedMethods(
                    provider: Self.registry, client: Self.tax, configuration: configuration, services: Self.services)
            ),
            (
                "allowedMethods", "allowedMethods-none.json", MetadataServices.jsonContentType,
                MetadataServices.allowedMethods(
                    provider: Self.registry, client: Self.revenue, configuration: configuration,
                    services: Self.services)
            ),
            ("getOpenAPI", "getOpenAPI-persons.json", persons.contentType, persons.body),
            ("getOpenAPI", "getOpenAPI-acts.yaml", acts.contentType, acts.body),
        ]
        var arguments = [root.appendingPathComponent("scripts/interop/govstack_im_shapes.py").path, spec]
        for answer in answers {
            let file = directory.appendingPathComponent(answer.file)
            try Data(answer.body).write(to: file)
            arguments.append("\(answer.operation)=\(file.path)=\(answer.contentType)")
        }
        let (status, output) = try Self.run(python, arguments)
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: "PASS ").count - 1 == answers.count, "\(output)")
    }

    /// The GovStack Information Mediator's Directory Services API, in the project's shared folder: `CIVITAS_SHARED`,
    /// `shared/` beside the package (the main checkout, CI), or beside the main checkout of a git worktree.
    static func govStackSpec(root: URL) -> String? {
        let relative = "specs/govstack/information-mediator/api/GovStack_IM_Directory_Services_API.yaml"
        var folders = [root.deletingLastPathComponent().appendingPathComponent("shared").path]
        // A worktree's .git is a file, `gitdir: MAIN/.git/worktrees/NAME`.
        if let link = try? String(contentsOf: root.appendingPathComponent(".git"), encoding: .utf8),
            link.hasPrefix("gitdir: "), let range = link.range(of: "/.git/worktrees/")
        {
            let main = String(link[link.index(link.startIndex, offsetBy: 8)..<range.lowerBound])
            folders.append(URL(fileURLWithPath: main).deletingLastPathComponent().appendingPathComponent("shared").path)
        }
        if let shared = ProcessInfo.processInfo.environment["CIVITAS_SHARED"] { folders.insert(shared, at: 0) }
        return folders.map { "\($0)/\(relative)" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Runs a program, returning its exit status and its standard output and error together.
    static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        try Subprocess.run(program, arguments)
    }
}
