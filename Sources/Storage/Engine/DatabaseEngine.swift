/// The SQL engine behind a ``Database``.
public enum DatabaseEngine: String, Sendable, CaseIterable {
    /// Embedded SQLite: one file in the data directory, WAL journal, durable commits.
    case sqlite
    /// PostgreSQL, reached through `CIVITAS_DATABASE_URL`.
    case postgres

    /// The column type for opaque bytes (hashes, DER, signatures).
    public var bytesType: String {
        switch self {
        case .sqlite: "BLOB"
        case .postgres: "BYTEA"
        }
    }

    /// The column type for 64-bit integers (sequence numbers, microsecond timestamps).
    public var int64Type: String { "BIGINT" }

    /// The column type for text.
    public var textType: String { "TEXT" }
}
