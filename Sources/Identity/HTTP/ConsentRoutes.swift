import Audit
import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Trust
public import Web

/// The GovStack Consent building block API at `/consent/v1/…`: the config, service and audit groups.
///
/// Every route authenticates a registered API client (`Authorization: Bearer <token>`, or the GovStack
/// `X-GovStack-AuthenticationToken` header) and requires the scope of its group (``ConsentAccessPolicy``);
/// the routes take no cookies, so they are exempt from the cookie CSRF check. Paths are the specification's
/// (with or without the trailing slash), bodies and answers use its camelCase names, and every refusal is
/// RFC 9457 problem details. The service routes that act for an individual take the individual's id from the
/// `X-ConsentBB-IndividualId` header or the `individualId` query parameter.
public struct ConsentRoutes: Sendable {
    let store: ConsentStore
    let clients: APIClientRegistry
    /// The mount point of the API.
    public static let prefix = "/consent/v1"
    /// The largest request body read.
    static let maximumBodySize = 64 * 1024
    static let individualHeader = HTTPField.Name("X-ConsentBB-IndividualId")!

    /// Creates the routes over `store`, authenticating clients with `clients`.
    public init(store: ConsentStore, clients: APIClientRegistry) {
        self.store = store
        self.clients = clients
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        registerConfiguration(in: routes)
        registerService(in: routes)
        registerAudit(in: routes)
        routes.get("\(Self.prefix)/keys") { _, _ in
            let keys = try await store.seal.publishedKeys()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = String(decoding: try encoder.encode(["keys": keys]), as: UTF8.self)
            return Response(
                status: .ok, headers: [.contentType: "application/jwk-set+json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    typealias ClientHandler = @Sendable (Request, CivitasRequestContext, APIClient) async throws -> Response

    /// Registers `path` (the specification's, without its trailing slash) for `group`: authenticate, check the
    /// scope, map the Identity block's errors.
    func route(
        _ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, _ group: ConsentAccessPolicy.Group,
        _ handler: @escaping ClientHandler
    ) {
        let clients = self.clients
        routes.add(method, Self.prefix + path, csrf: .exempt) { request, context in
            let client: APIClient
            switch await ConsentAccessPolicy.authorize(request, group: group, clients: clients) {
            case .allowed(let allowed): client = allowed
            case .refused(let status, let code, let challenge, let detail):
                return Self.authenticationProblem(
                    status, code: code, challenge: challenge, detail: detail, request: request, context: context)
            }
            var context = context
            context.logger[metadataKey: "client"] = "\(client.id)"
            do {
                return try await handler(request, context, client)
            } catch let error as IdentityError {
                throw error.problem()
            }
        }
    }

    /// A 401 or 403 problem with its `WWW-Authenticate` challenge (RFC 6750 §3).
    static func authenticationProblem(
        _ status: HTTPResponse.Status, code: String, challenge: String, detail: String, request: Request,
        context: CivitasRequestContext
    ) -> Response {
        let body = ProblemDetails(
            type: ErrorMiddleware.problemTypeBase + code, title: status.reasonPhrase, status: status.code,
            detail: detail, instance: request.uri.path, requestID: context.requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data()
        return Response(
            status: status,
            headers: [
                .contentType: "application/problem+json", .cacheControl: "no-store", .wwwAuthenticate: challenge,
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    // MARK: - Input

    /// Reads a JSON body of at most ``maximumBodySize`` bytes into `T`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
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
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw HTTPProblem.badRequest("The body lacks \(path).")
        } catch let DecodingError.typeMismatch(_, context) {
            throw HTTPProblem.badRequest(
                "The body's \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch {
            throw HTTPProblem.badRequest("The body is not the JSON object this operation takes.")
        }
    }

    /// An id from the path or query: refused as malformed (400) unless it has the shape of the store's ids.
    static func identifier(_ value: String?, _ name: String) throws -> String {
        guard let value, !value.isEmpty else { throw HTTPProblem.badRequest("\(name) is required.") }
        guard ConsentStore.isWellFormedID(value) else {
            throw HTTPProblem.badRequest("\(name) is not a well-formed id (such as da-0123456789abcdef).")
        }
        return value
    }

    /// The individual the request acts for: `X-ConsentBB-IndividualId`, else `?individualId=`.
    static func individualID(_ request: Request) throws -> String {
        let value =
            request.headers[individualHeader]?.trimmingCharacters(in: .whitespaces)
            ?? request.uri.queryParameters.get("individualId")
        return try identifier(value, "the individual id (X-ConsentBB-IndividualId)")
    }

    /// `offset` and `limit`.
    static func page(_ request: Request) throws -> ConsentStore.Page {
        func integer(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = request.uri.queryParameters.get(name) else { return fallback }
            guard let value = Int(text) else { throw HTTPProblem.badRequest("\(name) is not an integer.") }
            return value
        }
        do {
            return try ConsentStore.Page(offset: try integer("offset", 0), limit: try integer("limit", 100))
        } catch let error as IdentityError {
            throw HTTPProblem.badRequest(error.message + ".")
        }
    }

    static func actor(_ client: APIClient) -> AuditActor { AuditActor(kind: .machine, id: client.id) }

    // MARK: - Output

    /// A JSON answer: the named members in order.
    static func json(_ members: KeyValuePairs<String, (any Encodable & Sendable)?>) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Members(members: members.compactMap { name, value in value.map { (name, $0) } }))
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    private struct Members: Encodable {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let members: [(String, any Encodable & Sendable)]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (name, value) in members { try container.encode(value, forKey: Key(name)) }
        }
    }
}
