public import Storage

extension ConsentStore {
    /// The consent records' tables (Identity module, version 8; see ``IdentityMigrations``).
    ///
    /// `identity_consent_revisions` is the history: every policy, data agreement and consent record is only ever a
    /// new row there, and the current state of an object is its newest revision. The other tables hold what is
    /// not a history (individuals, webhooks, the seal's public keys) or an index that is written once (which
    /// record belongs to which individual and agreement).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 8, name: "create the consent records (GovStack Consent building block)",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_consent_revisions (
                        id TEXT NOT NULL PRIMARY KEY,
                        schema_name TEXT NOT NULL,
                        object_id TEXT NOT NULL,
                        sequence BIGINT NOT NULL,
                        serialized_snapshot TEXT NOT NULL,
                        serialized_hash TEXT NOT NULL,
                        predecessor_hash TEXT,
                        predecessor_signature TEXT,
                        authorized_by_individual TEXT,
                        authorized_by_other TEXT,
                        deleted BIGINT NOT NULL,
                        created_at BIGINT NOT NULL,
                        UNIQUE (schema_name, object_id, sequence)
                    )
                    """,
                    "CREATE INDEX identity_consent_revisions_schema ON identity_consent_revisions (schema_name, object_id)",
                    """
                    CREATE TABLE identity_consent_signatures (
                        id TEXT NOT NULL PRIMARY KEY,
                        revision_id TEXT NOT NULL UNIQUE,
                        payload TEXT NOT NULL,
                        signature TEXT NOT NULL,
                        verification_method TEXT NOT NULL,
                        verification_signed_by TEXT NOT NULL,
                        verification_signed_as TEXT NOT NULL,
                        verification_jws_header TEXT NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE identity_consent_individuals (
                        id TEXT NOT NULL PRIMARY KEY,
                        external_id TEXT,
                        external_id_type TEXT,
                        identity_provider_id TEXT,
                        created_at BIGINT NOT NULL,
                        UNIQUE (external_id_type, external_id)
                    )
                    """,
                    """
                    CREATE TABLE identity_consent_records (
                        id TEXT NOT NULL PRIMARY KEY,
                        individual_id TEXT NOT NULL,
                        data_agreement_id TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        UNIQUE (individual_id, data_agreement_id)
                    )
                    """,
                    """
                    CREATE TABLE identity_consent_webhooks (
                        id TEXT NOT NULL PRIMARY KEY,
                        payload_url TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        disabled BIGINT NOT NULL,
                        secret_key TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        deleted_at BIGINT
                    )
                    """,
                    """
                    CREATE TABLE identity_consent_keys (
                        kid TEXT NOT NULL PRIMARY KEY,
                        public_jwk TEXT NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                ]
            })
    ]
}
