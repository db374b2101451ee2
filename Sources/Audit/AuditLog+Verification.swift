import CivitasCore
import Foundation
import SQLKit
import Storage

extension AuditLog {
    /// Walks the whole chain from the first entry and checks every link and hash, then every anchor.
    ///
    /// Reads in pages so that memory stays flat for chains of any length.
    ///
    /// - Parameter anchors: verifiers for the anchor kinds in use, by ``AuditAnchoring/kind``; anchors of another
    ///   kind are still checked against the chain, but their tokens are not.
    public func verify(anchors: [any AuditAnchoring] = []) async throws -> AuditVerification {
        var expected = AuditHead.genesis
        var count: Int64 = 0
        let pageSize = 2000
        var hashes: [Int64: [UInt8]] = [:]
        let anchorRows = try await anchorRecords()
        let anchoredSequences = Set(anchorRows.map(\.head.sequence))
        while true {
            let page = try await entries(from: expected.sequence + 1, limit: pageSize)
            for entry in page {
                let wanted = expected.sequence + 1
                if entry.sequence != wanted {
                    return .broken(sequence: wanted, problem: .missing)
                }
                let recomputed = AuditHash.compute(
                    sequence: entry.sequence, time: entry.time, event: entry.event, previousHash: entry.previousHash)
                if recomputed != entry.hash {
                    return .broken(sequence: entry.sequence, problem: .modified)
                }
                if entry.previousHash != expected.hash {
                    return .broken(sequence: entry.sequence, problem: .unlinked)
                }
                if anchoredSequences.contains(entry.sequence) { hashes[entry.sequence] = entry.hash }
                expected = AuditHead(sequence: entry.sequence, hash: entry.hash)
                count += 1
            }
            if page.count < pageSize { break }
        }
        // Rows whose sequence numbers lie beyond a gap at the very end are caught by the next walk; a row with a
        // sequence number below 1 or a duplicate cannot exist (primary key, and the walk starts at 1).
        let verifiers = Dictionary(anchors.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        for record in anchorRows.sorted(by: { $0.head.sequence < $1.head.sequence }) {
            guard hashes[record.head.sequence] == record.head.hash else {
                return .broken(sequence: record.head.sequence, problem: .anchorMismatch)
            }
            if let verifier = verifiers[record.kind] {
                do {
                    try await verifier.verify(token: record.token, for: record.head)
                } catch {
                    return .broken(sequence: record.head.sequence, problem: .anchorInvalid("\(error)"))
                }
            }
        }
        return .intact(entries: count, head: expected)
    }

    /// Anchors the current head with `anchoring` and records the token; returns the anchored head.
    @discardableResult
    public func anchorHead(using anchoring: any AuditAnchoring) async throws -> AuditHead {
        let head = try await head()
        guard head.sequence > 0 else { return head }
        let token = try await anchoring.anchor(head)
        let now = clock.timestamp()
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO audit_anchors (seq, hash, anchored_at, kind, token)
                VALUES (\(bind: head.sequence), \(bind: Data(head.hash)), \(bind: now.microseconds),
                    \(bind: anchoring.kind), \(bind: Data(token)))
                ON CONFLICT (seq) DO NOTHING
                """
            ).run()
        }
        return head
    }

    struct AnchorRecord {
        let head: AuditHead
        let kind: String
        let token: [UInt8]
    }

    func anchorRecords() async throws -> [AnchorRecord] {
        let rows = try await database.read { sql in
            try await sql.raw("SELECT seq, hash, kind, token FROM audit_anchors ORDER BY seq").all()
        }
        return try rows.map { row in
            AnchorRecord(
                head: AuditHead(
                    sequence: try row.decode(column: "seq", as: Int64.self),
                    hash: Array(try row.decode(column: "hash", as: Data.self))),
                kind: try row.decode(column: "kind", as: String.self),
                token: Array(try row.decode(column: "token", as: Data.self)))
        }
    }
}
