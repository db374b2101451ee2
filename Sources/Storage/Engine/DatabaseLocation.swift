/// Where a node's database lives.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file at this path (created if missing).
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresURL)
}
