import Foundation
import HTTPTypes
import Hummingbird
public import Web

/// The Trust block's HTTP surface: the hierarchy's certificates at `/certs/<name>.crt` (DER), where the
/// certificates' authority-information-access extensions point.
public struct TrustRoutes: Sendable {
    private let pki: NationalPKI

    /// Creates the routes.
    public init(pki: NationalPKI) {
        self.pki = pki
    }

    /// Adds the routes to `routes`.
    public func register(in routes: RouteTable) {
        routes.get("/certs/{name}") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard name.hasSuffix(".crt"), let role = PKIRole(rawValue: String(name.dropLast(4))) else {
                throw HTTPProblem.notFound("No certificate is published under this name.")
            }
            let stored = try await pki.certificate(role: role)
            return Response(
                status: .ok,
                headers: [.contentType: "application/pkix-cert", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: stored.der)))
        }
    }
}
