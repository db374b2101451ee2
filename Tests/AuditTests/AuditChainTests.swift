import Audit
import CivitasCore
import Foundation
import SQLKit
import Storage
import StorageTesting
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    static func event(_ index: Int, subject: String? = nil) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(kind: .official, id: "official-\(index % 3)"),
            action: "registries.person.read",
            object: AuditObject(type: "person", id: "p\(index)"),
            subject: subject.map { DataSubject(kind: "person", identifier: $0) },
            purpose: "service:birth-certificate",
            requestID: "req-\(index)")
    }

    static func filled(_ database: Database, count: Int) async throws -> AuditLog {
        let log = AuditLog(database: database)
        for index in 1...count {
            try await log.append(Self.event(index, subject: index.isMultiple(of: 2) ? "01234567890" : nil))
        }
        return log
    }

    static func execute(_ database: Database, _ query: SQLQueryString) async throws {
        try await database.transaction { sql in try await sql.raw(query).run() }
    }

    @Test("an untouched chain verifies, and its head is the last entry", arguments: DatabaseEngine.allCases)
    func intact(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = AuditLog(database: database)
            #expect(try await log.verify() == .intact(entries: 0, head: .genesis))
            var last: AuditEntry?
            for index in 1...5 { last = try await log.append(Self.event(index)) }
            let batch = try await log.append(contentsOf: (6...10).map { Self.event($0) })
            #expect(batch.map(\.sequence) == Array(6...10))
            #expect(batch.first?.previousHash == last?.hash)
            let head = try await log.head()
            #expect(head.sequence == 10)
            #expect(try await log.verify() == .intact(entries: 10, head: head))
        }
    }

    @Test("a changed field is detected at that entry", arguments: DatabaseEngine.allCases)
    func modified(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 8)
            try await Self.execute(database, "UPDATE audit_entries SET purpose = 'curiosity' WHERE seq = 5")
            #expect(try await log.verify() == .broken(sequence: 5, problem: .modified))
        }
    }

    @Test("a changed time, actor or subject is detected", arguments: DatabaseEngine.allCases)
    func modifiedOtherFields(engine: DatabaseEngine) async throws {
        let tampering: [SQLQueryString] = [
            "UPDATE audit_entries SET occurred_at = occurred_at + 1 WHERE seq = 3",
            "UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 3",
            "UPDATE audit_entries SET subject = NULL WHERE seq = 4",
            "UPDATE audit_entries SET actor_on_behalf_of = 'company' WHERE seq = 3",
        ]
        for (index, query) in tampering.enumerated() {
            try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
                let log = try await Self.filled(database, count: 6)
                try await Self.execute(database, query)
                let sequence: Int64 = index == 2 ? 4 : 3
                #expect(try await log.verify() == .broken(sequence: sequence, problem: .modified), "\(query)")
            }
        }
    }

    @Test("a deleted entry is detected as missing", arguments: DatabaseEngine.allCases)
    func deleted(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 8)
            try await Self.execute(database, "DELETE FROM audit_entries WHERE seq = 4")
            #expect(try await log.verify() == .broken(sequence: 4, problem: .missing))
        }
    }

    @Test("a deleted first entry is detected", arguments: DatabaseEngine.allCases)
    func deletedFirst(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 3)
            try await Self.execute(database, "DELETE FROM audit_entries WHERE seq = 1")
            #expect(try await log.verify() == .broken(sequence: 1, problem: .missing))
        }
    }

    @Test("an entry inserted with renumbering is detected after it", arguments: DatabaseEngine.allCases)
    func inserted(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 6)
            // The forger shifts entries 4… up by one and writes a well-formed entry 4 that links to entry 3.
            let entries = try await log.entries(from: 1, limit: 10)
            try await Self.execute(database, "UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 4")
            try await Self.execute(database, "UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1000")
            let forgedEvent = Self.event(99)
            try await AuditForgery.insert(
                forgedEvent, sequence: 4, time: entries[2].time, previousHash: entries[2].hash, into: database)
            #expect(try await log.verify() == .broken(sequence: 5, problem: .modified))
        }
    }

    @Test("an entry inserted without renumbering is detected", arguments: DatabaseEngine.allCases)
    func insertedAtEnd(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 4)
            let entries = try await log.entries(from: 1, limit: 10)
            // A forged entry that claims to follow entry 2 but is appended as number 5.
            try await AuditForgery.insert(
                Self.event(50), sequence: 5, time: entries[1].time, previousHash: entries[1].hash, into: database)
            #expect(try await log.verify() == .broken(sequence: 5, problem: .unlinked))
        }
    }

    @Test("two entries swapped are detected at the first of them", arguments: DatabaseEngine.allCases)
    func reordered(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 8)
            try await Self.execute(database, "UPDATE audit_entries SET seq = -1 WHERE seq = 3")
            try await Self.execute(database, "UPDATE audit_entries SET seq = 3 WHERE seq = 6")
            try await Self.execute(database, "UPDATE audit_entries SET seq = 6 WHERE seq = -1")
            #expect(try await log.verify() == .broken(sequence: 3, problem: .modified))
        }
    }

    @Test("a rehashed entry still breaks the link to the next one", arguments: DatabaseEngine.allCases)
    func rehashed(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 5)
            let entries = try await log.entries(from: 1, limit: 10)
            // A forger who knows the format rewrites entry 2 completely, with a correct hash of its new content.
            try await Self.execute(database, "DELETE FROM audit_entries WHERE seq = 2")
            try await AuditForgery.insert(
                Self.event(77), sequence: 2, time: entries[1].time, previousHash: entries[0].hash, into: database)
            #expect(try await log.verify() == .broken(sequence: 3, problem: .unlinked))
        }
    }

    @Test("cutting off the newest entries is detected by an anchor", arguments: DatabaseEngine.allCases)
    func truncatedAfterAnchor(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 6)
            let anchoring = HMACAnchoring()
            let anchored = try await log.anchorHead(using: anchoring)
            #expect(anchored.sequence == 6)
            try await log.append(Self.event(7))
            #expect(try await log.verify(anchors: [anchoring]) == .intact(entries: 7, head: try await log.head()))
            try await Self.execute(database, "DELETE FROM audit_entries WHERE seq >= 6")
            #expect(try await log.verify(anchors: [anchoring]) == .broken(sequence: 6, problem: .anchorMismatch))
        }
    }

    @Test("a forged anchor token is rejected", arguments: DatabaseEngine.allCases)
    func forgedAnchor(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 3)
            try await log.anchorHead(using: HMACAnchoring())
            let other = HMACAnchoring(key: Array("another key".utf8))
            let result = try await log.verify(anchors: [other])
            guard case .broken(3, .anchorInvalid) = result else {
                Issue.record("expected an invalid anchor at 3, got \(result)")
                return
            }
        }
    }

    @Test("many tasks appending at once keep one unbroken chain", arguments: DatabaseEngine.allCases)
    func concurrentAppends(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = AuditLog(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        for index in 0..<10 { try await log.append(Self.event(task * 100 + index)) }
                    }
                }
                try await group.waitForAll()
            }
            let result = try await log.verify()
            guard case .intact(160, _) = result else {
                Issue.record("expected 160 intact entries, got \(result)")
                return
            }
        }
    }

    @Test("an entry appended in a transaction that rolls back leaves no trace", arguments: DatabaseEngine.allCases)
    func appendInRolledBackTransaction(engine: DatabaseEngine) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = AuditLog(database: database)
            try await log.append(Self.event(1))
            await #expect(throws: Abort.self) {
                try await database.transaction { sql in
                    try await log.append(Self.event(2), in: sql)
                    throw Abort()
                }
            }
            #expect(try await log.head().sequence == 1)
            #expect(try await log.verify() == .intact(entries: 1, head: try await log.head()))
        }
    }

    @Test("an event with an empty field is refused and nothing is written", arguments: DatabaseEngine.allCases)
    func invalidEvent(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database async throws in
            let log = AuditLog(database: database)
            var bad = Self.event(1)
            bad.purpose = ""
            var long = Self.event(2)
            long.action = String(repeating: "x", count: AuditLog.maximumFieldLength + 1)
            for event in [bad, long] {
                let error = await #expect(throws: AuditError.self) {
                    try await log.append(contentsOf: [Self.event(3), event])
                }
                #expect(error?.code == .invalidEvent)
            }
            #expect(try await log.head() == .genesis)
        }
    }

    @Test("entries about a data subject come newest first, in pages", arguments: DatabaseEngine.allCases)
    func subjectQuery(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = try await Self.filled(database, count: 25)
            let subject = DataSubject(kind: "person", identifier: "01234567890")
            var sequences: [Int64] = []
            var cursor: Int64?
            var pages = 0
            repeat {
                let page = try await log.entries(about: subject, before: cursor, limit: 5)
                #expect(page.entries.allSatisfy { $0.event.subject == subject })
                sequences += page.entries.map(\.sequence)
                cursor = page.next
                pages += 1
            } while cursor != nil
            #expect(sequences == stride(from: 24, through: 2, by: -2).map(Int64.init))
            #expect(pages == 3)
            let nobody = try await log.entries(about: DataSubject(kind: "person", identifier: "999"))
            #expect(nobody.entries.isEmpty && nobody.next == nil)
            await #expect(throws: AuditError.self) { _ = try await log.entries(about: subject, limit: 0) }
            await #expect(throws: AuditError.self) { _ = try await log.entries(about: subject, limit: 201) }
        }
    }

    @Test("stored entries read back exactly as appended", arguments: DatabaseEngine.allCases)
    func roundTrip(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: AuditLog.migrations) { database in
            let log = AuditLog(database: database)
            let event = AuditEvent(
                actor: AuditActor(kind: .person, id: "01234567890", onBehalfOf: "organisation:CVT-GOV-1"),
                action: "portal.application.submit", object: AuditObject(type: "application", id: "A-1"),
                subject: DataSubject(kind: "person", identifier: "01234567890"), purpose: "განცხადება 신청",
                requestID: nil)
            let appended = try await log.append(event)
            #expect(try await log.entries(from: 1, limit: 1) == [appended])
        }
    }
}
