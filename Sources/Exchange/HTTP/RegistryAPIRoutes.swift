import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SwiftASN1
public import Trust
public import Web
import X509

/// The central registry's admin API at `/exchange/v1/…`: members, subsystems, nodes (with their certificates and
/// clients), services (with their OpenAPI descriptions) and access rights, each listed (GET), added (POST) and
/// removed (DELETE).
///
/// Every route authenticates a Trust API client (`Authorization: Bearer <token>`) holding the
/// `exchange.registry` scope; 401 or 403 otherwise, with a `WWW-Authenticate` challenge. Identifiers in paths are
/// their parts (`/members/GOV/700000015`, the instance being the registry's); bodies carry the X-Road header form.
/// Every refusal is RFC 9457 problem details, and every change is audited with the client as actor.
public struct RegistryAPIRoutes: Sendable {
    private let registry: CentralRegistry
    private let clients: APIClientRegistry
    /// The mount point.
    public static let prefix = "/exchange/v1"
    static let maximumBodySize = CentralRegistry.maximumDescriptionSize * 2

    /// Creates the routes.
    public init(registry: CentralRegistry, clients: APIClientRegistry) {
        self.registry = registry
        self.clients = clients
    }

    private typealias Handler = @Sendable (Request, CivitasRequestContext, AuditActor) async throws -> Response

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        let registry = self.registry
        let prefix = Self.prefix
        route(routes, .get, "\(prefix)/members") { _, _, _ in
            try Self.json(
                try await registry.members().map {
                    RegistryAPIBodies.Member(
                        id: "\($0.id)", name: $0.name, subsystems: $0.subsystems.map(\.description))
                })
        }
        route(routes, .post, "\(prefix)/members") { request, context, actor in
            let body = try await Self.decode(RegistryAPIBodies.NewMember.self, request, context)
            let member = try await registry.addMember(try Self.client(body.id), name: body.name, actor: actor)
            return try Self.json(
                RegistryAPIBodies.Member(id: "\(member.id)", name: member.name, subsystems: []), status: .created)
        }
        route(routes, .delete, "\(prefix)/members/{class}/{code}") { _, context, actor in
            try await registry.removeMember(try Self.pathClient(context, registry, subsystem: false), actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .post, "\(prefix)/subsystems") { request, context, actor in
            let body = try await Self.decode(RegistryAPIBodies.NewSubsystem.self, request, context)
            try await registry.addSubsystem(try Self.client(body.id), actor: actor)
            return try Self.json(body, status: .created)
        }
        route(routes, .delete, "\(prefix)/subsystems/{class}/{code}/{subsystem}") { _, context, actor in
            try await registry.removeSubsystem(try Self.pathClient(context, registry, subsystem: true), actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .get, "\(prefix)/nodes") { _, _, _ in
            try Self.json(try await registry.nodes().map(Self.node))
        }
        route(routes, .post, "\(prefix)/nodes") { request, context, actor in
            let body = try await Self.decode(RegistryAPIBodies.NewNode.self, request, context)
            let id = try ExchangeNodeIdentifier(body.id)
            let address = try NodeAddress(body.address)
            let certificate = try body.certificate.map(Self.certificate)
            try await registry.addNode(id, address: address, actor: actor)
            if let certificate { try await registry.addNodeCertificate(certificate, to: id, actor: actor) }
            let node = try await registry.nodes().first { $0.id == id }
            return try Self.json(try node.map(Self.node), status: .created)
        }
        route(routes, .post, "\(prefix)/nodes/{class}/{code}/{server}/certificates") { request, context, actor in
            let id = try Self.pathNode(context, registry)
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let certificate = try Self.certificate(String(decoding: body.readableBytesView, as: UTF8.self))
            try await registry.addNodeCertificate(certificate, to: id, actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .post, "\(prefix)/nodes/{class}/{code}/{server}/clients") { request, context, actor in
            let id = try Self.pathNode(context, registry)
            let body = try await Self.decode(RegistryAPIBodies.NewNodeClient.self, request, context)
            try await registry.addNodeClient(try Self.client(body.subsystem), to: id, actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .delete, "\(prefix)/nodes/{class}/{code}/{server}") { _, context, actor in
            try await registry.removeNode(try Self.pathNode(context, registry), actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .get, "\(prefix)/services") { _, _, _ in
            try Self.json(
                try await registry.services().map {
                    RegistryAPIBodies.Service(
                        id: "\($0.id)", version: $0.id.serviceVersion, title: $0.title, openAPIDigest: $0.openAPIDigest)
                })
        }
        route(routes, .post, "\(prefix)/services") { request, context, actor in
            let body = try await Self.decode(RegistryAPIBodies.NewService.self, request, context)
            let id: XRoadServiceIdentifier
            do throws(IdentifierError) {
                id = try XRoadServiceIdentifier(body.id, version: body.version)
            } catch {
                throw HTTPProblem(.unprocessableContent, code: "invalid-record", detail: error.message)
            }
            try await registry.addService(
                id, title: body.title, openAPI: body.openapi.map { Array($0.utf8) }, actor: actor)
            let service = try await registry.services().first { $0.id == id }
            return try Self.json(
                RegistryAPIBodies.Service(
                    id: body.id, version: body.version, title: body.title, openAPIDigest: service?.openAPIDigest),
                status: .created)
        }
        route(routes, .get, "\(prefix)/services/{class}/{code}/{subsystem}/{service}/openapi") { _, context, _ in
            guard let description = try await registry.openAPIDescription(of: try Self.pathService(context, registry))
            else { throw HTTPProblem.notFound("This service has no OpenAPI description.") }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: description)))
        }
        route(routes, .delete, "\(prefix)/services/{class}/{code}/{subsystem}/{service}") { _, context, actor in
            try await registry.removeService(try Self.pathService(context, registry), actor: actor)
            return Response(status: .noContent)
        }
        route(routes, .get, "\(prefix)/access-rights") { _, _, _ in
            try Self.json(try await registry.accessRights().map(Self.right))
        }
        route(routes, .post, "\(prefix)/access-rights") { request, context, actor in
            let body = try await Self.decode(RegistryAPIBodies.NewAccessRight.self, request, context)
            let service: XRoadServiceIdentifier
            do throws(IdentifierError) {
                service = try XRoadServiceIdentifier(body.service)
            } catch {
                throw HTTPProblem(.unprocessableContent, code: "invalid-record", detail: error.message)
            }
            let right = try await registry.grantAccess(
                client: try Self.client(body.client), service: service, method: body.method, path: body.path,
                actor: actor)
            return try Self.json(Self.right(right), status: .created)
        }
        route(routes, .delete, "\(prefix)/access-rights/{id}") { _, context, actor in
            guard let text = context.parameters.get("id"), text.utf8.count <= 18,
                text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(text)
            else { throw HTTPProblem.notFound("An access right's id is a number.") }
            try await registry.revokeAccess(id: id, actor: actor)
            return Response(status: .noContent)
        }
    }

    // MARK: - Authentication

    private func route(
        _ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler
    ) {
        let clients = self.clients
        let scope = APIScope.exchangeRegistry
        routes.add(method, path, csrf: .exempt) { request, context in
            guard let token = BearerToken.of(request) else {
                return Self.challenge(
                    .unauthorized, code: "unauthenticated", challenge: "Bearer realm=\"civitas\"",
                    detail: "Authenticate with Authorization: Bearer <token>.", request: request, context: context)
            }
            let client: APIClient
            do {
                client = try await clients.authenticate(token: token)
            } catch let error as TrustError where error.code == .unauthenticated {
                return Self.challenge(
                    .unauthorized, code: "invalid-token",
                    challenge: "Bearer realm=\"civitas\", error=\"invalid_token\"",
                    detail: "The token is unknown or revoked.", request: request, context: context)
            }
            guard client.scopes.contains(scope) else {
                return Self.challenge(
                    .forbidden, code: "insufficient-scope",
                    challenge: "Bearer realm=\"civitas\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\"",
                    detail: "This client does not have the \(scope.rawValue) scope.", request: request, context: context
                )
            }
            var context = context
            context.logger[metadataKey: "client"] = "\(client.id)"
            let actor = AuditActor(kind: .machine, id: "api-client/\(client.id)")
            return try await ExchangeProblems.mapping { try await handler(request, context, actor) }
        }
    }

    static func challenge(
        _ status: HTTPResponse.Status, code: String, challenge: String, detail: String, request: Request,
        context: CivitasRequestContext
    ) -> Response {
        let body = ProblemDetails(
            type: ErrorMiddleware.problemTypeBase + code, title: status.reasonPhrase, status: status.code,
            detail: detail, instance: request.uri.path, requestID: context.requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status,
            headers: [
                .contentType: "application/problem+json", .cacheControl: "no-store", .wwwAuthenticate: challenge,
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8]((try? encoder.encode(body)) ?? Data()))))
    }

    // MARK: - Input and output

    static func decode<T: Decodable>(
        _ type: T.Type, _ request: Request, _ context: CivitasRequestContext
    ) async throws -> T {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/json" else {
            throw HTTPProblem(
                .unsupportedMediaType, code: "unsupported-media-type", detail: "Send JSON (application/json).")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodySize)
        } catch {
            throw HTTPProblem(.contentTooLarge, code: "content-too-large", detail: "The body is too large.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPProblem.badRequest("The body is not the JSON object this operation takes.")
        }
    }

    static func client(_ text: String) throws -> XRoadClientIdentifier {
        do throws(IdentifierError) {
            return try XRoadClientIdentifier(text)
        } catch {
            throw HTTPProblem(.unprocessableContent, code: "invalid-record", detail: error.message)
        }
    }

    static func segment(_ context: CivitasRequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding else {
            throw HTTPProblem.notFound()
        }
        return value
    }

    static func pathClient(
        _ context: CivitasRequestContext, _ registry: CentralRegistry, subsystem: Bool
    ) throws -> XRoadClientIdentifier {
        let memberClass = try segment(context, "class")
        let memberCode = try segment(context, "code")
        var subsystemCode: String?
        if subsystem { subsystemCode = try segment(context, "subsystem") }
        do throws(IdentifierError) {
            return try XRoadClientIdentifier(
                instance: registry.instance, memberClass: memberClass, memberCode: memberCode,
                subsystemCode: subsystemCode)
        } catch {
            throw HTTPProblem.notFound("No such identifier: \(error.message).")
        }
    }

    static func pathNode(_ context: CivitasRequestContext, _ registry: CentralRegistry) throws -> ExchangeNodeIdentifier
    {
        let owner = try pathClient(context, registry, subsystem: false)
        let code = try segment(context, "server")
        do throws(ExchangeError) {
            return try ExchangeNodeIdentifier(owner: owner, serverCode: code)
        } catch {
            throw HTTPProblem.notFound("No such node: \(error.message).")
        }
    }

    static func pathService(
        _ context: CivitasRequestContext, _ registry: CentralRegistry
    ) throws -> XRoadServiceIdentifier {
        let provider = try pathClient(context, registry, subsystem: true)
        let code = try segment(context, "service")
        do throws(IdentifierError) {
            return try XRoadServiceIdentifier(provider: provider, serviceCode: code)
        } catch {
            throw HTTPProblem.notFound("No such service: \(error.message).")
        }
    }

    static func certificate(_ text: String) throws -> Certificate {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try Certificate(pemEncoded: trimmed)
        } catch {
            throw HTTPProblem(
                .unprocessableContent, code: "invalid-record", detail: "The certificate must be one PEM certificate.")
        }
    }

    static func node(_ node: ExchangeNode) throws -> RegistryAPIBodies.Node {
        RegistryAPIBodies.Node(
            id: "\(node.id)", address: "\(node.address)",
            certificates: try node.certificates.map { try $0.serializeAsPEM().pemString },
            clients: node.clients.map(\.description))
    }

    static func right(_ right: AccessRight) -> RegistryAPIBodies.Right {
        RegistryAPIBodies.Right(
            id: right.id, client: "\(right.client)", service: "\(right.service)", method: right.method, path: right.path
        )
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](try encoder.encode(value)))))
    }
}
