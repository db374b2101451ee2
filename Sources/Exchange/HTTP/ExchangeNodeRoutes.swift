import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Web

/// The client side's door for the member's own systems: every method on `/r1/**` (X-Road Message Protocol for
/// REST), answered by ``ExchangeNodeRuntime/clientRequest(method:target:fields:body:)``.
public struct ExchangeNodeRoutes: Sendable {
    let runtime: ExchangeNodeRuntime

    /// The methods the protocol carries.
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]

    /// Creates the routes.
    public init(runtime: ExchangeNodeRuntime) {
        self.runtime = runtime
    }

    /// Registers `/r1/**`; no CSRF check: the callers are the member's systems, not browsers with cookies.
    public func register(in routes: RouteTable) {
        for method in Self.methods {
            routes.add(method, "/r1/**", csrf: .exempt) { request, _ in try await handle(request) }
        }
    }

    func handle(_ request: Request) async throws -> Response {
        let limit = (try? runtime.configuration.snapshot().policies.maximumMessageBytes) ?? (10 << 20)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            let fault = NodeFault(.badRequest, "the request body is over the \(limit) bytes a message may have")
            return Self.response(fault.answer(detail: request.headers[ExchangeHeaders.id] ?? "-"))
        }
        let target = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        let answer = await runtime.clientRequest(
            method: request.method.rawValue, target: target, fields: request.headers, body: Array(buffer: body))
        return Self.response(answer)
    }

    static func response(_ answer: NodeAnswer) -> Response {
        var fields = answer.fields
        fields[.contentLength] = nil
        return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
