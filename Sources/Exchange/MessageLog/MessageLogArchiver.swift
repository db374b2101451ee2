public import Logging
public import ServiceLifecycle

/// The service that archives the message log: every ``interval`` it moves stamped records older than the
/// retention to archive files (``MessageLog/archive()``). Run it on one node of a cluster.
public struct MessageLogArchiver: Service {
    /// The log to archive.
    public let log: MessageLog
    /// Time between runs.
    public let interval: Duration
    private let logger: Logger

    /// Creates the service.
    public init(log: MessageLog, interval: Duration = .seconds(3600), logger: Logger) {
        self.log = log
        self.interval = interval
        self.logger = logger
    }

    /// Archives every ``interval`` until the service group shuts down.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                for archive in try await log.archive() {
                    logger.info(
                        "message log archived",
                        metadata: ["file": "\(archive.fileName)", "records": "\(archive.recordCount)"])
                }
            } catch {
                logger.error("message log archiving failed; will retry", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
    }
}
