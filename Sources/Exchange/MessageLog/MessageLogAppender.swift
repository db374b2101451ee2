import CivitasCore
import Foundation
import SQLKit
import Storage

/// Group commit for the message log: appends that arrive while a commit is being written wait for the next one,
/// which takes them all in one transaction. Each ``MessageLog/append(_:)`` still returns only after the commit
/// holding its record, so nothing is acknowledged before it is durable; what changes is that one fsync serves
/// every message that arrived meanwhile instead of one each.
///
/// A commit that fails (the database, or time-stamping overdue) fails every append in it, and none of their
/// records is kept.
actor MessageLogAppender {
    struct Pending: Sendable {
        let record: MessageLogRecord
        let body: [UInt8]?
    }

    private let database: Database
    private let limit: Int64
    private let clock: any WallClock
    private var queue: [(Pending, CheckedContinuation<Void, any Error>)] = []
    private var writing = false

    /// What this appender knows of the oldest record waiting for a time-stamp, so that a commit looks it up only
    /// when it might be over the limit. Only this appender adds waiting records and the time-stamper only removes
    /// them, so the oldest one is never older than what was seen: a bound seen once stays a lower bound.
    enum OldestWaiting: Sendable {
        case unknown
        case nothing
        case atLeast(Int64)
    }
    private var oldest = OldestWaiting.unknown

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
                oldest = try await write(batch.map(\.0), oldest: oldest)
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// Commits `batch`, refusing it when a record has waited for a time-stamp longer than the limit; returns what
    /// is then known of the oldest waiting record.
    private func write(_ batch: [Pending], oldest known: OldestWaiting) async throws -> OldestWaiting {
        let now = clock.timestamp().microseconds
        let limit = self.limit
        let batchOldest = batch.map(\.record.createdAt).min() ?? now
        return try await database.transaction { sql in
            var known = known
            let mayBeOverdue: Bool =
                switch known {
                case .unknown: true
                case .nothing: false
                case .atLeast(let bound): now - bound > limit
                }
            if mayBeOverdue {
                let seen = try await MessageLog.oldestUnstamped(in: sql)
                if let seen, now - seen > limit {
                    throw try await MessageLog.refusal(oldest: seen, now: now, limit: limit, in: sql)
                }
                known = seen.map(OldestWaiting.atLeast) ?? .nothing
            }
            for pending in batch {
                let record = pending.record
                let row = try await sql.raw(
                    """
                    INSERT INTO exchange_log_records (message_id, direction, client, service, created_at, record,
                        record_hash)
                    VALUES (\(bind: record.messageID), \(bind: record.direction.description), \(bind: record.client),
                        \(bind: record.service), \(bind: record.createdAt), \(bind: Data(record.derEncoded)),
                        \(bind: Data(record.hash)))
                    RETURNING seq
                    """
                ).first()
                guard let sequence = try row?.decode(column: "seq", as: Int64.self) else {
                    throw ExchangeError(.invalidRecord, "the database returned no sequence number for the record")
                }
                if let body = pending.body {
                    try await sql.raw(
                        "INSERT INTO exchange_log_bodies (seq, body) VALUES (\(bind: sequence), \(bind: Data(body)))"
                    ).run()
                }
                try await sql.raw(
                    """
                    INSERT INTO exchange_log_pending (seq, created_at)
                    VALUES (\(bind: sequence), \(bind: record.createdAt))
                    """
                ).run()
            }
            if case .nothing = known { return .atLeast(batchOldest) }
            return known
        }
    }
}
