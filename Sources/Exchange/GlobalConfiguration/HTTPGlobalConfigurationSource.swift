public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Downloads the global configuration from the central registry over HTTP(S): `GET <base>/exchange/global-configuration`,
/// then the signature of the version it names, `GET <base>/exchange/global-configuration/<version>/signature`, so
/// that a configuration published between the two requests cannot pair the wrong bytes with a signature.
public struct HTTPGlobalConfigurationSource: GlobalConfigurationSource {
    /// The registry's base URL, e.g. `https://registry.example.gov`.
    public let baseURL: String
    private let client: HTTPClient
    /// The largest document accepted.
    public static let maximumSize = 16 * 1024 * 1024

    /// Creates a source; `client` is owned by the caller.
    public init(baseURL: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
    }

    /// Downloads the content, then the signature of the version it carries.
    public func download() async throws -> (content: [UInt8], signature: [UInt8]) {
        let content = try await get("\(baseURL)/exchange/global-configuration")
        struct Versioned: Decodable { let version: Int64 }
        guard let version = try? JSONDecoder().decode(Versioned.self, from: Data(content)).version else {
            throw ExchangeError(.globalConfigurationRefused, "the registry's answer carries no version")
        }
        let signature = try await get("\(baseURL)/exchange/global-configuration/\(version)/signature")
        return (content, signature)
    }

    private func get(_ url: String) async throws -> [UInt8] {
        let request = HTTPClientRequest(url: url)
        let response = try await client.execute(request, timeout: .seconds(30))
        guard response.status == .ok else {
            throw ExchangeError(
                .globalConfigurationUnavailable, "the registry answered \(response.status.code) for \(url)")
        }
        let body = try await response.body.collect(upTo: Self.maximumSize)
        return Array(body.readableBytesView)
    }
}
