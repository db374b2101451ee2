import CivitasCore
import Crypto
import Foundation
import SQLKit
import Storage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MessageLog {
    /// The most records one archive file holds; a busier day gets several files.
    static let recordsPerArchive = 50_000
    /// The body bytes after which an archive file is closed (it is assembled in memory).
    static let bodyBytesPerArchive = 64 << 20

    /// Moves every time-stamped record older than ``MessageLogConfiguration/retention`` to archive files, one per
    /// UTC day (and per ``recordsPerArchive`` records), each in the evidence format so that the same verifier
    /// checks it. The database keeps an index (message id → file and position), so ``evidence(messageID:)`` still
    /// works, and the rows leave the hot tables.
    ///
    /// A file is written and synced before the transaction that indexes it and deletes the rows commits; a crash in
    /// between leaves a file that the next run writes again under the same name.
    ///
    /// Run it on one node at a time (the service does, per node): two nodes archiving the same rows at once would
    /// each write a file, and only one would be indexed.
    @discardableResult
    public func archive() async throws -> [MessageLogArchive] {
        let cutoff = clock.timestamp().microseconds - MessageLogConfiguration.microseconds(configuration.retention)
        var written: [MessageLogArchive] = []
        try FileManager.default.createDirectory(at: configuration.archiveDirectory, withIntermediateDirectories: true)
        while true {
            let rows = try await database.read { sql in
                try await sql.raw(
                    """
                    SELECT r.seq, r.message_id, r.created_at, r.record, b.body, b.file_name, s.batch_id, s.leaf_index, s.path,
                        t.tree_size, t.token
                    FROM exchange_log_records r
                    JOIN exchange_log_stamps s ON s.seq = r.seq
                    JOIN exchange_log_batches t ON t.id = s.batch_id
                    LEFT JOIN exchange_log_bodies b ON b.seq = r.seq
                    WHERE r.created_at < \(bind: cutoff) ORDER BY r.seq LIMIT \(bind: Self.recordsPerArchive)
                    """
                ).all()
            }
            guard !rows.isEmpty else { return written }
            let day = Self.day(of: try rows[0].decode(column: "created_at", as: Int64.self))
            var group: [(sequence: Int64, messageID: String, batchID: Int64)] = []
            var parts: [(item: MessageLogEvidence.Item, batch: MessageLogEvidence.Batch)] = []
            var bodyFileNames: [String] = []
            var bodyBytes = 0
            for row in rows {
                guard Self.day(of: try row.decode(column: "created_at", as: Int64.self)) == day else { break }
                // An archive is assembled in memory: bodies kept as files close it early.
                guard bodyBytes < Self.bodyBytesPerArchive else { break }
                let body = try loggedBody(row)
                bodyBytes += body?.count ?? 0
                if let name = try row.decode(column: "file_name", as: String?.self) { bodyFileNames.append(name) }
                let path = Array(try row.decode(column: "path", as: Data.self))
                let record = try MessageLogRecord(derEncoded: Array(try row.decode(column: "record", as: Data.self)))
                parts.append(
                    (
                        MessageLogEvidence.Item(
                            record: record, batch: 0, leafIndex: try row.decode(column: "leaf_index", as: Int64.self),
                            auditPath: stride(from: 0, to: path.count, by: 32).map { Array(path[$0..<$0 + 32]) },
                            body: body),
                        MessageLogEvidence.Batch(
                            treeSize: try row.decode(column: "tree_size", as: Int64.self),
                            timeStampToken: Array(try row.decode(column: "token", as: Data.self)))
                    ))
                group.append(
                    (
                        try row.decode(column: "seq", as: Int64.self), record.messageID,
                        try row.decode(column: "batch_id", as: Int64.self)
                    ))
            }
            let bytes = Self.assemble(parts).derEncoded
            let name = "message-log-\(day)-\(group[0].sequence).der"
            let url = configuration.archiveDirectory.appendingPathComponent(name)
            try Self.writeDurably(bytes, to: url)
            try await index(group, file: name, period: day, digest: Array(SHA256.hash(data: bytes)))
            bodyFiles?.remove(bodyFileNames)
            written.append(MessageLogArchive(fileName: name, period: day, recordCount: group.count, url: url))
        }
    }

    /// Records the file and its positions, and removes the archived rows, in one transaction.
    private func index(
        _ group: [(sequence: Int64, messageID: String, batchID: Int64)], file: String, period: String,
        digest: [UInt8]
    ) async throws {
        let now = clock.timestamp().microseconds
        let engine = database.engine
        try await database.transaction { sql in
            try await Self.lock(engine, in: sql)
            let row = try await sql.raw(
                """
                INSERT INTO exchange_log_archives (file_name, period, record_count, digest, created_at)
                VALUES (\(bind: file), \(bind: period), \(bind: Int64(group.count)), \(bind: Data(digest)), \(bind: now))
                RETURNING id
                """
            ).first()
            guard let archiveID = try row?.decode(column: "id", as: Int64.self) else {
                throw ExchangeError(.archiveUnavailable, "the database returned no id for archive \(file)")
            }
            for start in stride(from: 0, to: group.count, by: Self.rowsPerStatement) {
                let end = min(start + Self.rowsPerStatement, group.count)
                var query = SQLQueryString(
                    "INSERT INTO exchange_log_archived (seq, message_id, archive_id, position) VALUES ")
                for position in start..<end {
                    let entry = group[position]
                    query.appendInterpolation(unsafeRaw: position == start ? "" : ", ")
                    query.appendInterpolation(
                        "(\(bind: entry.sequence), \(bind: entry.messageID), \(bind: archiveID), \(bind: Int64(position)))"
                            as SQLQueryString)
                }
                try await sql.raw(query).run()
            }
            for chunk in Self.chunks(group.map(\.sequence)) {
                try await sql.raw("DELETE FROM exchange_log_bodies WHERE seq IN (\(binds: chunk))").run()
                try await sql.raw("DELETE FROM exchange_log_stamps WHERE seq IN (\(binds: chunk))").run()
                try await sql.raw("DELETE FROM exchange_log_records WHERE seq IN (\(binds: chunk))").run()
            }
            for chunk in Self.chunks(Array(Set(group.map(\.batchID))).sorted()) {
                try await sql.raw(
                    """
                    DELETE FROM exchange_log_batches WHERE id IN (\(binds: chunk))
                    AND NOT EXISTS (SELECT 1 FROM exchange_log_stamps s WHERE s.batch_id = exchange_log_batches.id)
                    """
                ).run()
            }
        }
    }

    /// `YYYY-MM-DD` of a time in microseconds, UTC.
    static func day(of microseconds: Int64) -> String {
        String(Timestamp(microseconds: microseconds).description.prefix(10))
    }

    /// Writes `bytes` to a temporary file, syncs it, renames it into place and syncs the directory, so that the
    /// file survives a crash once this returns.
    static func writeDurably(_ bytes: [UInt8], to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        let what = "cannot write archive \(url.path)"
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard descriptor >= 0 else { throw ExchangeError(.archiveUnavailable, "\(what): errno \(errno)") }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                close(descriptor)
                throw ExchangeError(.archiveUnavailable, "\(what): errno \(errno)")
            }
            offset += count
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw ExchangeError(.archiveUnavailable, "\(what): fsync failed, errno \(errno)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw ExchangeError(.archiveUnavailable, "\(what): rename failed, errno \(errno)")
        }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
