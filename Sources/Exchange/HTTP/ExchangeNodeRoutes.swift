import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Web

/// The client side's door for the member's own systems: every method on `/r1/**` (X-Road Message Protocol for
/// REST), answered by ``ExchangeNodeRuntime/clientRequest(method:target:fields:body:)``, the body spooled as it arrives.
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
        let body: MessageBody
        do throws(NodeFault) {
            body = try await runtime.receive(request.body, side: .clientProxyInternalError)
        } catch {
            return Self.response(error.answer(detail: request.headers[ExchangeHeaders.id] ?? "-"))
        }
        let target = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        let answer = await runtime.clientRequest(
            method: request.method.rawValue, target: target, fields: request.headers, body: body)
        return Self.response(answer)
    }

    /// The answer as a response; a spooled body is streamed from its file, with its length.
    static func response(_ answer: NodeAnswer) -> Response {
        var fields = answer.fields
        fields[.contentLength] = nil
        if let bytes = answer.body.inMemory {
            return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let body = answer.body
        return Response(
            status: answer.status, headers: fields,
            body: ResponseBody(contentLength: body.count) { writer in
                for try await chunk in body.chunks() { try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }
}
