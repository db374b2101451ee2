import CivitasCore
import Crypto
import Foundation
import NIOCore
import SQLKit
import Storage
import StorageTesting
import Testing

@testable import Exchange

/// Bodies too large to hold in memory: the spool that takes them as they arrive, and the message log that keeps
/// them as files of its own, proves them in evidence and moves them into its archives.
@Suite("Spooled bodies")
struct MessageLogBodyFileTests {
    static let pki = MessageLogTestPKI.shared

    static func directory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("civitas-\(name)-\(UUID().uuidString)")
    }

    static func files(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    static func random(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255) }
    }

    @Test("a body up to the memory limit stays in memory; a larger one goes to a file, hashed on the way")
    func spoolKeepsOrWrites() async throws {
        let directory = Self.directory("spool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = BodySpool(directory: directory, memoryLimit: 1000)
        let small = Self.random(1000)
        let kept = try await spool.receive(MessageBody(small).chunks(size: 300), limit: 10_000)
        #expect(kept.inMemory == small)
        #expect(Self.files(in: directory).isEmpty)

        let large = Self.random(9_999)
        do {
            let spooled = try await spool.receive(MessageBody(large).chunks(size: 700), limit: 10_000)
            #expect(spooled.inMemory == nil)
            #expect(spooled.count == large.count)
            #expect(spooled.digest == Array(SHA256.hash(data: large)))
            #expect(try await spooled.bytes() == large)
            var pieces = 0
            for try await chunk in spooled.chunks(size: 4096) {
                pieces += 1
                #expect(chunk.readableBytes <= 4096)
            }
            #expect(pieces == 3)
            #expect(Self.files(in: directory).count == 1)
        }
        // The file goes with the last body that holds it.
        #expect(Self.files(in: directory).isEmpty)
    }

    @Test("a body over the limit is refused at the first buffer past it, and leaves no file")
    func spoolRefusesTooLarge() async throws {
        let directory = Self.directory("spool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = BodySpool(directory: directory, memoryLimit: 100)
        let error = await #expect(throws: BodySpool.Failure.self) {
            _ = try await spool.receive(MessageBody(Self.random(5_001)).chunks(size: 1000), limit: 5_000)
        }
        guard case .tooLarge(let limit) = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(limit == 5_000)
        #expect(Self.files(in: directory).isEmpty)

        // What a stopped node left in its spool is removed when it starts again; other files are not touched.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data([1]).write(to: directory.appendingPathComponent("left.spool"))
        try Data([2]).write(to: directory.appendingPathComponent("keep.txt"))
        try spool.clear()
        #expect(Self.files(in: directory) == ["keep.txt"])
    }

    @Test(
        "a spooled body is a synced file of the log's; its evidence carries the bytes; the archive takes them over",
        arguments: DatabaseEngine.allCases)
    func loggedAsFile(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: ExchangeMigrations.all) { database in
            let root = Self.directory("log")
            defer { try? FileManager.default.removeItem(at: root) }
            let bodies = root.appendingPathComponent("bodies")
            let spool = BodySpool(directory: root.appendingPathComponent("spool"), memoryLimit: 1024)
            let clock = ManualClock(Date(timeIntervalSince1970: 1_796_000_000))
            let log = MessageLog(
                database: database,
                configuration: MessageLogConfiguration(
                    retention: .seconds(7 * 86_400), archiveDirectory: root.appendingPathComponent("archive"),
                    bodyDirectory: bodies),
                clock: clock)
            let bytes = Self.random(50_000)
            var entry = try await MessageLogSamples.request("large")
            entry.body = try await spool.receive(MessageBody(bytes).chunks(size: 4096), limit: 1 << 20)
            #expect(entry.body.inMemory == nil)
            let record = try await log.append(entry)
            #expect(record.bodyDigest == Array(SHA256.hash(data: bytes)))
            #expect(record.bodyLength == 50_000)
            try await log.append(try await MessageLogSamples.response("large"))

            let rows = try await database.read { sql in
                try await sql.raw("SELECT body, file_name FROM exchange_log_bodies ORDER BY seq").all()
            }
            let names = try rows.map { try $0.decode(column: "file_name", as: String?.self) }
            #expect(names.count == 2 && names[0] != nil && names[1] == nil)
            #expect(try rows[0].decode(column: "body", as: Data.self).isEmpty)
            let name = try #require(names[0])
            #expect(Self.files(in: bodies) == [name])
            #expect(Array(try Data(contentsOf: bodies.appendingPathComponent(name))) == bytes)

            try await log.stampPending(using: try Self.pki.authority())
            let evidence = try await log.evidence(messageID: "large")
            #expect(evidence.items.first?.body == bytes)
            let result = await MessageLogEvidence.verify(evidence.derEncoded, trustAnchors: [Self.pki.root])
            #expect(result.verdict == .valid, "\(result.problems)")
            #expect(result.records.allSatisfy { $0.bodyIncluded })

            // A file no record names (a crash between its link and its commit) is swept; the logged one stays.
            try Data([1, 2, 3]).write(to: bodies.appendingPathComponent("left-behind.body"))
            #expect(try await log.sweepBodyFiles() == 1)
            #expect(Self.files(in: bodies) == [name])

            clock.advance(by: 8 * 86_400)
            let archives = try await log.archive()
            #expect(archives.map(\.recordCount) == [2])
            #expect(Self.files(in: bodies).isEmpty)
            let archived = try await log.evidence(messageID: "large")
            #expect(archived.items.first?.body == bytes)
            let again = await MessageLogEvidence.verify(archived.derEncoded, trustAnchors: [Self.pki.root])
            #expect(again.verdict == .valid, "\(again.problems)")
        }
    }

    @Test("a spooled body whose record is refused (time-stamping overdue) leaves no file of the log's")
    func refusedLeavesNoFile() async throws {
        try await TestDatabase.with(.sqlite, migrations: ExchangeMigrations.all) { database in
            let root = Self.directory("log")
            defer { try? FileManager.default.removeItem(at: root) }
            let bodies = root.appendingPathComponent("bodies")
            let clock = ManualClock()
            let log = MessageLog(
                database: database,
                configuration: MessageLogConfiguration(
                    maximumUnstampedAge: .seconds(60), archiveDirectory: root.appendingPathComponent("archive"),
                    bodyDirectory: bodies),
                clock: clock)
            try await log.append(try await MessageLogSamples.request("waiting"))
            clock.advance(by: 120)
            var entry = try await MessageLogSamples.request("refused")
            entry.body = try await BodySpool(directory: root.appendingPathComponent("spool"), memoryLimit: 10)
                .receive(MessageBody(Self.random(2_000)).chunks(), limit: 1 << 20)
            let error = await #expect(throws: ExchangeError.self) { try await log.append(entry) }
            #expect(error?.code == .timeStampingOverdue)
            #expect(Self.files(in: bodies).isEmpty)
            let count = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM exchange_log_records").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(count == 1)
        }
    }
}
