public import Storage

extension CentralRegistry {
    /// The central registry's tables: exchange migration 1 (see ``ExchangeMigrations``).
    ///
    /// Identifiers are stored in their X-Road header form (`CVT/GOV/700000015/registry`), which is unique and
    /// prints back unchanged; the parts are columns too, so that lists sort and filter without parsing.
    public static let migrations: [Migration] = [
        Migration(
            module: "exchange", version: 1,
            name: "create the central registry (members, subsystems, nodes, services, access rights, configurations)",
            statements: { engine in
                let bytes = engine.bytesType
                let id =
                    engine == .postgres
                    ? "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "id INTEGER PRIMARY KEY"
                return [
                    """
                    CREATE TABLE exchange_members (
                        member_id TEXT NOT NULL PRIMARY KEY,
                        member_class TEXT NOT NULL,
                        member_code TEXT NOT NULL,
                        name TEXT NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE exchange_subsystems (
                        subsystem_id TEXT NOT NULL PRIMARY KEY,
                        member_id TEXT NOT NULL,
                        subsystem_code TEXT NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_subsystems_member ON exchange_subsystems (member_id)",
                    """
                    CREATE TABLE exchange_nodes (
                        node_id TEXT NOT NULL PRIMARY KEY,
                        owner_id TEXT NOT NULL,
                        server_code TEXT NOT NULL,
                        address TEXT NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_nodes_owner ON exchange_nodes (owner_id)",
                    """
                    CREATE TABLE exchange_node_certificates (
                        issuer TEXT NOT NULL,
                        serial TEXT NOT NULL,
                        node_id TEXT NOT NULL,
                        der \(bytes) NOT NULL,
                        not_after BIGINT NOT NULL,
                        added_at BIGINT NOT NULL,
                        PRIMARY KEY (issuer, serial)
                    )
                    """,
                    "CREATE INDEX exchange_node_certificates_node ON exchange_node_certificates (node_id)",
                    """
                    CREATE TABLE exchange_node_clients (
                        node_id TEXT NOT NULL,
                        subsystem_id TEXT NOT NULL,
                        added_at BIGINT NOT NULL,
                        PRIMARY KEY (node_id, subsystem_id)
                    )
                    """,
                    """
                    CREATE TABLE exchange_services (
                        service_id TEXT NOT NULL PRIMARY KEY,
                        subsystem_id TEXT NOT NULL,
                        service_code TEXT NOT NULL,
                        version TEXT,
                        title TEXT NOT NULL,
                        openapi \(bytes),
                        created_at BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_services_subsystem ON exchange_services (subsystem_id)",
                    """
                    CREATE TABLE exchange_access_rights (
                        \(id),
                        client_id TEXT NOT NULL,
                        service_id TEXT NOT NULL,
                        method TEXT NOT NULL,
                        path TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        UNIQUE (client_id, service_id, method, path)
                    )
                    """,
                    "CREATE INDEX exchange_access_rights_service ON exchange_access_rights (service_id)",
                    """
                    CREATE TABLE exchange_registry_revision (
                        singleton INTEGER NOT NULL PRIMARY KEY,
                        revision BIGINT NOT NULL
                    )
                    """,
                    "INSERT INTO exchange_registry_revision (singleton, revision) VALUES (1, 0)",
                    """
                    CREATE TABLE exchange_global_configurations (
                        version BIGINT NOT NULL PRIMARY KEY,
                        registry_revision BIGINT NOT NULL,
                        created_at BIGINT NOT NULL,
                        expires_at BIGINT NOT NULL,
                        content \(bytes) NOT NULL,
                        signature \(bytes) NOT NULL
                    )
                    """,
                ]
            })
    ]
}
