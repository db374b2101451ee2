public import Storage

extension LoginThrottle {
    /// The throttle's tables: identity migration 4 (see ``IdentityMigrations``).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 4, name: "create identity_login_failures and identity_login_accounts",
            statements: { engine in
                let id =
                    engine == .postgres
                    ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "id INTEGER PRIMARY KEY"
                return [
                    """
                    CREATE TABLE identity_login_failures (
                        \(id),
                        account_key TEXT NOT NULL,
                        network TEXT NOT NULL,
                        failed_at BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX identity_login_failures_account ON identity_login_failures (account_key, failed_at)",
                    "CREATE INDEX identity_login_failures_network ON identity_login_failures (network, failed_at)",
                    "CREATE INDEX identity_login_failures_time ON identity_login_failures (failed_at)",
                    """
                    CREATE TABLE identity_login_accounts (
                        account_key TEXT NOT NULL PRIMARY KEY,
                        counted_from BIGINT NOT NULL,
                        lockouts BIGINT NOT NULL,
                        locked_until BIGINT NOT NULL
                    )
                    """,
                ]
            })
    ]
}
