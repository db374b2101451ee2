public import Storage

extension AccountStore {
    /// The accounts table and the login's second steps (Identity module, version 5).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 5, name: "create identity_accounts and identity_login_steps",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_accounts (
                        personal_number TEXT NOT NULL PRIMARY KEY,
                        username TEXT NOT NULL UNIQUE,
                        password_hash TEXT,
                        must_change_password BIGINT NOT NULL,
                        totp_secret TEXT,
                        totp_last_step BIGINT,
                        created_at BIGINT NOT NULL,
                        updated_at BIGINT NOT NULL,
                        disabled_at BIGINT
                    )
                    """,
                    """
                    CREATE TABLE identity_login_steps (
                        token_hash TEXT NOT NULL PRIMARY KEY,
                        personal_number TEXT NOT NULL,
                        methods TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        expires_at BIGINT NOT NULL
                    )
                    """,
                ]
            })
    ]
}
