import CivitasCore
import Foundation
import SQLKit
import Storage
public import Trust

extension MessageLog {
    /// Time-stamps every record that waits for it: up to ``MessageLogConfiguration/maximumBatchSize`` records per
    /// batch, one RFC 3161 token per batch over the RFC 6962 tree head, each record's audit path stored beside it.
    /// Returns how many records were stamped.
    ///
    /// The TSA is asked outside any transaction; the batch is then committed under a lock, and dropped (to be
    /// formed again) if another node stamped any of its records meanwhile.
    ///
    /// - Throws: ``ExchangeError`` `.timeStampingFailed` when the TSA cannot be reached, refuses, or answers with a
    ///   token that is not over the tree head; the records stay queued for the next attempt.
    @discardableResult
    public func stampPending(using source: any TimeStampSource) async throws -> Int {
        let limit = configuration.maximumBatchSize
        var stamped = 0
        while true {
            let rows = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT p.seq, r.record_hash FROM exchange_log_pending p
                    JOIN exchange_log_records r ON r.seq = p.seq ORDER BY p.seq LIMIT \(bind: limit)
                    """
                ).all()
            }
            guard !rows.isEmpty else { return stamped }
            let sequences = try rows.map { try $0.decode(column: "seq", as: Int64.self) }
            let leaves = try rows.map { Array(try $0.decode(column: "record_hash", as: Data.self)) }
            let tree = MerkleTree.build(leaves)
            let head = MerkleTree.treeHead(size: Int64(leaves.count), root: tree.root)
            let (token, genTime) = try await Self.timeStamp(head, records: leaves.count, from: source)
            let stampedAt = clock.timestamp().microseconds
            let engine = database.engine
            let committed = try await database.transaction { sql in
                try await Self.lock(engine, in: sql)
                var stillPending = 0
                for chunk in Self.chunks(sequences) {
                    let row = try await sql.raw(
                        "SELECT COUNT(*) AS n FROM exchange_log_pending WHERE seq IN (\(binds: chunk))"
                    ).first()
                    stillPending += try row?.decode(column: "n", as: Int.self) ?? 0
                }
                guard stillPending == sequences.count else { return false }
                let batch = try await sql.raw(
                    """
                    INSERT INTO exchange_log_batches (tree_size, root, token, gen_time, stamped_at)
                    VALUES (\(bind: Int64(leaves.count)), \(bind: Data(tree.root)), \(bind: Data(token)),
                        \(bind: Timestamp(genTime).microseconds), \(bind: stampedAt))
                    RETURNING id
                    """
                ).first()
                guard let batchID = try batch?.decode(column: "id", as: Int64.self) else {
                    throw ExchangeError(.timeStampingFailed, "the database returned no id for the batch")
                }
                for start in stride(from: 0, to: sequences.count, by: Self.rowsPerStatement) {
                    let end = min(start + Self.rowsPerStatement, sequences.count)
                    var query = SQLQueryString(
                        "INSERT INTO exchange_log_stamps (seq, batch_id, leaf_index, path) VALUES ")
                    for index in start..<end {
                        let path = Data(tree.paths[index].joined())
                        query.appendInterpolation(unsafeRaw: index == start ? "" : ", ")
                        query.appendInterpolation(
                            "(\(bind: sequences[index]), \(bind: batchID), \(bind: Int64(index)), \(bind: path))"
                                as SQLQueryString)
                    }
                    try await sql.raw(query).run()
                }
                for chunk in Self.chunks(sequences) {
                    try await sql.raw("DELETE FROM exchange_log_pending WHERE seq IN (\(binds: chunk))").run()
                }
                return true
            }
            if committed { stamped += sequences.count }
            if committed && rows.count < limit { return stamped }
        }
    }

    /// One token over the SHA-256 of `head` from `source`, checked against the request (status, imprint, nonce).
    static func timeStamp(
        _ head: [UInt8], records: Int, from source: any TimeStampSource
    ) async throws(ExchangeError) -> (token: [UInt8], genTime: Date) {
        let query = TimeStampRequest.make(
            digest: CMSDigestAlgorithm.sha256.hash(head), hashAlgorithm: .sha256, nonce: TimeStampRequest.randomNonce(),
            certReq: true)
        let what = "no time-stamp for a batch of \(records) records"
        let reply: [UInt8]
        do {
            reply = try await source.reply(to: query)
        } catch {
            throw ExchangeError(.timeStampingFailed, "\(what): \(error)")
        }
        do {
            let response = try TimeStampResponse(derEncoded: reply)
            guard response.status.isGranted, let token = response.token else {
                let text = response.statusStrings.joined(separator: "; ")
                throw ExchangeError(.timeStampingFailed, "\(what): the TSA refused (\(response.status)) \(text)")
            }
            try TimeStampVerifier.Expectation(query: query).check(token.info)
            return (token.derEncoded, token.info.genTime)
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw ExchangeError(.timeStampingFailed, "\(what): the TSA's reply does not fit the request: \(error)")
        }
    }

    static func chunks(_ values: [Int64]) -> [[any Encodable & Sendable]] {
        stride(from: 0, to: values.count, by: rowsPerStatement).map { start in
            values[start..<min(start + rowsPerStatement, values.count)].map { $0 as any Encodable & Sendable }
        }
    }
}
