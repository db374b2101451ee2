public import Storage

extension AuditLog {
    /// The audit block's schema history.
    public static let migrations: [Migration] = [
        Migration(
            module: "audit", version: 1, name: "create audit_entries and audit_anchors",
            statements: { engine in
                [
                    """
                    CREATE TABLE audit_entries (
                        seq BIGINT NOT NULL PRIMARY KEY,
                        occurred_at BIGINT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor_id TEXT NOT NULL,
                        actor_on_behalf_of TEXT,
                        action TEXT NOT NULL,
                        object_type TEXT NOT NULL,
                        object_id TEXT NOT NULL,
                        subject TEXT,
                        purpose TEXT NOT NULL,
                        request_id TEXT,
                        prev_hash \(engine.bytesType) NOT NULL,
                        hash \(engine.bytesType) NOT NULL
                    )
                    """,
                    "CREATE INDEX audit_entries_subject ON audit_entries (subject, seq)",
                    """
                    CREATE TABLE audit_anchors (
                        seq BIGINT NOT NULL PRIMARY KEY,
                        hash \(engine.bytesType) NOT NULL,
                        anchored_at BIGINT NOT NULL,
                        kind TEXT NOT NULL,
                        token \(engine.bytesType) NOT NULL
                    )
                    """,
                ]
            })
    ]
}
