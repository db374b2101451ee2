public import Storage

extension OfficialRegistry {
    /// Officials' roles, and the relying parties' allowed claims, ID-token algorithm and last change (Identity
    /// module, version 9).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 9, name: "create identity_official_roles; relying parties' claims and alg",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_official_roles (
                        personal_number TEXT NOT NULL,
                        role TEXT NOT NULL,
                        granted_at BIGINT NOT NULL,
                        granted_by TEXT NOT NULL,
                        PRIMARY KEY (personal_number, role)
                    )
                    """,
                    "ALTER TABLE identity_oidc_clients ADD COLUMN allowed_claims TEXT",
                    "ALTER TABLE identity_oidc_clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'ES256'",
                    "ALTER TABLE identity_oidc_clients ADD COLUMN updated_at BIGINT",
                ]
            })
    ]
}
