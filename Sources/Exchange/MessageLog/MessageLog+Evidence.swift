import Crypto
import Foundation
import SQLKit
import Storage

extension MessageLog {
    /// The evidence for one message id: every record logged under it (its request and its response), from the hot
    /// table or from the archive files, with their batch tokens and audit paths.
    ///
    /// - Throws: ``ExchangeError`` `.notFound` for an id never logged, `.notYetTimeStamped` while one of its
    ///   records waits for its batch, `.archiveUnavailable` when an archive file is missing or changed.
    public func evidence(messageID: String) async throws -> MessageLogEvidence {
        let (hot, archived) = try await database.read { sql in
            let hot = try await sql.raw(
                """
                SELECT r.seq, r.record, b.body, b.file_name, s.leaf_index, s.path, t.tree_size, t.token
                FROM exchange_log_records r
                LEFT JOIN exchange_log_bodies b ON b.seq = r.seq
                LEFT JOIN exchange_log_stamps s ON s.seq = r.seq
                LEFT JOIN exchange_log_batches t ON t.id = s.batch_id
                WHERE r.message_id = \(bind: messageID) ORDER BY r.seq
                """
            ).all()
            let archived = try await sql.raw(
                """
                SELECT a.seq, a.position, f.file_name, f.digest FROM exchange_log_archived a
                JOIN exchange_log_archives f ON f.id = a.archive_id
                WHERE a.message_id = \(bind: messageID) ORDER BY a.seq
                """
            ).all()
            return (hot, archived)
        }
        guard !hot.isEmpty || !archived.isEmpty else {
            throw ExchangeError(.notFound, "no message with id \(messageID) is in the message log")
        }
        var collected: [(sequence: Int64, item: MessageLogEvidence.Item, batch: MessageLogEvidence.Batch)] = []
        for row in hot {
            guard let token = try row.decode(column: "token", as: Data?.self) else {
                throw ExchangeError(
                    .notYetTimeStamped,
                    "message \(messageID) waits for its batch time-stamp; export its evidence once it is stamped")
            }
            let record = try MessageLogRecord(derEncoded: Array(try row.decode(column: "record", as: Data.self)))
            let path = Array(try row.decode(column: "path", as: Data.self))
            let item = MessageLogEvidence.Item(
                record: record, batch: 0, leafIndex: try row.decode(column: "leaf_index", as: Int64.self),
                auditPath: stride(from: 0, to: path.count, by: 32).map { Array(path[$0..<$0 + 32]) },
                body: try loggedBody(row))
            let batch = MessageLogEvidence.Batch(
                treeSize: try row.decode(column: "tree_size", as: Int64.self), timeStampToken: Array(token))
            collected.append((try row.decode(column: "seq", as: Int64.self), item, batch))
        }
        var files: [String: MessageLogEvidence] = [:]
        for row in archived {
            let name = try row.decode(column: "file_name", as: String.self)
            if files[name] == nil {
                files[name] = try readArchive(name, digest: Array(try row.decode(column: "digest", as: Data.self)))
            }
            let archive = files[name]!
            let position = try row.decode(column: "position", as: Int.self)
            guard archive.items.indices.contains(position) else {
                throw ExchangeError(.archiveUnavailable, "archive \(name) has no record at position \(position)")
            }
            let item = archive.items[position]
            collected.append((try row.decode(column: "seq", as: Int64.self), item, archive.batches[item.batch]))
        }
        return Self.assemble(collected.sorted { $0.sequence < $1.sequence }.map { ($0.item, $0.batch) })
    }

    /// Evidence from items and their batches: each distinct batch once, in order of first use.
    static func assemble(
        _ parts: [(item: MessageLogEvidence.Item, batch: MessageLogEvidence.Batch)]
    )
        -> MessageLogEvidence
    {
        var batches: [MessageLogEvidence.Batch] = []
        var index: [MessageLogEvidence.Batch: Int] = [:]
        var items: [MessageLogEvidence.Item] = []
        for (item, batch) in parts {
            let position: Int
            if let known = index[batch] {
                position = known
            } else {
                position = batches.count
                index[batch] = position
                batches.append(batch)
            }
            items.append(
                MessageLogEvidence.Item(
                    record: item.record, batch: position, leafIndex: item.leafIndex, auditPath: item.auditPath,
                    body: item.body))
        }
        return MessageLogEvidence(batches: batches, items: items)
    }

    /// The body of a row that selected `b.body` and `b.file_name`, if the log kept it.
    func loggedBody(_ row: any SQLRow) throws -> [UInt8]? {
        if let name = try row.decode(column: "file_name", as: String?.self) {
            guard let bodyFiles else {
                throw ExchangeError(
                    .bodyUnavailable, "the body \(name) was logged as a file, and this log has no body directory")
            }
            return try bodyFiles.read(name)
        }
        return try row.decode(column: "body", as: Data?.self).map { Array($0) }
    }

    /// Reads an archive file and checks it is the one the index recorded.
    func readArchive(_ name: String, digest: [UInt8]) throws -> MessageLogEvidence {
        let url = configuration.archiveDirectory.appendingPathComponent(name)
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: url))
        } catch {
            throw ExchangeError(
                .archiveUnavailable, "archive \(url.path) cannot be read: \(error.localizedDescription)")
        }
        guard Array(SHA256.hash(data: bytes)) == digest else {
            throw ExchangeError(.archiveUnavailable, "archive \(url.path) is not the file that was archived")
        }
        do {
            return try MessageLogEvidence(derEncoded: bytes)
        } catch {
            throw ExchangeError(.archiveUnavailable, "archive \(url.path): \(error.message)")
        }
    }
}
