import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Notifications between nodes")
struct NotificationTests {
    static func first(of stream: AsyncStream<String>, within seconds: Double = 5) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await value in stream { return value }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let value = await group.next() ?? nil
            group.cancelAll()
            return value
        }
    }

    @Test(
        "a notification is heard once its transaction commits, never after a rollback",
        arguments: DatabaseEngine.allCases)
    func sameNode(engine: DatabaseEngine) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(engine) { database in
            let stream = try await database.notifications("trust_status")
            await #expect(throws: Abort.self) {
                try await database.transaction { sql in
                    try await database.notify("trust_status", payload: "rolled-back", in: sql)
                    throw Abort()
                }
            }
            try await database.transaction { sql in
                try await database.notify("trust_status", payload: "citizens-ca/0a", in: sql)
            }
            #expect(await Self.first(of: stream) == "citizens-ca/0a")
        }
    }

    @Test("two nodes over one PostgreSQL database hear each other, and a rolled-back NOTIFY is never heard")
    func twoNodes() async throws {
        struct Abort: Error {}
        let created = try await TestDatabase.create(.postgres)
        let nodeA = try await Database.open(created.location, logger: TestDatabase.logger)
        let nodeB = try await Database.open(created.location, logger: TestDatabase.logger)
        let heardByB = try await nodeB.notifications("trust_status")
        await #expect(throws: Abort.self) {
            try await nodeA.transaction { sql in
                try await nodeA.notify("trust_status", payload: "rolled-back", in: sql)
                throw Abort()
            }
        }
        try await nodeA.transaction { sql in
            try await nodeA.notify("trust_status", payload: "committed", in: sql)
        }
        #expect(await Self.first(of: heardByB) == "committed")
        await nodeA.close()
        await nodeB.close()
        try await created.remove()
    }

    @Test("channel names are checked")
    func badChannel() async throws {
        try await TestDatabase.with(.sqlite) { database in
            for bad in ["", "Trust", "a-b", String(repeating: "a", count: 64), "x; DROP TABLE y"] {
                await #expect(throws: StorageError.self) { _ = try await database.notifications(bad) }
            }
        }
    }
}
