public import Storage

extension DeviceLogins {
    /// The pending eID card and mobile ID logins and the registered mobile ID devices (Identity module,
    /// version 6; see ``IdentityMigrations``).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 6, name: "create identity_device_logins and identity_device_keys",
            statements: { engine in
                let bytes = engine == .postgres ? "BYTEA" : "BLOB"
                return [
                    """
                    CREATE TABLE identity_device_logins (
                        id TEXT NOT NULL PRIMARY KEY,
                        code TEXT NOT NULL,
                        method TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        challenge \(bytes) NOT NULL,
                        browser_hash \(bytes) NOT NULL,
                        state TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        answered_at BIGINT,
                        signed_at BIGINT,
                        personal_number TEXT,
                        credential TEXT,
                        consumed_at BIGINT
                    )
                    """,
                    "CREATE UNIQUE INDEX identity_device_logins_code ON identity_device_logins (code)",
                    "CREATE INDEX identity_device_logins_expiry ON identity_device_logins (expires_at)",
                    """
                    CREATE TABLE identity_device_keys (
                        id TEXT NOT NULL PRIMARY KEY,
                        personal_number TEXT NOT NULL REFERENCES identity_persons (personal_number),
                        name TEXT NOT NULL,
                        public_key \(bytes) NOT NULL,
                        fingerprint TEXT NOT NULL,
                        registered_at BIGINT NOT NULL,
                        revoked_at BIGINT
                    )
                    """,
                    "CREATE UNIQUE INDEX identity_device_keys_fingerprint ON identity_device_keys (fingerprint)",
                    "CREATE INDEX identity_device_keys_person ON identity_device_keys (personal_number)",
                ]
            })
    ]
}
