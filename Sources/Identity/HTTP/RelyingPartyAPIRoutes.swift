import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Trust
public import Web

/// The relying-party registry API, `/identity/v1/relying-parties`: list, register, read, change, disable
/// (`DELETE`) and rotate the secret (`POST {id}/secret`), for API clients registered in Trust with the
/// `identity.relying-parties` scope. Errors are RFC 9457 problem details; changes are audited under the client.
public struct RelyingPartyAPIRoutes: Sendable {
    private let registry: RelyingPartyRegistry
    private let clients: APIClientRegistry

    /// The largest request body read (a JWKS of a few keys fits many times).
    static let maximumBodySize = 64 * 1024

    /// Creates the routes.
    public init(registry: RelyingPartyRegistry, clients: APIClientRegistry) {
        self.registry = registry
        self.clients = clients
    }

    private typealias Handler = @Sendable (Request, CivitasRequestContext, AuditActor) async throws -> Response

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        let base = "/identity/v1/relying-parties"
        route(routes, .get, base) { _, _, _ in
            try Self.json(try await registry.records().map { RelyingPartyDocument($0) })
        }
        route(routes, .post, base) { request, context, actor in
            let document = try await Self.decode(request, context: context)
            guard let id = document.clientID else {
                throw Self.unprocessable("client_id: required when registering")
            }
            let (party, jwks) = try Self.checked { try document.party(clientID: id) }
            let secret = try await Self.mapped { try await registry.register(party, jwks: jwks, actor: actor) }
            return try await self.answer(id, secret: secret, status: .created)
        }
        route(routes, .get, base + "/{id}") { _, context, _ in
            try await self.answer(context.parameters.get("id") ?? "")
        }
        route(routes, .put, base + "/{id}") { request, context, actor in
            let id = context.parameters.get("id") ?? ""
            guard try await registry.record(id) != nil else { throw Self.unknown }
            let document = try await Self.decode(request, context: context)
            let (party, jwks) = try Self.checked { try document.party(clientID: id) }
            let secret = try await Self.mapped { try await registry.update(party, jwks: jwks, actor: actor) }
            return try await self.answer(id, secret: secret)
        }
        route(routes, .delete, base + "/{id}") { _, context, actor in
            try await Self.mapped { try await registry.disable(context.parameters.get("id") ?? "", actor: actor) }
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        route(routes, .post, base + "/{id}/secret") { _, context, actor in
            let id = context.parameters.get("id") ?? ""
            let secret = try await Self.mapped { try await registry.rotateSecret(of: id, actor: actor) }
            return try await self.answer(id, secret: secret)
        }
    }

    private func answer(_ id: String, secret: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response
    {
        guard let record = try await registry.record(id) else { throw Self.unknown }
        var response = try Self.json(RelyingPartyDocument(record, secret: secret))
        response.status = status
        return response
    }

    private func route(_ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler)
    {
        let clients = self.clients
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
            let scope = APIScope.identityRelyingParties
            guard client.scopes.contains(scope) else {
                return Self.challenge(
                    .forbidden, code: "insufficient-scope",
                    challenge: "Bearer realm=\"civitas\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\"",
                    detail: "This client does not have the \(scope.rawValue) scope.", request: request,
                    context: context)
            }
            var context = context
            context.logger[metadataKey: "client"] = "\(client.id)"
            return try await handler(request, context, AuditActor(kind: .machine, id: client.id))
        }
    }

    static let unknown = HTTPProblem.notFound("No relying party has this client ID.")

    static func unprocessable(_ detail: String) -> HTTPProblem {
        HTTPProblem(.unprocessableContent, code: "invalid-relying-party", detail: detail)
    }

    /// Runs `body`, mapping the registry's errors to problem details.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IdentityError {
            switch error.code {
            case .invalidRecord: throw unprocessable(error.message)
            case .notFound: throw unknown
            case .alreadyRegistered: throw HTTPProblem(.conflict, code: "already-registered", detail: error.message)
            case .invalidTransition: throw HTTPProblem(.conflict, code: "conflict", detail: error.message)
            default: throw error.problem()
            }
        }
    }

    static func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IdentityError where error.code == .invalidRecord {
            throw unprocessable(error.message)
        }
    }

    static func decode(_ request: Request, context: CivitasRequestContext) async throws -> RelyingPartyDocument {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == "application/json" else {
            throw HTTPProblem(
                .unsupportedMediaType, code: "unsupported-media-type", detail: "Send JSON (application/json).")
        }
        var request = request
        let body = try await request.collectBody(upTo: maximumBodySize)
        do {
            return try JSONDecoder().decode(RelyingPartyDocument.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPProblem.badRequest(
                "The body is not a relying party's JSON object (client_name, redirect_uris, …).")
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](try encoder.encode(value)))))
    }

    /// A 401 or 403 with its `WWW-Authenticate` challenge (RFC 6750 §3), which ``ErrorMiddleware`` cannot add.
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
}
