public import Storage

extension MessageLog {
    /// The message log's part of the Exchange block's schema history: version 2, after the central registry's
    /// version 1 (`ExchangeMigrations.all`, to which the composition appends these).
    ///
    /// Records are only ever inserted; a record's time-stamp lives in its own row (`exchange_log_stamps`), and the
    /// queue of records still to stamp (`exchange_log_pending`) is what the stamper consumes, so no record row is
    /// updated. Archiving moves stamped records to files and leaves an index row for each.
    public static let migrations: [Migration] = [
        Migration(
            module: "exchange", version: 2, name: "create the message log (records, bodies, stamps, archives)",
            statements: { engine in
                let bytes = engine.bytesType
                let key =
                    engine == .sqlite
                    ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                return [
                    """
                    CREATE TABLE exchange_log_records (
                        seq \(key),
                        message_id TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        client TEXT NOT NULL,
                        service TEXT NOT NULL,
                        created_at BIGINT NOT NULL,
                        record \(bytes) NOT NULL,
                        record_hash \(bytes) NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_log_records_message ON exchange_log_records (message_id)",
                    "CREATE INDEX exchange_log_records_created ON exchange_log_records (created_at)",
                    "CREATE TABLE exchange_log_bodies (seq BIGINT NOT NULL PRIMARY KEY, body \(bytes) NOT NULL)",
                    "CREATE TABLE exchange_log_pending (seq BIGINT NOT NULL PRIMARY KEY, created_at BIGINT NOT NULL)",
                    "CREATE INDEX exchange_log_pending_created ON exchange_log_pending (created_at)",
                    """
                    CREATE TABLE exchange_log_batches (
                        id \(key),
                        tree_size BIGINT NOT NULL,
                        root \(bytes) NOT NULL,
                        token \(bytes) NOT NULL,
                        gen_time BIGINT NOT NULL,
                        stamped_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE exchange_log_stamps (
                        seq BIGINT NOT NULL PRIMARY KEY,
                        batch_id BIGINT NOT NULL,
                        leaf_index BIGINT NOT NULL,
                        path \(bytes) NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_log_stamps_batch ON exchange_log_stamps (batch_id)",
                    """
                    CREATE TABLE exchange_log_archives (
                        id \(key),
                        file_name TEXT NOT NULL UNIQUE,
                        period TEXT NOT NULL,
                        record_count BIGINT NOT NULL,
                        digest \(bytes) NOT NULL,
                        created_at BIGINT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE exchange_log_archived (
                        seq BIGINT NOT NULL PRIMARY KEY,
                        message_id TEXT NOT NULL,
                        archive_id BIGINT NOT NULL,
                        position BIGINT NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_log_archived_message ON exchange_log_archived (message_id)",
                ]
            })
    ]
}
