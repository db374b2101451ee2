import Logging
import SQLiteKit

/// A fixed set of SQLite connections handed out one task at a time.
///
/// SQLite allows one writer and many readers in WAL mode; the ``Database`` keeps a pool of one connection for writes
/// (so that `BEGIN IMMEDIATE` never waits on a writer in this process) and a small pool for reads.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false

    init(connections: [SQLiteConnection]) {
        self.idle = connections
    }

    func withConnection<T: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    private func acquire() async throws -> SQLiteConnection {
        if closed { throw StorageError(.unreachable, "the database is closed") }
        if let connection = idle.popLast() { return connection }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func release(_ connection: SQLiteConnection) {
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func close() async {
        closed = true
        for waiter in waiters {
            waiter.resume(throwing: StorageError(.unreachable, "the database is closed"))
        }
        waiters = []
        let connections = idle
        idle = []
        for connection in connections {
            try? await connection.close()
        }
    }
}
