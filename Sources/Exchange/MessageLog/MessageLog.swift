public import CivitasCore
import Foundation
import SQLKit
public import Storage

/// The exchange node's message log: every request and response it sends or receives, with its signature,
/// append-only, time-stamped in batches, exportable as offline-verifiable evidence, archived after a while.
///
/// ``append(_:)`` returns once the record is committed (SQLite with `synchronous=FULL`, PostgreSQL with its
/// default synchronous commit; appends that arrive together share one commit, `MessageLogAppender`), so a node that releases an answer only after it has logged it never releases an
/// unlogged one. When time-stamping has failed for longer than ``MessageLogConfiguration/maximumUnstampedAge``,
/// `append` refuses with ``ExchangeError/Code/timeStampingOverdue`` until a batch is stamped again; nothing already
/// accepted is lost.
///
/// State lives in the database only, so several nodes over one PostgreSQL share one log (the stamper takes an
/// advisory lock to commit a batch, and a batch another node stamped meanwhile is dropped, not stamped twice).
public struct MessageLog: Sendable {
    let database: Database
    /// The policy in force.
    public let configuration: MessageLogConfiguration
    let clock: any WallClock
    let appender: MessageLogAppender
    let bodyFiles: MessageLogBodyFiles?
    /// Advisory lock key for committing a batch or an archive: "XLOG" in ASCII.
    static let lockKey = 0x584C_4F47
    /// The longest identifier accepted, in UTF-8 bytes.
    public static let maximumIdentifierLength = 1024
    /// Rows per statement, well under SQLite's and PostgreSQL's bound-parameter limits.
    static let rowsPerStatement = 400

    /// Creates the log over `database` (migrated with ``migrations``).
    public init(database: Database, configuration: MessageLogConfiguration, clock: any WallClock = SystemClock()) {
        self.database = database
        self.configuration = configuration
        self.clock = clock
        self.bodyFiles = configuration.bodyDirectory.map(MessageLogBodyFiles.init(directory:))
        self.appender = MessageLogAppender(
            database: database,
            maximumUnstampedAge: MessageLogConfiguration.microseconds(configuration.maximumUnstampedAge), clock: clock)
    }

    /// Logs one message and returns its record once it is durably committed.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for an entry with an empty or oversized identifier or no
    ///   signature; `.timeStampingOverdue` while time-stamping has failed for too long (the message says since
    ///   when); ``StorageError`` when the database fails.
    @discardableResult
    public func append(_ entry: MessageLogEntry) async throws -> MessageLogRecord {
        try Self.validate(entry)
        let now = clock.timestamp().microseconds
        // The body was hashed as it arrived; a spooled one becomes a file of the log's, synced before its record
        // commits, and removed again if the commit fails.
        let record = try MessageLogRecord(entry: entry, createdAt: now)
        guard configuration.keepsBodies else {
            try await appender.append(.init(record: record, body: nil, bodyFile: nil))
            return record
        }
        guard let spooled = entry.body.file, let files = bodyFiles else {
            try await appender.append(.init(record: record, body: try await entry.body.bytes(), bodyFile: nil))
            return record
        }
        let name = try await files.keep(spooled)
        do {
            try await appender.append(.init(record: record, body: nil, bodyFile: name))
        } catch {
            files.remove([name])
            throw error
        }
        return record
    }

    /// How many records wait for a time-stamp.
    public func unstampedCount() async throws -> Int {
        try await database.read { sql in
            let row = try await sql.raw("SELECT COUNT(*) AS n FROM exchange_log_pending").first()
            return try row?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// When the oldest record still waiting for a time-stamp was accepted, if one is.
    public func oldestUnstamped() async throws -> Timestamp? {
        try await database.read { sql in try await Self.oldestUnstamped(in: sql).map(Timestamp.init(microseconds:)) }
    }

    static func oldestUnstamped(in sql: any SQLDatabase) async throws -> Int64? {
        let row = try await sql.raw("SELECT MIN(created_at) AS oldest FROM exchange_log_pending").first()
        return try row?.decode(column: "oldest", as: Int64?.self)
    }

    static func refusal(
        oldest: Int64, now: Int64, limit: Int64, in sql: any SQLDatabase
    ) async throws -> ExchangeError {
        let row = try await sql.raw("SELECT stamped_at FROM exchange_log_batches ORDER BY id DESC LIMIT 1").first()
        let lastSuccess = try row?.decode(column: "stamped_at", as: Int64.self)
        let since =
            lastSuccess.map { "since \(Timestamp(microseconds: $0)), the last successful batch" }
            ?? "since the log started (no batch was ever stamped)"
        return ExchangeError(
            .timeStampingOverdue,
            "the message log refuses new records: time-stamping has failed \(since); the oldest record waiting "
                + "for a time-stamp was accepted at \(Timestamp(microseconds: oldest)), "
                + "\((now - oldest) / 1_000_000) s ago, past the \(limit / 1_000_000) s allowed")
    }

    static func validate(_ entry: MessageLogEntry) throws(ExchangeError) {
        for (name, value) in [("message id", entry.messageID), ("client", entry.client), ("service", entry.service)] {
            guard !value.isEmpty, value.utf8.count <= maximumIdentifierLength else {
                throw ExchangeError(
                    .invalidRecord, "the \(name) must be 1 to \(maximumIdentifierLength) bytes long")
            }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ExchangeError(.invalidRecord, "the \(name) contains a control character")
            }
        }
        guard !entry.signature.isEmpty else {
            throw ExchangeError(.invalidRecord, "a logged message needs its signature")
        }
        if entry.direction == .request, entry.requestHash != nil {
            throw ExchangeError(.invalidRecord, "only a response carries X-Road-Request-Hash")
        }
    }

    /// Takes the PostgreSQL advisory lock for batch and archive commits (SQLite's single writer serialises them).
    static func lock(_ engine: DatabaseEngine, in sql: any SQLDatabase) async throws {
        if engine == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(lockKey)))").run()
        }
    }
}
