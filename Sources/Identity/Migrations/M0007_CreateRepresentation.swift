public import Storage

extension LegalEntityRegistry {
    /// Legal entities and their representatives, powers of attorney and their events, and who acts for whom in
    /// an OpenID Connect authorization (Identity module, version 7; see ``IdentityMigrations``).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 7,
            name: "create identity_legal_entities, identity_representatives, identity_powers, identity_power_events",
            statements: { engine in
                let bytes = engine == .postgres ? "BYTEA" : "BLOB"
                return [
                    """
                    CREATE TABLE identity_legal_entities (
                        registry_code TEXT NOT NULL PRIMARY KEY,
                        name TEXT NOT NULL,
                        name_latin TEXT NOT NULL,
                        legal_form TEXT NOT NULL,
                        status TEXT NOT NULL,
                        recorded_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE identity_representatives (
                        registry_code TEXT NOT NULL REFERENCES identity_legal_entities (registry_code),
                        personal_number TEXT NOT NULL,
                        role TEXT NOT NULL,
                        representation TEXT NOT NULL,
                        valid_from TEXT NOT NULL,
                        valid_until TEXT,
                        recorded_at BIGINT NOT NULL,
                        PRIMARY KEY (registry_code, personal_number, role)
                    )
                    """,
                    "CREATE INDEX identity_representatives_person ON identity_representatives (personal_number)",
                    """
                    CREATE TABLE identity_powers (
                        id TEXT NOT NULL PRIMARY KEY,
                        principal TEXT NOT NULL,
                        signatory TEXT NOT NULL,
                        attorney TEXT NOT NULL,
                        document \(bytes) NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX identity_powers_principal ON identity_powers (principal)",
                    "CREATE INDEX identity_powers_signatory ON identity_powers (signatory)",
                    "CREATE INDEX identity_powers_attorney ON identity_powers (attorney)",
                    """
                    CREATE TABLE identity_power_events (
                        power_id TEXT NOT NULL REFERENCES identity_powers (id),
                        seq BIGINT NOT NULL,
                        kind TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        occurred_at BIGINT NOT NULL,
                        signature \(bytes),
                        validation TEXT,
                        PRIMARY KEY (power_id, seq)
                    )
                    """,
                    """
                    CREATE TABLE identity_representation_acts (
                        act_key TEXT NOT NULL PRIMARY KEY,
                        actor TEXT NOT NULL,
                        principal TEXT NOT NULL,
                        power_id TEXT,
                        expires_at BIGINT NOT NULL
                    )
                    """,
                ]
            })
    ]
}
