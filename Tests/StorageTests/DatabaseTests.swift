import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Database on SQLite and PostgreSQL")
struct DatabaseTests {
    static let schema = [
        Migration(
            module: "sample", version: 1, name: "create sample_items",
            statements: { engine in
                [
                    """
                    CREATE TABLE sample_items (
                        id BIGINT NOT NULL PRIMARY KEY,
                        name TEXT NOT NULL,
                        note TEXT,
                        payload \(engine.bytesType) NOT NULL
                    )
                    """
                ]
            })
    ]

    struct Item: Equatable, Sendable {
        let id: Int64
        let name: String
        let note: String?
        let payload: [UInt8]
    }

    static func insert(_ item: Item, into sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO sample_items (id, name, note, payload)
            VALUES (\(bind: item.id), \(bind: item.name), \(bind: item.note), \(bind: Data(item.payload)))
            """
        ).run()
    }

    static func all(in database: Database) async throws -> [Item] {
        try await database.read { sql in
            try await sql.raw("SELECT id, name, note, payload FROM sample_items ORDER BY id").all().map { row in
                Item(
                    id: try row.decode(column: "id", as: Int64.self),
                    name: try row.decode(column: "name", as: String.self),
                    note: try row.decode(column: "note", as: String?.self),
                    payload: Array(try row.decode(column: "payload", as: Data.self)))
            }
        }
    }

    @Test("insert, read back, update and delete keep values exact", arguments: DatabaseEngine.allCases)
    func roundTrip(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            let items = [
                Item(id: Int64.max, name: "თბილისი", note: nil, payload: [0, 255, 1, 0]),
                Item(id: -1, name: "서울특별시", note: "note with 'quotes' and \\ backslash", payload: []),
                Item(id: 7, name: "Civitas", note: "", payload: Array(0...255)),
            ]
            try await database.transaction { sql in
                for item in items { try await Self.insert(item, into: sql) }
            }
            #expect(try await Self.all(in: database) == items.sorted { $0.id < $1.id })

            try await database.transaction { sql in
                try await sql.raw("UPDATE sample_items SET note = \(bind: "changed") WHERE id = \(bind: 7)").run()
                try await sql.raw("DELETE FROM sample_items WHERE id = \(bind: -1)").run()
            }
            let after = try await Self.all(in: database)
            #expect(after.map(\.id) == [7, Int64.max])
            #expect(after.first?.note == "changed")
        }
    }

    @Test("a transaction that throws leaves nothing behind", arguments: DatabaseEngine.allCases)
    func rollback(engine: DatabaseEngine) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(engine, migrations: Self.schema) { database async throws in
            await #expect(throws: Abort.self) {
                try await database.transaction { sql in
                    try await Self.insert(Item(id: 1, name: "a", note: nil, payload: [1]), into: sql)
                    throw Abort()
                }
            }
            #expect(try await Self.all(in: database).isEmpty)
        }
    }

    @Test("a duplicate key is reported as a unique violation and changes nothing", arguments: DatabaseEngine.allCases)
    func uniqueViolation(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            let item = Item(id: 1, name: "first", note: nil, payload: [1])
            try await database.transaction { sql in try await Self.insert(item, into: sql) }
            let error = await #expect(throws: StorageError.self) {
                try await database.transaction { sql in
                    try await Self.insert(Item(id: 2, name: "second", note: nil, payload: [2]), into: sql)
                    try await Self.insert(Item(id: 1, name: "again", note: nil, payload: [3]), into: sql)
                }
            }
            #expect(error?.code == .uniqueViolation)
            #expect(try await Self.all(in: database) == [item])
        }
    }

    @Test("concurrent read-modify-write transactions lose no update", arguments: DatabaseEngine.allCases)
    func concurrentTransactions(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            try await database.transaction { sql in
                try await Self.insert(Item(id: 1, name: "0", note: nil, payload: []), into: sql)
            }
            let forUpdate = engine == .postgres ? " FOR UPDATE" : ""
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await database.transaction { sql in
                            let row = try await sql.raw(
                                "SELECT name FROM sample_items WHERE id = 1\(unsafeRaw: forUpdate)"
                            ).first()
                            let value = Int(try row!.decode(column: "name", as: String.self))!
                            try await sql.raw("UPDATE sample_items SET name = \(bind: String(value + 1)) WHERE id = 1")
                                .run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.all(in: database).first?.name == "40")
        }
    }

    @Test(
        "shared transactions running at once each commit or fail alone, and lose no update",
        arguments: DatabaseEngine.allCases)
    func sharedTransactions(engine: DatabaseEngine) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            try await database.transaction { sql in
                try await Self.insert(Item(id: 0, name: "0", note: nil, payload: []), into: sql)
            }
            let forUpdate = engine == .postgres ? " FOR UPDATE" : ""
            // Task i adds row i and counts itself in row 0; every fifth then throws, every seventh adds its row twice.
            let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for i in 1...60 {
                    group.addTask {
                        do {
                            let counted = try await database.sharedTransaction { sql in
                                let row = try await sql.raw(
                                    "SELECT name FROM sample_items WHERE id = 0\(unsafeRaw: forUpdate)"
                                ).first()
                                let value = Int(try row!.decode(column: "name", as: String.self))! + 1
                                try await sql.raw("UPDATE sample_items SET name = \(bind: String(value)) WHERE id = 0")
                                    .run()
                                try await Self.insert(
                                    Item(id: Int64(i), name: "row \(i)", note: nil, payload: [UInt8(i)]), into: sql)
                                if i % 5 == 0 { throw Abort() }
                                if i % 7 == 0 {
                                    try await Self.insert(
                                        Item(id: Int64(i), name: "again", note: nil, payload: []), into: sql)
                                }
                                return value
                            }
                            return (i, "counted \(counted)")
                        } catch is Abort {
                            return (i, "aborted")
                        } catch let error as StorageError {
                            return (i, "\(error.code)")
                        }
                    }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            let failed = Set((1...60).filter { $0 % 5 == 0 || $0 % 7 == 0 })
            for i in 1...60 {
                if i % 5 == 0 {
                    #expect(outcomes[i] == "aborted")
                } else if i % 7 == 0 {
                    #expect(outcomes[i] == "\(StorageError.Code.uniqueViolation)")
                } else {
                    #expect(outcomes[i]?.hasPrefix("counted ") == true)
                }
            }
            let items = try await Self.all(in: database)
            // Only the transactions that returned left rows behind, and the counter saw each of them once.
            #expect(items.map(\.id) == [0] + (1...60).filter { !failed.contains($0) }.map(Int64.init))
            #expect(items.first?.name == String(60 - failed.count))
            let counts = outcomes.values.compactMap { $0.hasPrefix("counted ") ? Int($0.dropFirst(8)) : nil }
            #expect(counts.sorted() == Array(1...(60 - failed.count)))
        }
    }

    @Test(
        "a single statement commits on its own, returns its rows, and a failing one writes nothing",
        arguments: DatabaseEngine.allCases)
    func singleStatement(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            let rows = try await database.statement(
                """
                INSERT INTO sample_items (id, name, note, payload)
                VALUES (1, 'one', NULL, \(bind: Data([1]))), (2, 'two', 'x', \(bind: Data([2])))
                RETURNING id
                """)
            #expect(try rows.map { try $0.decode(column: "id", as: Int64.self) }.sorted() == [1, 2])
            // The second row repeats a key: the whole statement fails, its first row included.
            await #expect {
                try await database.statement(
                    """
                    INSERT INTO sample_items (id, name, note, payload)
                    VALUES (3, 'three', NULL, \(bind: Data())), (1, 'again', NULL, \(bind: Data()))
                    """)
            } throws: { ($0 as? StorageError)?.code == .uniqueViolation }
            #expect(try await Self.all(in: database).map(\.id) == [1, 2])
            // Statements running at once each commit (a few: on PostgreSQL each may take a connection of its own,
            // and the suites share one server).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 10..<16 {
                    group.addTask {
                        _ = try await database.statement(
                            "INSERT INTO sample_items (id, name, payload) VALUES (\(bind: id), 'n', \(bind: Data()))")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.all(in: database).map(\.id) == [1, 2] + (10..<16).map(Int64.init))
        }
    }

    @Test("reads run while a write transaction is open", arguments: DatabaseEngine.allCases)
    func readDuringWrite(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.schema) { database in
            try await database.transaction { sql in
                try await Self.insert(Item(id: 1, name: "uncommitted", note: nil, payload: []), into: sql)
                // Another connection does not see the uncommitted row, and is not blocked by it.
                #expect(try await Self.all(in: database).isEmpty)
            }
            #expect(try await Self.all(in: database).count == 1)
        }
    }

    @Test("the database answers a ping", arguments: DatabaseEngine.allCases)
    func ping(engine: DatabaseEngine) async throws {
        // The test asserts that the ping succeeds, not how fast: under a loaded CI machine a fresh
        // PostgreSQL connection can take longer than the readiness probe's two seconds.
        try await TestDatabase.with(engine) { database in
            try await database.ping(timeout: .seconds(60))
        }
    }
}
