public import CivitasCore
import Foundation
public import SQLKit
public import Storage

/// The append-only, hash-chained audit log that every block writes to.
///
/// Each entry's hash covers its content and the previous entry's hash (see `AuditHash`), so `verify()` detects any
/// entry changed, deleted, inserted or reordered after the fact. Appends are serialised (PostgreSQL: an advisory
/// lock held to commit; SQLite: the single writer), so the chain has no forks even with many nodes.
///
/// A block that changes state records the change in the same transaction with ``append(_:in:)``: the change and its
/// audit entry commit together or not at all.
public struct AuditLog: Sendable {
    let database: Database
    let clock: any WallClock
    /// Advisory lock key for appends: "AUDT" in ASCII.
    static let lockKey = 0x4155_4454
    /// Longest accepted text field, in UTF-8 bytes.
    public static let maximumFieldLength = 1024

    /// Creates the log over `database`.
    public init(database: Database, clock: any WallClock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    /// Appends one event in its own transaction.
    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        try await append(contentsOf: [event])[0]
    }

    /// Appends events, in order, in one transaction.
    @discardableResult
    public func append(contentsOf events: [AuditEvent]) async throws -> [AuditEntry] {
        try await database.transaction { sql in try await self.append(contentsOf: events, in: sql) }
    }

    /// Appends one event inside the caller's transaction.
    @discardableResult
    public func append(_ event: AuditEvent, in sql: any SQLDatabase) async throws -> AuditEntry {
        try await append(contentsOf: [event], in: sql)[0]
    }

    /// Appends events, in order, inside the caller's transaction.
    @discardableResult
    public func append(contentsOf events: [AuditEvent], in sql: any SQLDatabase) async throws -> [AuditEntry] {
        for event in events { try Self.validate(event) }
        guard !events.isEmpty else { return [] }
        if database.engine == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.lockKey)))").run()
        }
        var head = try await Self.head(in: sql)
        let time = clock.timestamp()
        var entries: [AuditEntry] = []
        entries.reserveCapacity(events.count)
        for event in events {
            let sequence = head.sequence + 1
            let hash = AuditHash.compute(sequence: sequence, time: time, event: event, previousHash: head.hash)
            entries.append(
                AuditEntry(sequence: sequence, time: time, event: event, previousHash: head.hash, hash: hash))
            head = AuditHead(sequence: sequence, hash: hash)
        }
        // Rows per statement stay well under SQLite's and PostgreSQL's bound-parameter limits.
        for chunk in stride(from: 0, to: entries.count, by: 500) {
            let rows = entries[chunk..<min(chunk + 500, entries.count)]
            var query = SQLQueryString(
                """
                INSERT INTO audit_entries (seq, occurred_at, actor_kind, actor_id, actor_on_behalf_of, action,
                    object_type, object_id, subject, purpose, request_id, prev_hash, hash) VALUES
                """)
            for (offset, entry) in rows.enumerated() {
                let event = entry.event
                query.appendInterpolation(unsafeRaw: offset == 0 ? " " : ", ")
                query.appendInterpolation(
                    """
                    (\(bind: entry.sequence), \(bind: entry.time.microseconds), \(bind: event.actor.kind.rawValue),
                    \(bind: event.actor.id), \(bind: event.actor.onBehalfOf), \(bind: event.action),
                    \(bind: event.object.type), \(bind: event.object.id), \(bind: event.subject?.rawValue),
                    \(bind: event.purpose), \(bind: event.requestID), \(bind: Data(entry.previousHash)),
                    \(bind: Data(entry.hash)))
                    """ as SQLQueryString)
            }
            try await sql.raw(query).run()
        }
        return entries
    }

    /// The newest entry's sequence number and hash.
    public func head() async throws -> AuditHead {
        try await database.read { sql in try await Self.head(in: sql) }
    }

    static func head(in sql: any SQLDatabase) async throws -> AuditHead {
        let rows = try await sql.raw("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").all()
        guard let row = rows.first else { return .genesis }
        return AuditHead(
            sequence: try row.decode(column: "seq", as: Int64.self),
            hash: Array(try row.decode(column: "hash", as: Data.self)))
    }

    /// Entries about one data subject, newest first: the citizen's "who looked at my data" page.
    ///
    /// - Parameters:
    ///   - subject: whose data.
    ///   - before: return only entries older than this sequence number (the previous page's ``AuditPage/next``).
    ///   - limit: page size, 1 to 200.
    public func entries(about subject: DataSubject, before: Int64? = nil, limit: Int = 20) async throws -> AuditPage {
        guard (1...200).contains(limit) else {
            throw AuditError(.invalidQuery, "page size must be between 1 and 200 (got \(limit))")
        }
        let cursor = before ?? Int64.max
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT * FROM audit_entries WHERE subject = \(bind: subject.rawValue) AND seq < \(bind: cursor)
                ORDER BY seq DESC LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        let entries = try rows.prefix(limit).map(Self.entry(from:))
        return AuditPage(entries: entries, next: rows.count > limit ? entries.last?.sequence : nil)
    }

    /// Entries in chain order from `sequence` on, at most `limit` of them.
    public func entries(from sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        let rows = try await database.read { sql in
            try await sql.raw(
                "SELECT * FROM audit_entries WHERE seq >= \(bind: sequence) ORDER BY seq LIMIT \(bind: limit)"
            ).all()
        }
        return try rows.map(Self.entry(from:))
    }

    static func entry(from row: any SQLRow) throws -> AuditEntry {
        let kindName = try row.decode(column: "actor_kind", as: String.self)
        guard let kind = AuditActor.Kind(rawValue: kindName) else {
            throw AuditError(.corruptRow, "unknown actor kind \(kindName)")
        }
        let actor = AuditActor(
            kind: kind, id: try row.decode(column: "actor_id", as: String.self),
            onBehalfOf: try row.decode(column: "actor_on_behalf_of", as: String?.self))
        let event = AuditEvent(
            actor: actor,
            action: try row.decode(column: "action", as: String.self),
            object: AuditObject(
                type: try row.decode(column: "object_type", as: String.self),
                id: try row.decode(column: "object_id", as: String.self)),
            subject: try row.decode(column: "subject", as: String?.self).map(DataSubject.init(rawValue:)),
            purpose: try row.decode(column: "purpose", as: String.self),
            requestID: try row.decode(column: "request_id", as: String?.self))
        return AuditEntry(
            sequence: try row.decode(column: "seq", as: Int64.self),
            time: Timestamp(microseconds: try row.decode(column: "occurred_at", as: Int64.self)),
            event: event,
            previousHash: Array(try row.decode(column: "prev_hash", as: Data.self)),
            hash: Array(try row.decode(column: "hash", as: Data.self)))
    }

    static func validate(_ event: AuditEvent) throws(AuditError) {
        let required: [(String, String)] = [
            ("actor id", event.actor.id), ("action", event.action), ("object type", event.object.type),
            ("object id", event.object.id), ("purpose", event.purpose),
        ]
        for (name, value) in required where value.isEmpty {
            throw AuditError(.invalidEvent, "the \(name) must not be empty")
        }
        let all =
            required.map(\.1) + [event.actor.onBehalfOf, event.subject?.rawValue, event.requestID].compactMap { $0 }
        for value in all where value.utf8.count > maximumFieldLength {
            throw AuditError(.invalidEvent, "a field is longer than \(maximumFieldLength) bytes")
        }
    }
}
