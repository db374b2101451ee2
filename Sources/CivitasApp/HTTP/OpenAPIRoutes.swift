import Hummingbird
import Web

/// `/openapi.json`: the OpenAPI 3.1 description of the JSON APIs this node serves.
struct OpenAPIRoutes: Sendable {
    let document: [UInt8]

    func register(in routes: RouteTable) {
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
