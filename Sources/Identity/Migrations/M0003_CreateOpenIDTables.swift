public import Storage

extension OpenIDProvider {
    /// The OpenID Connect provider's tables (Identity module, version 3).
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 3, name: "create the OpenID Connect provider's tables",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_oidc_keys (
                        kid TEXT NOT NULL PRIMARY KEY,
                        algorithm TEXT NOT NULL,
                        public_jwk TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        retired_at BIGINT
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_clients (
                        client_id TEXT NOT NULL PRIMARY KEY,
                        name TEXT NOT NULL,
                        logo_url TEXT,
                        redirect_uris TEXT NOT NULL,
                        post_logout_redirect_uris TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        authentication TEXT NOT NULL,
                        secret_hash TEXT,
                        jwks TEXT,
                        required_level BIGINT NOT NULL,
                        created_at BIGINT NOT NULL,
                        disabled_at BIGINT
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_requests (
                        id TEXT NOT NULL PRIMARY KEY,
                        client_id TEXT NOT NULL,
                        request TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_codes (
                        code_hash TEXT NOT NULL PRIMARY KEY,
                        client_id TEXT NOT NULL,
                        redirect_uri TEXT NOT NULL,
                        personal_number TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        nonce TEXT,
                        code_challenge TEXT,
                        claims TEXT,
                        methods TEXT NOT NULL,
                        auth_time BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        used_at BIGINT,
                        grant_id TEXT
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_grants (
                        id TEXT NOT NULL PRIMARY KEY,
                        client_id TEXT NOT NULL,
                        personal_number TEXT,
                        scopes TEXT NOT NULL,
                        claims TEXT,
                        methods TEXT NOT NULL,
                        auth_time BIGINT NOT NULL,
                        created_at BIGINT NOT NULL,
                        revoked_at BIGINT
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_refresh_tokens (
                        token_hash TEXT NOT NULL PRIMARY KEY,
                        grant_id TEXT NOT NULL,
                        issued_at BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        used_at BIGINT
                    )
                    """,
                    "CREATE INDEX identity_oidc_refresh_grant ON identity_oidc_refresh_tokens (grant_id)",
                    """
                    CREATE TABLE identity_oidc_consents (
                        personal_number TEXT NOT NULL,
                        client_id TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        granted_at BIGINT NOT NULL,
                        PRIMARY KEY (personal_number, client_id)
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_subjects (
                        personal_number TEXT NOT NULL PRIMARY KEY,
                        subject TEXT NOT NULL UNIQUE
                    )
                    """,
                    """
                    CREATE TABLE identity_oidc_assertions (
                        client_id TEXT NOT NULL,
                        jti TEXT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        PRIMARY KEY (client_id, jti)
                    )
                    """,
                ]
            })
    ]
}
