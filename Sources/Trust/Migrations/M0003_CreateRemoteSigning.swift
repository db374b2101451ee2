import Storage

extension NationalPKI {
    /// The remote signing service's certificates (each a PKI certificate, its owning client, its pseudonym and,
    /// when the service holds the key, the key's name) and every signature it made (append-only).
    static let createRemoteSigning = Migration(
        module: "trust", version: 3, name: "create remote signing certificates and signatures",
        statements: { engine in
            [
                """
                CREATE TABLE trust_remote_certificates (
                    id TEXT NOT NULL PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    issuer TEXT NOT NULL,
                    serial TEXT NOT NULL,
                    key_name TEXT,
                    created_at BIGINT NOT NULL,
                    UNIQUE (client_id, pseudonym)
                )
                """,
                """
                CREATE TABLE trust_remote_signatures (
                    id TEXT NOT NULL PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    certificate_id TEXT NOT NULL,
                    format TEXT NOT NULL,
                    hash_type TEXT NOT NULL,
                    hash \(engine.bytesType) NOT NULL,
                    data_to_be_displayed TEXT,
                    nonce TEXT,
                    state TEXT,
                    signature \(engine.bytesType) NOT NULL,
                    timestamp_token \(engine.bytesType) NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX trust_remote_signatures_by_client ON trust_remote_signatures (client_id, created_at)",
            ]
        })
}
