public import CivitasCore
public import Logging
public import SQLKit

/// Applies the blocks' migrations in order and records each in `storage_migrations`.
///
/// Running it twice changes nothing. On PostgreSQL, nodes starting together take a transaction-scoped advisory lock,
/// so each migration runs exactly once; on SQLite `BEGIN IMMEDIATE` serialises them. A database that records a
/// migration newer than the code knows is refused, so that an old release cannot run on a newer schema.
public struct Migrator: Sendable {
    private let database: Database
    private let migrations: [Migration]
    private let logger: Logger
    private let clock: any WallClock
    private let afterEach: (@Sendable (Migration, any SQLDatabase) async throws -> Void)?
    /// Advisory lock key: "CIVI" in ASCII.
    static let lockKey = 0x4349_5649

    /// Creates a migrator for `migrations`, in the order the blocks are composed.
    ///
    /// - Parameter afterEach: runs inside each migration's transaction once it has been applied (the node records
    ///   an audit entry there, so that a schema change and its audit entry commit together).
    /// - Throws: ``StorageError`` `.invalidMigrations` when a block's versions are not 1, 2, 3, … in order.
    public init(
        database: Database, migrations: [Migration], logger: Logger, clock: any WallClock = SystemClock(),
        afterEach: (@Sendable (Migration, any SQLDatabase) async throws -> Void)? = nil
    ) throws(StorageError) {
        try Self.validate(migrations)
        self.database = database
        self.migrations = migrations
        self.logger = logger
        self.clock = clock
        self.afterEach = afterEach
    }

    /// Checks that each block's versions run 1, 2, 3, … in the given order.
    public static func validate(_ migrations: [Migration]) throws(StorageError) {
        var next: [String: Int] = [:]
        for migration in migrations {
            let expected = next[migration.module, default: 1]
            guard migration.version == expected else {
                throw StorageError(
                    .invalidMigrations,
                    "\(migration.module) migration \(migration.version) (\(migration.name)) is out of order; "
                        + "expected version \(expected)")
            }
            next[migration.module] = expected + 1
        }
    }

    /// The migrations not yet applied, in order.
    public func pending() async throws -> [Migration] {
        try await ensureTable()
        let applied = try await appliedVersions()
        try checkNotNewer(applied)
        return migrations.filter { applied[$0.module]?[$0.version] == nil }
    }

    /// Applies every pending migration; returns those applied now.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await ensureTable()
        try checkNotNewer(try await appliedVersions())
        var applied: [Migration] = []
        for migration in migrations {
            let engine = database.engine
            let ran = try await database.transaction { sql in
                if engine == .postgres {
                    try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.lockKey)))").run()
                }
                let rows = try await sql.raw(
                    """
                    SELECT name FROM storage_migrations
                    WHERE module = \(bind: migration.module) AND version = \(bind: migration.version)
                    """
                ).all()
                if let row = rows.first {
                    let recorded = try row.decode(column: "name", as: String.self)
                    guard recorded == migration.name else {
                        throw StorageError(
                            .invalidMigrations,
                            "\(migration.module) migration \(migration.version) is recorded as \"\(recorded)\" "
                                + "but this code calls it \"\(migration.name)\"")
                    }
                    return false
                }
                do {
                    try await migration.body(MigrationContext(sql: sql, engine: engine))
                } catch {
                    throw StorageError(
                        .migrationFailed,
                        "\(migration.module) migration \(migration.version) (\(migration.name)) failed and was "
                            + "rolled back: \(Database.describe(error))")
                }
                let now = clock.timestamp().microseconds
                try await sql.raw(
                    """
                    INSERT INTO storage_migrations (module, version, name, applied_at)
                    VALUES (\(bind: migration.module), \(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """
                ).run()
                try await afterEach?(migration, sql)
                return true
            }
            if ran {
                logger.info(
                    "applied migration",
                    metadata: ["module": "\(migration.module)", "version": "\(migration.version)"])
                applied.append(migration)
            }
        }
        return applied
    }

    private func ensureTable() async throws {
        let engine = database.engine
        try await database.transaction { sql in
            // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalogue; the lock orders them.
            if engine == .postgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.lockKey)))").run()
            }
            try await sql.raw(
                """
                CREATE TABLE IF NOT EXISTS storage_migrations (
                    module TEXT NOT NULL,
                    version BIGINT NOT NULL,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL,
                    PRIMARY KEY (module, version)
                )
                """
            ).run()
        }
    }

    private func appliedVersions() async throws -> [String: [Int: String]] {
        let rows = try await database.read { sql in
            try await sql.raw("SELECT module, version, name FROM storage_migrations").all()
        }
        var result: [String: [Int: String]] = [:]
        for row in rows {
            let module = try row.decode(column: "module", as: String.self)
            let version = try row.decode(column: "version", as: Int.self)
            result[module, default: [:]][version] = try row.decode(column: "name", as: String.self)
        }
        return result
    }

    private func checkNotNewer(_ applied: [String: [Int: String]]) throws {
        let known = Dictionary(grouping: migrations, by: \.module).mapValues { $0.map(\.version).max() ?? 0 }
        for (module, versions) in applied {
            guard let newestKnown = known[module] else { continue }
            if let newest = versions.keys.max(), newest > newestKnown {
                throw StorageError(
                    .schemaNewerThanCode,
                    "the database has \(module) migration \(newest) but this release knows only up to "
                        + "\(newestKnown); run the newer release or restore a matching backup")
            }
        }
    }
}
