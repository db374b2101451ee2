import CivitasCore
import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Storage
import StorageTesting
import Testing
import Trust

@testable import Exchange

/// The message log on both engines: durable appends, batch time-stamping against a real TSA over HTTP that goes
/// away and comes back, refusal past the allowed delay, evidence export, archiving.
@Suite("Message log")
struct MessageLogTests {
    /// The whole Exchange schema (the central registry's version 1, then the log's version 2).
    static let migrations = ExchangeMigrations.all

    static let pki = MessageLogTestPKI.shared

    static func count(_ table: String, in database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(
                column: "n", as: Int.self)
                ?? 0
        }
    }

    static func verify(_ evidence: MessageLogEvidence) async -> MessageLogVerification {
        await MessageLogEvidence.verify(evidence.derEncoded, trustAnchors: [pki.root])
    }

    @Test(
        "records are appended, one token covers a batch, and each message's evidence verifies",
        arguments: DatabaseEngine.allCases)
    func appendStampExport(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(database: database, configuration: MessageLogSamples.configuration())
            for id in ["m-1", "m-2", "m-3"] {
                try await log.append(try await MessageLogSamples.request(id))
                try await log.append(try await MessageLogSamples.response(id))
            }
            #expect(try await log.unstampedCount() == 6)
            #expect(try await log.stampPending(using: try Self.pki.authority()) == 6)
            #expect(try await log.unstampedCount() == 0)
            #expect(try await Self.count("exchange_log_batches", in: database) == 1)
            #expect(try await log.stampPending(using: try Self.pki.authority()) == 0)

            let evidence = try await log.evidence(messageID: "m-2")
            #expect(evidence.items.map(\.record.direction) == [.request, .response])
            #expect(evidence.batches.count == 1)
            #expect(evidence.items.map(\.leafIndex) == [2, 3])
            let result = await Self.verify(evidence)
            #expect(result.verdict == .valid, "\(result.problems)")
            #expect(result.records.allSatisfy { $0.timeStampedAt != nil && $0.bodyIncluded })
            #expect(result.records[0].signature.contains("GOV 70000001 e-seal"), "\(result.records[0].signature)")
            #expect(result.records[1].signature.contains("GOV 70000002 e-seal"))
        }
    }

    @Test(
        "a queue longer than the batch size takes several tokens; a request and response may sit in two batches",
        arguments: DatabaseEngine.allCases)
    func batchSize(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(
                database: database, configuration: MessageLogSamples.configuration(maximumBatchSize: 2))
            try await log.append(try await MessageLogSamples.request("a"))
            for id in ["b", "c"] { try await log.append(try await MessageLogSamples.request(id)) }
            try await log.append(try await MessageLogSamples.response("a"))
            try await log.append(try await MessageLogSamples.request("d"))
            #expect(try await log.stampPending(using: try Self.pki.authority()) == 5)
            #expect(try await Self.count("exchange_log_batches", in: database) == 3)
            let evidence = try await log.evidence(messageID: "a")
            #expect(evidence.batches.count == 2)
            let result = await Self.verify(evidence)
            #expect(result.verdict == .valid, "\(result.problems)")
        }
    }

    @Test(
        "concurrent appends share commits: each returns only once its record is stored, and every one is there",
        arguments: DatabaseEngine.allCases)
    func groupCommit(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(database: database, configuration: MessageLogSamples.configuration())
            let entry = try await MessageLogSamples.request("template")
            let returned = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for index in 0..<300 {
                    group.addTask {
                        var mine = entry
                        mine.messageID = "concurrent-\(index)"
                        let record = try await log.append(mine)
                        // Once append returns, the record is readable by anyone.
                        let stored = try await database.read { sql in
                            try await sql.raw(
                                "SELECT COUNT(*) AS n FROM exchange_log_records WHERE message_id = \(bind: record.messageID)"
                            ).first()?.decode(column: "n", as: Int.self) ?? 0
                        }
                        return (record.messageID, stored)
                    }
                }
                var all: [(String, Int)] = []
                for try await pair in group { all.append(pair) }
                return all
            }
            #expect(Set(returned.map(\.0)).count == 300)
            #expect(returned.allSatisfy { $0.1 == 1 })
            #expect(try await Self.count("exchange_log_records", in: database) == 300)
            #expect(try await Self.count("exchange_log_pending", in: database) == 300)
            #expect(try await Self.count("exchange_log_bodies", in: database) == 300)
        }
    }

    @Test(
        "the TSA goes away: messages keep coming, then are refused past the limit, and all is stamped once it is back",
        arguments: DatabaseEngine.allCases)
    func timeStampingOutage(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let clock = ManualClock()
            let log = MessageLog(
                database: database, configuration: MessageLogSamples.configuration(maximumUnstampedAge: .seconds(60)),
                clock: clock)
            let tsa = LoopbackTSA(authority: try Self.pki.authority())
            try await tsa.start()
            let url = await tsa.url
            // A refused connection fails at once; the generous deadline is for a machine busy with the other suites.
            try await HTTPTimeStampClient.withClient(url: url, configuration: .init(requestTimeout: .seconds(30))) {
                client in
                try await log.append(try await MessageLogSamples.request("before"))
                #expect(try await log.stampPending(using: client) == 1)

                try await tsa.stop()
                try await log.append(try await MessageLogSamples.request("during-1"))
                let failure = await #expect(throws: ExchangeError.self) { try await log.stampPending(using: client) }
                #expect(failure?.code == .timeStampingFailed)
                #expect(failure?.message.contains("connection refused") == true, "\(String(describing: failure))")
                clock.advance(by: 30)
                try await log.append(try await MessageLogSamples.response("during-1"))
                #expect(try await log.unstampedCount() == 2)

                clock.advance(by: 31)
                let refusal = await #expect(throws: ExchangeError.self) {
                    try await log.append(try await MessageLogSamples.request("refused"))
                }
                #expect(refusal?.code == .timeStampingOverdue)
                #expect(refusal?.message.contains("time-stamping has failed since") == true)
                #expect(refusal?.message.contains("past the 60 s allowed") == true, "\(String(describing: refusal))")
                #expect(try await Self.count("exchange_log_records", in: database) == 3)

                try await tsa.start()
                #expect(await tsa.url == url)
                #expect(try await log.stampPending(using: client) == 2)
                try await log.append(try await MessageLogSamples.request("after"))
                #expect(try await log.stampPending(using: client) == 1)
            }
            try await tsa.stop()
            for id in ["before", "during-1", "after"] {
                let result = await Self.verify(try await log.evidence(messageID: id))
                #expect(result.verdict == .valid, "\(id): \(result.problems)")
            }
            #expect(try await Self.count("exchange_log_records", in: database) == 4)
        }
    }

    @Test(
        "the stamper service stamps on its interval, retries, and stamps once more on shutdown",
        arguments: DatabaseEngine.allCases)
    func stamperService(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(database: database, configuration: MessageLogSamples.configuration())
            let tsa = LoopbackTSA(authority: try Self.pki.authority())
            try await tsa.start()
            let client = try HTTPTimeStampClient(url: await tsa.url)
            var logger = Logger(label: "stamper")
            logger.logLevel = .critical
            let stamper = MessageLogTimeStamper(log: log, source: client, interval: .milliseconds(50), logger: logger)
            let group = ServiceGroup(services: [client, stamper], gracefulShutdownSignals: [], logger: logger)
            let running = Task { try await group.run() }
            try await log.append(try await MessageLogSamples.request("svc-1"))
            try await Self.waitUntilStamped(log)
            try await tsa.stop()
            try await log.append(try await MessageLogSamples.request("svc-2"))
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await log.unstampedCount() == 1)
            try await tsa.start()
            try await Self.waitUntilStamped(log)
            await group.triggerGracefulShutdown()
            try await running.value
            try await tsa.stop()
            let result = await Self.verify(try await log.evidence(messageID: "svc-2"))
            #expect(result.verdict == .valid, "\(result.problems)")
        }
    }

    static func waitUntilStamped(_ log: MessageLog) async throws {
        for _ in 0..<200 {
            if try await log.unstampedCount() == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the stamper did not stamp within 10 s")
    }

    @Test("bad entries are refused with invalidRecord and store nothing", arguments: DatabaseEngine.allCases)
    func badEntries(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(database: database, configuration: MessageLogSamples.configuration())
            let good = try await MessageLogSamples.request("ok")
            var cases: [MessageLogEntry] = []
            var entry = good
            entry.messageID = ""
            cases.append(entry)
            entry = good
            entry.client = "CIVITAS/GOV/7000\u{0}0001"
            cases.append(entry)
            entry = good
            entry.service = String(repeating: "s", count: MessageLog.maximumIdentifierLength + 1)
            cases.append(entry)
            entry = good
            entry.signature = []
            cases.append(entry)
            entry = good
            entry.requestHash = "aGFzaA=="
            cases.append(entry)
            for bad in cases {
                let error = await #expect(throws: ExchangeError.self) { try await log.append(bad) }
                #expect(error?.code == .invalidRecord)
            }
            #expect(try await Self.count("exchange_log_records", in: database) == 0)
            #expect(try await Self.count("exchange_log_pending", in: database) == 0)
        }
    }

    @Test(
        "evidence of an unknown id is notFound; of an unstamped one, notYetTimeStamped",
        arguments: DatabaseEngine.allCases)
    func evidenceNotReady(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let log = MessageLog(database: database, configuration: MessageLogSamples.configuration())
            let missing = await #expect(throws: ExchangeError.self) { try await log.evidence(messageID: "nobody") }
            #expect(missing?.code == .notFound)
            try await log.append(try await MessageLogSamples.request("waiting"))
            let waiting = await #expect(throws: ExchangeError.self) { try await log.evidence(messageID: "waiting") }
            #expect(waiting?.code == .notYetTimeStamped)
        }
    }

    @Test(
        "without bodies, the digest is still proven and the evidence says the body is absent",
        arguments: DatabaseEngine.allCases)
    func withoutBodies(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            var configuration = MessageLogSamples.configuration()
            configuration.keepsBodies = false
            let log = MessageLog(database: database, configuration: configuration)
            try await log.append(try await MessageLogSamples.request("nobody"))
            try await log.stampPending(using: try Self.pki.authority())
            #expect(try await Self.count("exchange_log_bodies", in: database) == 0)
            let evidence = try await log.evidence(messageID: "nobody")
            #expect(evidence.items[0].body == nil)
            let result = await Self.verify(evidence)
            #expect(result.verdict == .valid, "\(result.problems)")
            #expect(result.records[0].bodyIncluded == false)
            #expect(result.notes.contains { $0.contains("bodies are not included") })
        }
    }

    @Test(
        "old stamped records move to one archive file per day; their evidence still verifies, from the index",
        arguments: DatabaseEngine.allCases)
    func archiving(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: Self.migrations) { database in
            let clock = ManualClock(Date(timeIntervalSince1970: 1_796_000_000))  // 2026-11-30T...Z
            let configuration = MessageLogSamples.configuration(retention: .seconds(7 * 86_400))
            let log = MessageLog(database: database, configuration: configuration, clock: clock)
            let tsa = try Self.pki.authority()
            try await log.append(try await MessageLogSamples.request("old-1"))
            try await log.append(try await MessageLogSamples.response("old-1"))
            try await log.stampPending(using: tsa)
            clock.advance(by: 86_400)
            try await log.append(try await MessageLogSamples.request("old-2"))
            try await log.stampPending(using: tsa)
            try await log.append(try await MessageLogSamples.request("old-waiting"))
            clock.advance(by: 8 * 86_400)

            // A record whose batch is not stamped stays in the hot table, however old.
            let archives = try await log.archive()
            #expect(archives.map(\.recordCount) == [2, 1])
            #expect(Set(archives.map(\.period)).count == 2)
            #expect(try await Self.count("exchange_log_records", in: database) == 1)
            let waiting = await #expect(throws: ExchangeError.self) { try await log.evidence(messageID: "old-waiting") }
            #expect(waiting?.code == .notYetTimeStamped)

            try await log.stampPending(using: tsa)
            try await log.append(try await MessageLogSamples.request("fresh"))
            try await log.stampPending(using: tsa)
            let second = try await log.archive()
            #expect(second.map(\.recordCount) == [1])
            #expect(second.first?.period == archives.last?.period)
            #expect(try await Self.count("exchange_log_records", in: database) == 1)
            #expect(try await Self.count("exchange_log_archived", in: database) == 4)
            #expect(try await log.archive().isEmpty)

            for id in ["old-1", "old-2", "old-waiting", "fresh"] {
                let result = await Self.verify(try await log.evidence(messageID: id))
                #expect(result.verdict == .valid, "\(id): \(result.problems)")
            }
            #expect(try await log.evidence(messageID: "old-1").items.count == 2)
            for archive in archives + second {
                let bytes = Array(try Data(contentsOf: archive.url))
                let result = await MessageLogEvidence.verify(bytes, trustAnchors: [Self.pki.root])
                #expect(result.verdict == .valid, "\(archive.fileName): \(result.problems)")
                #expect(result.records.count == archive.recordCount)
            }

            var changed = Array(try Data(contentsOf: archives[0].url))
            changed[changed.count / 2] ^= 0x01
            try Data(changed).write(to: archives[0].url)
            let error = await #expect(throws: ExchangeError.self) { try await log.evidence(messageID: "old-1") }
            #expect(error?.code == .archiveUnavailable)
            try? FileManager.default.removeItem(at: configuration.archiveDirectory)
        }
    }
}
