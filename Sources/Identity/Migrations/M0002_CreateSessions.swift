public import Storage

extension SessionStore {
    /// The sessions table (Identity module, version 2).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 2, name: "create identity_sessions",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_sessions (
                        token_hash TEXT NOT NULL PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        personal_number TEXT NOT NULL,
                        methods TEXT NOT NULL,
                        authenticated_at BIGINT NOT NULL,
                        created_at BIGINT NOT NULL,
                        last_seen_at BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        ended_at BIGINT,
                        user_agent TEXT
                    )
                    """,
                    "CREATE INDEX identity_sessions_person ON identity_sessions (personal_number, ended_at)",
                ]
            })
    ]
}
