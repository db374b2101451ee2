import Foundation
public import Trust

/// The time-stamping authority the global configuration names, asked anew for each batch: a node follows the
/// registry when the instance moves its TSA.
public struct ConfiguredTimeStampSource: TimeStampSource {
    let configuration: GlobalConfigurationClient

    /// Creates the source over the node's configuration.
    public init(configuration: GlobalConfigurationClient) {
        self.configuration = configuration
    }

    /// Sends `query` to the configured TSA.
    ///
    /// - Throws: ``ExchangeError`` while the node has no valid configuration; ``TrustError`` when the TSA cannot be
    ///   reached or its URL is not usable.
    public func reply(to query: [UInt8]) async throws -> [UInt8] {
        let current = try configuration.snapshot()
        guard let url = URL(string: current.timeStampingURL) else {
            throw ExchangeError(.globalConfigurationRefused, "the configured TSA URL is not a URL")
        }
        return try await HTTPTimeStampClient.withClient(url: url) { try await $0.reply(to: query) }
    }
}
