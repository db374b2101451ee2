public import Logging
import NIOSSL
import PostgresKit
public import SQLKit
import SQLiteKit

/// The one storage API of Civitas, over embedded SQLite or PostgreSQL.
///
/// Blocks read with ``read(_:)`` and write with ``transaction(_:)``; both hand the body an `SQLDatabase` from
/// sql-kit, so the same repository code runs on either engine. Bound values are written with `\(bind:)` in
/// `SQLQueryString`, which each dialect renders as its own placeholder (`?1` or `$1`).
///
/// - SQLite: one writer connection behind a lock (transactions start with `BEGIN IMMEDIATE`, so they take the
///   write lock up front and cannot deadlock on upgrade), several reader connections, WAL journal,
///   `synchronous=FULL` so that a commit that returned survives power loss.
/// - PostgreSQL: a `PostgresClient` pool; a transaction is `BEGIN` … `COMMIT` on one leased connection.
///
/// Transactions are retried, with jittered back-off, when the engine reports a serialization failure or deadlock
/// (PostgreSQL `40001`, `40P01`) or a busy database (SQLite `SQLITE_BUSY` from another process). A transaction body
/// must therefore have no effects outside the database.
public final class Database: Sendable {
    /// The engine in use.
    public let engine: DatabaseEngine
    private let backend: Backend
    private let logger: Logger
    let hub = NotificationHub()
    let listeners: PostgresListeners?
    private let sharedCommits = SharedCommits()
    /// How many times a conflicting transaction is attempted in all.
    public let maximumAttempts = 6

    private enum Backend: Sendable {
        case sqlite(writer: SQLiteConnectionPool, readers: SQLiteConnectionPool)
        case postgres(client: PostgresClient, runner: Task<Void, Never>)
    }

    private init(engine: DatabaseEngine, backend: Backend, logger: Logger) {
        self.engine = engine
        self.backend = backend
        self.logger = logger
        if case .postgres(let client, _) = backend {
            self.listeners = PostgresListeners(client: client, hub: hub, logger: logger)
        } else {
            self.listeners = nil
        }
    }

    /// Opens the database at `location` and checks that it answers.
    ///
    /// - Throws: ``StorageError`` with `.unreachable` (naming the cause: refused, authentication, missing database)
    ///   or `.invalidConfiguration`.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws(StorageError) -> Database {
        switch location {
        case .sqlite(let path):
            return try await openSQLite(path: path, logger: logger)
        case .postgres(let url):
            return try await openPostgres(url: url, logger: logger)
        }
    }

    private static func openSQLite(path: String, logger: Logger) async throws(StorageError) -> Database {
        var opened: [SQLiteConnection] = []
        do {
            let readerCount = 4
            for index in 0...readerCount {
                let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(connection)
                let pragmas = [
                    "PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL",
                ]
                if index == 0 {
                    _ = try await connection.query("PRAGMA journal_mode = WAL")
                }
                for pragma in pragmas {
                    _ = try await connection.query(pragma)
                }
                if index > 0 {
                    _ = try await connection.query("PRAGMA query_only = 1")
                }
            }
        } catch {
            for connection in opened { try? await connection.close() }
            throw StorageError(.unreachable, "cannot open the SQLite database at \(path): \(Self.describe(error))")
        }
        let writer = SQLiteConnectionPool(connections: [opened[0]])
        let readers = SQLiteConnectionPool(connections: Array(opened.dropFirst()))
        return Database(engine: .sqlite, backend: .sqlite(writer: writer, readers: readers), logger: logger)
    }

    private static func openPostgres(url: PostgresURL, logger: Logger) async throws(StorageError) -> Database {
        let tls: PostgresConnection.Configuration.TLS
        let clientTLS: PostgresClient.Configuration.TLS
        do {
            switch url.tlsMode {
            case .disable:
                tls = .disable
                clientTLS = .disable
            case .prefer:
                tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                clientTLS = .prefer(.makeClientConfiguration())
            case .require:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                clientTLS = .require(.makeClientConfiguration())
            }
        } catch {
            throw StorageError(.invalidConfiguration, "cannot set up TLS for the database: \(error)")
        }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: clientTLS)
        configuration.options.maximumConnections = 32
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        // One direct connection first: it fails fast and says why (refused, authentication, no such database),
        // where the pool would keep retrying in the background. (It also gives the runner time to enter run(),
        // before which postgres-nio warns about every lease.)
        do {
            let probeConfiguration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
                tls: tls)
            let probe = try await PostgresConnection.connect(configuration: probeConfiguration, id: 0, logger: logger)
            try? await probe.close()
        } catch {
            runner.cancel()
            await runner.value
            throw StorageError(.unreachable, "cannot connect to PostgreSQL at \(url): \(Self.describe(error))")
        }
        return Database(engine: .postgres, backend: .postgres(client: client, runner: runner), logger: logger)
    }

    /// Runs `body` outside a transaction, on a connection that may only read (on SQLite) or a pooled connection.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            switch backend {
            case .sqlite(_, let readers):
                return try await readers.withConnection { connection in try await body(connection.sql()) }
            case .postgres(let client, _):
                return try await client.withConnection { connection in try await body(connection.sql()) }
            }
        } catch {
            throw Self.classify(error)
        }
    }

    /// Runs `body` in one transaction and commits it; rolls back when `body` throws.
    ///
    /// Retried on serialization failures and deadlocks (see the type's documentation), so `body` must be free of
    /// effects outside the database. Errors from the engine come out as ``StorageError``; errors thrown by `body`
    /// itself come out unchanged.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await retrying { try await transactionOnce(body) }
    }

    /// Runs one writing statement on its own, outside an explicit transaction, and returns its rows (those of a
    /// `RETURNING` clause, or none).
    ///
    /// A single statement is atomic and, once this returns, durable (SQLite commits it with `synchronous=FULL`,
    /// PostgreSQL with its synchronous commit). It costs one round trip to the engine where ``transaction(_:)``
    /// costs three (`BEGIN`, the statement, `COMMIT`), so it suits a hot path whose write fits in one statement
    /// (several rows of `VALUES`, or an `INSERT` into a view whose trigger writes several tables). Retried like a
    /// transaction on a busy database, serialization failures and deadlocks.
    public func statement(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await retrying {
            switch backend {
            case .sqlite(let writer, _):
                try await writer.withConnection { connection in try await connection.sql().raw(query).all() }
            case .postgres(let client, _):
                try await client.withConnection { connection in try await connection.sql().raw(query).all() }
            }
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or has conflicted ``maximumAttempts`` times, with jittered
    /// back-off between attempts.
    private func retrying<T: Sendable>(_ attempt: () async throws -> T) async throws -> T {
        var attempts = 1
        while true {
            do {
                return try await attempt()
            } catch {
                let classified = Self.classify(error)
                guard Self.isRetryable(error), attempts < maximumAttempts else {
                    if Self.isRetryable(error) {
                        throw StorageError(
                            .serializationFailure, "gave up after \(attempts) conflicting attempts: \(classified)")
                    }
                    throw classified
                }
                logger.debug("retrying", metadata: ["attempt": "\(attempts)", "cause": "\(classified)"])
                let backoff = UInt64.random(in: 1...(UInt64(1) << min(attempts, 6))) * 2_000_000
                try await Task.sleep(nanoseconds: backoff)
                attempts += 1
            }
        }
    }

    /// Runs `body` in a transaction like ``transaction(_:)``, but on SQLite lets it share its commit with the
    /// transactions other tasks start meanwhile (group commit): one fsync serves them all.
    ///
    /// Use it for short, frequent writes on a hot path. The caller returns only once the commit holding its work is
    /// durable; `body` runs in its own savepoint, so when it throws, only its own writes are undone and the error
    /// comes out here unchanged (engine errors as ``StorageError``). The bodies of one commit run one after another
    /// and see each other's writes, as serial transactions would; if the commit itself fails, every one of them
    /// fails. On PostgreSQL this is ``transaction(_:)``: the server already groups concurrent commits.
    public func sharedTransaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    )
        async throws -> T
    {
        guard case .sqlite = backend else { return try await transaction(body) }
        let value = try await sharedCommits.run({ sql in try await body(sql) }, on: self)
        guard let typed = value as? T else {
            throw StorageError(.queryFailed, "a shared transaction returned \(type(of: value)), not \(T.self)")
        }
        return typed
    }

    private func transactionOnce<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _):
            let pending = PendingNotifications()
            let result = try await writer.withConnection { connection in
                _ = try await connection.query("BEGIN IMMEDIATE")
                do {
                    let result = try await PendingNotifications.$current.withValue(pending) {
                        try await body(connection.sql())
                    }
                    _ = try await connection.query("COMMIT")
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK")
                    throw error
                }
            }
            // Like PostgreSQL's NOTIFY: heard only once the transaction has committed, never after a rollback.
            for (channel, payload) in pending.drain() { hub.publish(channel, payload) }
            return result
        case .postgres(let client, _):
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let result = try await body(connection.sql())
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Checks that the database answers a query within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async throws(StorageError) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await self.read { database in try await database.raw("SELECT 1").all() }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw StorageError(.timedOut, "the database did not answer within \(timeout)")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unreachable, Self.describe(error))
        }
    }

    /// Closes every connection. Further use throws.
    public func close() async {
        await listeners?.stop()
        hub.finishAll()
        switch backend {
        case .sqlite(let writer, let readers):
            await writer.close()
            await readers.close()
        case .postgres(_, let runner):
            runner.cancel()
            await runner.value
        }
    }
}
