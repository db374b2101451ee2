public import Logging
public import ServiceLifecycle
public import Trust

/// The service that time-stamps the message log in batches: every ``interval`` it stamps what waits, through one
/// RFC 3161 token per batch from a ``TimeStampSource`` (the node's own TSA, or `HTTPTimeStampClient` for another).
///
/// A failed round is logged and retried at the next interval; meanwhile the log keeps accepting messages until
/// the oldest unstamped one is older than the configured limit. On graceful shutdown it stamps once more, so
/// that what was accepted before SIGTERM does not wait for the next start.
public struct MessageLogTimeStamper: Service {
    /// The log to stamp.
    public let log: MessageLog
    /// Where tokens come from.
    public let source: any TimeStampSource
    /// Time between rounds (and between a failure and its retry).
    public let interval: Duration
    private let logger: Logger

    /// Creates the service.
    public init(log: MessageLog, source: any TimeStampSource, interval: Duration = .seconds(60), logger: Logger) {
        self.log = log
        self.source = source
        self.interval = interval
        self.logger = logger
    }

    /// Stamps every ``interval`` until the service group shuts down, then once more.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await round()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
        if !Task.isCancelled { await round() }
    }

    /// One round: stamp what waits, and log the outcome.
    public func round() async {
        do {
            let stamped = try await log.stampPending(using: source)
            if stamped > 0 { logger.debug("message log batch time-stamped", metadata: ["records": "\(stamped)"]) }
        } catch {
            let waiting = (try? await log.unstampedCount()).map(String.init) ?? "unknown"
            logger.error(
                "message log time-stamping failed; will retry",
                metadata: ["error": "\(error)", "waiting": "\(waiting)", "retry_in": "\(interval)"])
        }
    }
}
