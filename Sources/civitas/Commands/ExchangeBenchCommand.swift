import ArgumentParser
import Crypto
import Exchange
import Foundation
import Logging
import Storage
import SwiftASN1
import Trust
import X509

/// `civitas exchange bench-log`: the message log's growth and the cost of one batch stamp, on a throwaway SQLite
/// database (hidden from `--help`; see decision 0020).
///
/// Appends `--records` records of realistic size (a 300-byte header block, a 2 KiB body, a 1.5 KiB seal), reports
/// appends per second, stamps them all in batches of `--batch` with an in-process TSA and reports the time per batch
/// and per record, then the database's bytes per record (and so per million). Run it with
/// `swift build -c release && .build/release/civitas exchange bench-log --records 100000 --batch 10000`.
struct ExchangeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-log", abstract: "Measure message-log growth and batch time-stamping.",
        shouldDisplay: false)

    @Option(help: "Records to append.")
    var records: Int = 10_000

    @Option(help: "Records per time-stamp batch.")
    var batch: Int = 10_000

    @Option(help: "Concurrent appenders.")
    var writers: Int = 4

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("civitas-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("log.sqlite").path
        let database = try await Database.open(.sqlite(path: path), logger: logger)
        try await Migrator(database: database, migrations: ExchangeMigrations.all, logger: logger).migrate()
        let before = Self.size(of: path)
        let log = MessageLog(
            database: database,
            configuration: MessageLogConfiguration(
                maximumBatchSize: batch, archiveDirectory: directory.appendingPathComponent("archive")))
        let headers = Array(String(repeating: "x-road-header: value\n", count: 15).utf8)
        let body = Array(repeating: UInt8(ascii: "b"), count: 2048)
        let seal = (0..<1536).map { UInt8(truncatingIfNeeded: $0) }
        let perWriter = records / writers
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        try await log.append(
                            MessageLogEntry(
                                messageID: "bench-\(writer)-\(index)", client: "CIVITAS/GOV/70000001/bench",
                                service: "CIVITAS/GOV/70000002/registry/query", direction: .request,
                                signedHeaders: headers, body: body, signature: seal))
                    }
                }
            }
            try await group.waitForAll()
        }
        let appended = perWriter * writers
        let appendTime = Self.seconds(ContinuousClock.now - started)
        Console.say(
            "appended \(appended) records in \(String(format: "%.2f", appendTime)) s: "
                + "\(String(format: "%.0f", Double(appended) / appendTime)) records/s (\(writers) writers, durable)")
        let authority = try Self.authority()
        let stampStart = ContinuousClock.now
        let stamped = try await log.stampPending(using: authority)
        let stampTime = Self.seconds(ContinuousClock.now - stampStart)
        let batches = (stamped + batch - 1) / batch
        Console.say(
            "stamped \(stamped) records in \(batches) batches of up to \(batch): "
                + "\(String(format: "%.3f", stampTime / Double(max(batches, 1)))) s per batch, "
                + "\(String(format: "%.1f", stampTime * 1_000_000 / Double(max(stamped, 1)))) µs per record")
        // Closing the last connection checkpoints the WAL into the file, so the size is the database's own.
        await database.close()
        let growth = Double(Self.size(of: path) - before) / Double(max(appended, 1))
        Console.say(
            "database growth, stamps included: \(String(format: "%.0f", growth)) bytes/record for "
                + "\(headers.count + body.count + seal.count) bytes of headers, body and seal; "
                + "\(String(format: "%.2f", growth * 1_000_000 / 1_073_741_824)) GiB per million records")
    }

    static func size(of path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A throwaway self-issued TSA (root and TSA certificate), as the national PKI would issue one.
    static func authority() throws -> TimeStampAuthority {
        let rootKey = P256.Signing.PrivateKey()
        let tsaKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName { CommonName("Bench Root") }
        let now = Date()
        let root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(rootKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 3600, issuer: rootName, subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            },
            issuerPrivateKey: .init(rootKey))
        let tsa = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(tsaKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 3600, issuer: rootName,
            subject: try DistinguishedName { CommonName("Bench TSA") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(try ExtendedKeyUsage([.timeStamping])) },
            issuerPrivateKey: .init(rootKey))
        return try TimeStampAuthority(
            key: .init(tsaKey), certificate: tsa, chain: [root], policy: [2, 999, 20, 1],
            accuracy: TimeStampAccuracy(seconds: 1), serialNumbers: { TimeStampRequest.randomNonce() })
    }
}
