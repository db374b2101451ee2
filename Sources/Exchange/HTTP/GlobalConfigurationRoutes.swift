import Foundation
import HTTPTypes
import Hummingbird
public import Web

/// Publishes the signed global configuration: `GET /exchange/global-configuration` (the canonical JSON of the
/// newest version), `GET /exchange/global-configuration/{version}` and `GET /exchange/global-configuration/{version}/signature`
/// (its detached CAdES signature, DER, verifiable with `openssl cms -verify`). Public, like X-Road's configuration
/// source: the signature, not the channel, protects it.
public struct GlobalConfigurationRoutes: Sendable {
    private let publisher: GlobalConfigurationPublisher

    /// The path of the newest configuration.
    public static let path = "/exchange/global-configuration"

    /// Creates the routes.
    public init(publisher: GlobalConfigurationPublisher) {
        self.publisher = publisher
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        let publisher = self.publisher
        routes.get(Self.path) { _, _ in
            let signed = try await ExchangeProblems.mapping { try await publisher.current() }
            return Self.content(signed)
        }
        routes.get("\(Self.path)/{version}") { _, context in
            let signed = try await Self.stored(context, publisher)
            return Self.content(signed)
        }
        routes.get("\(Self.path)/{version}/signature") { _, context in
            let signed = try await Self.stored(context, publisher)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/pkcs7-signature",
                    .contentDisposition:
                        "attachment; filename=\"global-configuration-\(signed.configuration.version).p7s\"",
                    .cacheControl: "public, max-age=86400, immutable",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: signed.signature)))
        }
    }

    static func content(_ signed: SignedGlobalConfiguration) -> Response {
        let version = signed.configuration.version
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json", .cacheControl: "no-cache",
                .contentLocation: "\(path)/\(version)",
                HTTPField.Name("Link")!: "<\(path)/\(version)/signature>; rel=\"signature\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: signed.content)))
    }

    static func stored(
        _ context: CivitasRequestContext, _ publisher: GlobalConfigurationPublisher
    ) async throws -> SignedGlobalConfiguration {
        guard let text = context.parameters.get("version"), text.utf8.count <= 19,
            text.utf8.allSatisfy({ (48...57).contains($0) }),
            let version = Int64(text)
        else { throw HTTPProblem.notFound("A configuration version is a number.") }
        guard let signed = try await publisher.configuration(version: version) else {
            throw HTTPProblem.notFound("No global configuration version \(version) was published.")
        }
        return signed
    }
}
