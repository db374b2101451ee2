public import SQLKit

/// One step of a block's schema history.
///
/// Each block owns an ordered list of migrations, numbered from 1 without gaps (`M0001_CreateX.swift`, …). A
/// migration runs inside one transaction together with the row that records it, so a migration that fails midway
/// leaves the schema exactly as it was (both SQLite and PostgreSQL have transactional DDL).
public struct Migration: Sendable {
    /// The owning block, e.g. `audit`; also the prefix of its tables.
    public let module: String
    /// Position in the block's history, from 1.
    public let version: Int
    /// A short description, recorded with the migration and checked on every start.
    public let name: String
    let body: @Sendable (MigrationContext) async throws -> Void

    /// Creates a migration that runs arbitrary code.
    public init(
        module: String, version: Int, name: String, _ body: @escaping @Sendable (MigrationContext) async throws -> Void
    ) {
        self.module = module
        self.version = version
        self.name = name
        self.body = body
    }

    /// Creates a migration from SQL statements, which may differ per engine.
    public init(
        module: String, version: Int, name: String, statements: @escaping @Sendable (DatabaseEngine) -> [String]
    ) {
        self.init(module: module, version: version, name: name) { context in
            for statement in statements(context.engine) {
                try await context.execute(statement)
            }
        }
    }
}

/// What a migration body works with: the transaction and the engine.
public struct MigrationContext: Sendable {
    /// The transaction the migration runs in.
    public let sql: any SQLDatabase
    /// The engine, for engine-specific DDL.
    public let engine: DatabaseEngine

    /// Executes one DDL or DML statement without bound values.
    public func execute(_ statement: String) async throws {
        try await sql.raw(SQLQueryString(statement)).run()
    }
}
