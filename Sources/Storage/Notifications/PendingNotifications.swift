import Synchronization

/// Notifications sent inside an SQLite transaction, held until it commits.
final class PendingNotifications: Sendable {
    /// The list of the transaction the current task runs in.
    @TaskLocal static var current: PendingNotifications?

    private let items = Mutex<[(String, String)]>([])

    func append(_ channel: String, _ payload: String) {
        items.withLock { $0.append((channel, payload)) }
    }

    func drain() -> [(String, String)] {
        items.withLock { items in
            defer { items.removeAll() }
            return items
        }
    }
}
