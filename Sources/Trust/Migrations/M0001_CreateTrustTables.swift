public import Storage

extension NationalPKI {
    /// The Trust block's schema history.
    public static let migrations: [Migration] = [
        Migration(
            module: "trust", version: 1, name: "create trust keys, certificates, status events and counters",
            statements: { engine in
                [
                    """
                    CREATE TABLE trust_keys (
                        name TEXT NOT NULL PRIMARY KEY,
                        algorithm TEXT NOT NULL,
                        public_key \(engine.bytesType) NOT NULL,
                        sealed_private_key \(engine.bytesType) NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE trust_certificates (
                        issuer TEXT NOT NULL,
                        serial TEXT NOT NULL,
                        role TEXT UNIQUE,
                        profile TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        not_before BIGINT NOT NULL,
                        not_after BIGINT NOT NULL,
                        key_name TEXT,
                        der \(engine.bytesType) NOT NULL,
                        issued_at BIGINT NOT NULL,
                        PRIMARY KEY (issuer, serial)
                    )
                    """,
                    """
                    CREATE TABLE trust_certificate_events (
                        issuer TEXT NOT NULL,
                        serial TEXT NOT NULL,
                        version BIGINT NOT NULL,
                        status TEXT NOT NULL,
                        reason TEXT,
                        effective_at BIGINT NOT NULL,
                        recorded_at BIGINT NOT NULL,
                        PRIMARY KEY (issuer, serial, version)
                    )
                    """,
                    "CREATE TABLE trust_counters (name TEXT NOT NULL PRIMARY KEY, value BIGINT NOT NULL)",
                ]
            }),
        NationalPKI.createAPIClients,
        NationalPKI.createRemoteSigning,
    ]
}
