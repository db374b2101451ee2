import Logging
import PostgresKit

/// One `LISTEN` per channel on a dedicated pooled connection, feeding the hub; reconnects when it drops.
actor PostgresListeners {
    private var tasks: [String: Task<Void, Never>] = [:]
    private let client: PostgresClient
    private let hub: NotificationHub
    private let logger: Logger

    init(client: PostgresClient, hub: NotificationHub, logger: Logger) {
        self.client = client
        self.hub = hub
        self.logger = logger
    }

    /// Starts listening on `channel` unless already listening; returns once the `LISTEN` is in place.
    func ensureListening(_ channel: String) async {
        guard tasks[channel] == nil else { return }
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        let client = self.client
        let hub = self.hub
        let logger = self.logger
        tasks[channel] = Task {
            var signalled = false
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            if !signalled {
                                signalled = true
                                readyContinuation.yield()
                                readyContinuation.finish()
                            }
                            for try await notification in notifications {
                                hub.publish(channel, notification.payload)
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("LISTEN lost; reconnecting", metadata: ["channel": "\(channel)"])
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            readyContinuation.finish()
        }
        for await _ in ready { break }
    }

    func stop() async {
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
        tasks = [:]
    }
}
