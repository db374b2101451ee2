import Foundation
public import Logging
import SQLKit
public import Storage

/// Fresh, throwaway databases for tests, on either engine.
///
/// Storage tests take `DatabaseEngine.allCases` as arguments and open a database with ``with(_:migrations:_:)``,
/// so that each runs once on SQLite and once on PostgreSQL. SQLite gets a new file in a temporary directory;
/// PostgreSQL gets a new database on the server named by `CIVITAS_TEST_POSTGRES_URL` (which `scripts/test` starts),
/// dropped afterwards. Without that variable a PostgreSQL test fails: it never silently skips.
public enum TestDatabase {
    /// The logger tests hand to storage (quiet unless something is wrong).
    public static var logger: Logger {
        var logger = Logger(label: "civitas.test")
        logger.logLevel = .warning
        return logger
    }

    /// Opens a fresh database on `engine`, applies `migrations`, runs `body`, then closes and removes it.
    public static func with<T: Sendable>(
        _ engine: DatabaseEngine, migrations: [Migration] = [],
        _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        // Swift Testing starts every test at once; on PostgreSQL each database takes connections of its own, so a
        // bounded number are open together, well inside the test server's max_connections.
        if engine == .postgres { await postgresSlots.acquire() }
        let location: Created
        do {
            location = try await create(engine)
        } catch {
            if engine == .postgres { await postgresSlots.release() }
            throw error
        }
        let database: Database
        do {
            database = try await Database.open(location.location, logger: logger)
        } catch {
            try? await location.remove()
            if engine == .postgres { await postgresSlots.release() }
            throw error
        }
        do {
            if !migrations.isEmpty {
                try await Migrator(database: database, migrations: migrations, logger: logger).migrate()
            }
            let result = try await body(database)
            await database.close()
            try await location.remove()
            if engine == .postgres { await postgresSlots.release() }
            return result
        } catch {
            await database.close()
            try? await location.remove()
            if engine == .postgres { await postgresSlots.release() }
            throw error
        }
    }

    /// How many PostgreSQL test databases ``with(_:migrations:_:)`` keeps open at once.
    static let postgresSlots = Slots(capacity: 16)

    /// A counting semaphore for tasks.
    actor Slots {
        private let capacity: Int
        private var used = 0
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(capacity: Int) { self.capacity = capacity }

        func acquire() async {
            if used < capacity {
                used += 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty {
                used -= 1
            } else {
                waiting.removeFirst().resume()
            }
        }
    }

    /// A database location that exists until ``remove()``.
    public struct Created: Sendable {
        /// Where it is.
        public let location: DatabaseLocation
        /// The PostgreSQL URL, when on PostgreSQL.
        public let url: String?
        let cleanup: @Sendable () async throws -> Void

        /// Deletes the database.
        public func remove() async throws { try await cleanup() }
    }

    /// Creates an empty database on `engine` without opening it.
    public static func create(_ engine: DatabaseEngine) async throws -> Created {
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("civitas-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("civitas.sqlite").path
            return Created(location: .sqlite(path: path), url: nil) {
                try? FileManager.default.removeItem(at: directory)
            }
        case .postgres:
            let admin = try adminURL()
            let name = "civitas_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let server = try await Database.open(.postgres(admin), logger: logger)
            do {
                try await server.read { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            } catch {
                await server.close()
                throw error
            }
            await server.close()
            let urlString = replacingDatabase(in: try adminURLString(), with: name)
            let url = try PostgresURL(urlString)
            return Created(location: .postgres(url), url: urlString) {
                let server = try await Database.open(.postgres(admin), logger: logger)
                try? await server.read { sql in
                    try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                }
                await server.close()
            }
        }
    }

    /// The superuser URL of the test PostgreSQL server.
    public static func adminURLString() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["CIVITAS_TEST_POSTGRES_URL"], !value.isEmpty else {
            throw TestSetupError(
                "CIVITAS_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL")
        }
        return value
    }

    static func adminURL() throws -> PostgresURL {
        try PostgresURL(try adminURLString())
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}

/// The test environment is not set up.
public struct TestSetupError: Error, CustomStringConvertible {
    /// What is missing.
    public let description: String

    init(_ description: String) { self.description = description }
}
