import Foundation
public import Logging
public import ServiceLifecycle

/// Refreshes a node's global configuration on an interval, as a service of the node's lifecycle group; stops on
/// graceful shutdown. A failed refresh is logged and the held configuration kept.
public struct GlobalConfigurationRefresher: Service {
    private let client: GlobalConfigurationClient
    private let interval: Duration
    private let logger: Logger

    /// Creates the service; X-Road nodes download every 60 seconds.
    public init(client: GlobalConfigurationClient, interval: Duration = .seconds(60), logger: Logger) {
        self.client = client
        self.interval = interval
        self.logger = logger
    }

    /// The configured interval, or an eighth of the held configuration's validity when that is shorter (at least
    /// a second), so that a node refreshes several times before a short-lived configuration expires.
    func nextInterval() async -> Duration {
        guard let held = await client.lastVerified else { return min(interval, .seconds(5)) }
        let validity = held.configuration.expiresAt.timeIntervalSince(held.configuration.createdAt)
        return max(.seconds(1), min(interval, .milliseconds(Int64(validity * 1000 / 8))))
    }

    /// Loads the stored copy, then refreshes until shutdown.
    public func run() async throws {
        await client.loadStored()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let signed = try await client.refresh()
                    logger.debug(
                        "global configuration refreshed", metadata: ["version": "\(signed.configuration.version)"])
                } catch let error as ExchangeError {
                    logger.warning("global configuration not refreshed", metadata: ["reason": "\(error)"])
                } catch {
                    logger.warning("global configuration not downloaded", metadata: ["reason": "\(error)"])
                }
                try? await Task.sleep(for: await nextInterval())
            }
        }
    }
}
