import SQLKit

/// Group commit for SQLite's single writer: transactions that arrive while a commit is being written wait for the
/// next one, which runs them all, each in its own savepoint, and commits them with one fsync.
///
/// Each caller still returns only after the commit that holds its work, so nothing is acknowledged before it is
/// durable, and a body that throws rolls back to its savepoint alone. The bodies of one commit run one after the
/// other, in arrival order, so each sees what the earlier ones wrote: the same as if they had been committed one by
/// one, except that a failed commit fails them all.
actor SharedCommits {
    typealias Body = @Sendable (any SQLDatabase) async throws -> any Sendable

    /// The most transactions one commit takes; the rest wait for the next.
    static let maximumBatch = 64

    private var queue: [(Body, CheckedContinuation<any Sendable, any Error>)] = []
    private var writing = false

    /// Runs `body` in the next shared commit on `database` and returns its value once that commit is durable.
    func run(_ body: @escaping Body, on database: Database) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            queue.append((body, continuation))
            if !writing {
                writing = true
                Task { await drain(database) }
            }
        }
    }

    private func drain(_ database: Database) async {
        while !queue.isEmpty {
            let count = min(queue.count, Self.maximumBatch)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            do {
                let results = try await database.commitTogether(batch.map(\.0))
                for ((_, continuation), result) in zip(batch, results) { continuation.resume(with: result) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        writing = false
    }
}

extension Database {
    /// Runs `bodies` in one transaction, each in a savepoint: the value or error of each, in order. Throws (and
    /// keeps nothing) when the transaction itself fails, or when a body fails in a way that aborts it (a busy or
    /// conflicting database), so that the whole group is retried.
    func commitTogether(_ bodies: [SharedCommits.Body]) async throws -> [Result<any Sendable, any Error>] {
        try await transaction { sql in
            var results: [Result<any Sendable, any Error>] = []
            results.reserveCapacity(bodies.count)
            for body in bodies {
                // A body's notifications are heard only if its savepoint is kept.
                let own = PendingNotifications()
                try await sql.raw("SAVEPOINT civitas_shared").run()
                do {
                    let value = try await PendingNotifications.$current.withValue(own) { try await body(sql) }
                    try await sql.raw("RELEASE civitas_shared").run()
                    for (channel, payload) in own.drain() { PendingNotifications.current?.append(channel, payload) }
                    results.append(.success(value))
                } catch {
                    if Self.isRetryable(error) { throw error }
                    try await sql.raw("ROLLBACK TO civitas_shared").run()
                    try await sql.raw("RELEASE civitas_shared").run()
                    results.append(.failure(Self.classify(error)))
                }
            }
            return results
        }
    }
}
