import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Migrator")
struct MigratorTests {
    static func tables(in database: Database) async throws -> Set<String> {
        let query: SQLQueryString =
            database.engine == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        return try await database.read { sql in
            Set(try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) })
        }
    }

    static let first = Migration(
        module: "alpha", version: 1, name: "create alpha_one", statements: { _ in ["CREATE TABLE alpha_one (x TEXT)"] })
    static let second = Migration(
        module: "alpha", version: 2, name: "create alpha_two", statements: { _ in ["CREATE TABLE alpha_two (y TEXT)"] })
    static let beta = Migration(
        module: "beta", version: 1, name: "create beta_one", statements: { _ in ["CREATE TABLE beta_one (z TEXT)"] })

    @Test("migrations apply in order, once; a second run changes nothing", arguments: DatabaseEngine.allCases)
    func idempotent(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let migrator = try Migrator(
                database: database, migrations: [Self.first, Self.beta, Self.second], logger: TestDatabase.logger)
            #expect(try await migrator.pending().count == 3)
            let applied = try await migrator.migrate()
            #expect(applied.map { "\($0.module)/\($0.version)" } == ["alpha/1", "beta/1", "alpha/2"])
            #expect(try await Self.tables(in: database).isSuperset(of: ["alpha_one", "alpha_two", "beta_one"]))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.pending().isEmpty)
            let recorded = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM storage_migrations").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(recorded == 3)
        }
    }

    @Test("a new migration added later is the only one applied", arguments: DatabaseEngine.allCases)
    func incremental(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Migrator(database: database, migrations: [Self.first], logger: TestDatabase.logger).migrate()
            let applied = try await Migrator(
                database: database, migrations: [Self.first, Self.second], logger: TestDatabase.logger
            ).migrate()
            #expect(applied.map(\.version) == [2])
        }
    }

    @Test("versions out of order or with gaps are refused before anything runs")
    func order() throws {
        let gap = Migration(module: "alpha", version: 3, name: "gap", statements: { _ in [] })
        let error = #expect(throws: StorageError.self) { try Migrator.validate([Self.first, gap]) }
        #expect(error?.code == .invalidMigrations)
        let swapped = #expect(throws: StorageError.self) { try Migrator.validate([Self.second, Self.first]) }
        #expect(swapped?.code == .invalidMigrations)
        let duplicate = #expect(throws: StorageError.self) { try Migrator.validate([Self.first, Self.first]) }
        #expect(duplicate?.code == .invalidMigrations)
        try Migrator.validate([Self.first, Self.beta, Self.second])
    }

    @Test("a migration that fails midway leaves the schema as it was", arguments: DatabaseEngine.allCases)
    func rollback(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let broken = Migration(
                module: "alpha", version: 2, name: "create alpha_two",
                statements: { _ in
                    ["CREATE TABLE alpha_two (y TEXT)", "INSERT INTO alpha_two (y) VALUES ('a')", "THIS IS NOT SQL"]
                })
            try await Migrator(database: database, migrations: [Self.first], logger: TestDatabase.logger).migrate()
            let before = try await Self.tables(in: database)
            let error = await #expect(throws: StorageError.self) {
                try await Migrator(database: database, migrations: [Self.first, broken], logger: TestDatabase.logger)
                    .migrate()
            }
            #expect(error?.code == .migrationFailed)
            #expect(error?.message.contains("alpha migration 2") == true)
            #expect(try await Self.tables(in: database) == before)
            let fixed = try await Migrator(
                database: database, migrations: [Self.first, Self.second], logger: TestDatabase.logger
            ).migrate()
            #expect(fixed.map(\.version) == [2])
        }
    }

    @Test("a database migrated by a newer release is refused", arguments: DatabaseEngine.allCases)
    func newerSchema(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Migrator(
                database: database, migrations: [Self.first, Self.second], logger: TestDatabase.logger
            ).migrate()
            let error = await #expect(throws: StorageError.self) {
                try await Migrator(database: database, migrations: [Self.first], logger: TestDatabase.logger)
                    .migrate()
            }
            #expect(error?.code == .schemaNewerThanCode)
        }
    }

    @Test("a migration renamed after it ran is reported", arguments: DatabaseEngine.allCases)
    func renamed(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Migrator(database: database, migrations: [Self.first], logger: TestDatabase.logger).migrate()
            let renamed = Migration(module: "alpha", version: 1, name: "something else", statements: { _ in [] })
            let error = await #expect(throws: StorageError.self) {
                try await Migrator(database: database, migrations: [renamed], logger: TestDatabase.logger).migrate()
            }
            #expect(error?.code == .invalidMigrations)
        }
    }

    @Test("nodes migrating at the same time apply each migration once", arguments: DatabaseEngine.allCases)
    func concurrentMigrators(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await Migrator(
                            database: database, migrations: [Self.first, Self.second, Self.beta],
                            logger: TestDatabase.logger
                        ).migrate().count
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(counts == 3)
        }
    }
}
