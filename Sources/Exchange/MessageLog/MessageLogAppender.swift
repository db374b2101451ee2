import CivitasCore
import Foundation
import SQLKit
import Storage

/// Group commit for the message log: appends that arrive while a commit is being written wait for the next one,
/// which takes them all in one statement. Each ``MessageLog/append(_:)`` still returns only after the commit
/// holding its record, so nothing is acknowledged before it is durable; what changes is that one fsync serves
/// every message that arrived meanwhile instead of one each.
///
/// A commit that fails (the database, or time-stamping overdue) fails every append in it, and none of their
/// records is kept.
actor MessageLogAppender {
    struct Pending: Sendable {
        let record: MessageLogRecord
        let body: [UInt8]?
        /// The name of the body's file in the log's body directory, for a body kept as a file.
        let bodyFile: String?
    }

    private let database: Database
    private let limit: Int64
    private let clock: any WallClock
    private var queue: [(Pending, CheckedContinuation<Void, any Error>)] = []
    private var writing = false

    init(database: Database, maximumUnstampedAge: Int64, clock: any WallClock) {
        self.database = database
        self.limit = maximumUnstampedAge
        self.clock = clock
    }

    /// Waits until `pending` is committed.
    func append(_ pending: Pending) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.append((pending, continuation))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            // One commit per round, at most as many records as one statement batch keeps cheap.
            let count = min(queue.count, MessageLog.rowsPerStatement)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            do {
                try await write(batch.map(\.0))
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// Commits `batch` in one statement (the append view, exchange migrations 5 and 6), refused whole when a record has
    /// waited for a time-stamp longer than the limit.
    private func write(_ batch: [Pending]) async throws {
        let now = clock.timestamp().microseconds
        let notBefore = now - limit
        let rows = batch.map { pending -> SQLQueryString in
            let record = pending.record
            return """
                (\(bind: record.messageID), \(bind: record.direction.description), \(bind: record.client),
                \(bind: record.service), \(bind: record.createdAt), \(bind: Data(record.derEncoded)),
                \(bind: Data(record.hash)), \(bind: pending.body.map { Data($0) }), \(bind: pending.bodyFile), \(bind: notBefore))
                """
        }
        let insert: SQLQueryString = """
            INSERT INTO exchange_log_append (message_id, direction, client, service, created_at, record, record_hash,
                body, body_file, not_before)
            VALUES
            """
        do {
            _ = try await database.statement(insert + rows.joined(separator: ", "))
        } catch let error as StorageError where error.message.contains(MessageLog.overdueMarker) {
            // Refused by the view's trigger: say since when, from what the log holds now.
            throw try await database.read { sql in
                let oldest = try await MessageLog.oldestUnstamped(in: sql) ?? notBefore
                return try await MessageLog.refusal(oldest: oldest, now: now, limit: limit, in: sql)
            }
        }
    }
}
