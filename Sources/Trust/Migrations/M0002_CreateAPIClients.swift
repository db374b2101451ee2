import Storage

extension NationalPKI {
    /// `trust_api_clients`: the systems allowed to call the Trust block's APIs. Only the SHA-256 of each client's
    /// token is kept, so a copy of the database lets no one call the API.
    static let createAPIClients = Migration(
        module: "trust", version: 2, name: "create the registry of API clients",
        statements: { engine in
            [
                """
                CREATE TABLE trust_api_clients (
                    id TEXT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    token_hash \(engine.bytesType) NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    profiles TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """
            ]
        })
}
