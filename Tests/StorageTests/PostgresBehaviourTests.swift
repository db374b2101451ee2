import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("PostgreSQL specifics")
struct PostgresBehaviourTests {
    actor Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }

    @Test("a serialization failure is retried and then succeeds")
    func retriesSerializationFailure() async throws {
        try await TestDatabase.with(.postgres) { database in
            let attempts = Counter()
            let result = try await database.transaction { sql in
                if await attempts.next() < 3 {
                    try await sql.raw(
                        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$"
                    ).run()
                }
                return "done"
            }
            #expect(result == "done")
            #expect(await attempts.value == 3)
        }
    }

    @Test("an error that is not a conflict is not retried")
    func doesNotRetryOtherErrors() async throws {
        try await TestDatabase.with(.postgres) { database in
            let attempts = Counter()
            let error = await #expect(throws: StorageError.self) {
                try await database.transaction { sql in
                    _ = await attempts.next()
                    try await sql.raw("SELECT * FROM no_such_table").run()
                }
            }
            #expect(error?.code == .queryFailed)
            #expect(error?.message.contains("no_such_table") == true)
            #expect(await attempts.value == 1)
        }
    }

    @Test("endless conflicts give up with a serialization failure")
    func givesUp() async throws {
        try await TestDatabase.with(.postgres) { database in
            let attempts = Counter()
            let error = await #expect(throws: StorageError.self) {
                try await database.transaction { sql in
                    _ = await attempts.next()
                    try await sql.raw(
                        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'deadlock_detected'; END $$"
                    ).run()
                }
            }
            #expect(error?.code == .serializationFailure)
            #expect(await attempts.value == database.maximumAttempts)
        }
    }

    @Test("an unreachable server is reported at once, naming the address")
    func unreachable() async throws {
        let url = try PostgresURL("postgres://civitas:secret@127.0.0.1:1/nowhere?sslmode=disable")
        let error = await #expect(throws: StorageError.self) {
            _ = try await Database.open(.postgres(url), logger: TestDatabase.logger)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.message.contains("secret") == false)
    }

    @Test("a wrong password is reported as such")
    func wrongDatabase() async throws {
        let admin = try PostgresURL(try TestDatabase.adminURLString())
        let url = try PostgresURL(
            "postgres://\(admin.username)@\(admin.host):\(admin.port)/civitas_no_such_db?sslmode=disable")
        let error = await #expect(throws: StorageError.self) {
            _ = try await Database.open(.postgres(url), logger: TestDatabase.logger)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("civitas_no_such_db") == true)
    }
}
