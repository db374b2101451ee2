public import SQLKit

extension Database {
    /// Sends `payload` to every node's subscribers of `channel` when the surrounding transaction commits, and
    /// never if it rolls back (PostgreSQL `NOTIFY`; on SQLite, to this process after `COMMIT`).
    ///
    /// Notifications tell nodes to drop a cached copy (pre-produced OCSP answers, CRLs, the global
    /// configuration); delivering them only after the commit means no node can re-cache the old state.
    ///
    /// - Parameters:
    ///   - channel: `[a-z_]{1,63}`.
    ///   - payload: at most 7,999 bytes.
    public func notify(_ channel: String, payload: String, in sql: any SQLDatabase) async throws {
        try Self.checkChannel(channel)
        guard payload.utf8.count < 8000 else {
            throw StorageError(.queryFailed, "a notification payload must be shorter than 8000 bytes")
        }
        switch engine {
        case .postgres:
            try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
        case .sqlite:
            if let pending = PendingNotifications.current {
                pending.append(channel, payload)
            } else {
                hub.publish(channel, payload)
            }
        }
    }

    /// The payloads sent on `channel` from now on, by this node or any other over the same database.
    public func notifications(_ channel: String) async throws -> AsyncStream<String> {
        try Self.checkChannel(channel)
        let stream = hub.subscribe(channel)
        await listeners?.ensureListening(channel)
        return stream
    }

    static func checkChannel(_ channel: String) throws {
        guard (1...63).contains(channel.utf8.count),
            channel.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") })
        else {
            throw StorageError(.queryFailed, "a notification channel is 1 to 63 of a-z and _")
        }
    }
}
