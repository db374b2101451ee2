public import Storage

extension MessageLog {
    /// Exchange version 5: one statement appends records (`INSERT INTO exchange_log_append VALUES (…), (…)`).
    ///
    /// The view takes a record's columns, its body (or NULL) and `not_before`, the oldest acceptance time a record
    /// still waiting for a time-stamp may have. Its trigger refuses the whole statement with
    /// ``overdueMarker`` when one is older (time-stamping has failed for too long), and otherwise inserts the record,
    /// queues it for stamping and keeps its body: what a transaction of three inserts per record did before, in one
    /// round trip to the engine that commits on its own (``Database/statement(_:)``).
    static let appendViewMigrations: [Migration] = [
        Migration(
            module: "exchange", version: 5, name: "append message-log records in one statement",
            statements: { engine in
                let view = """
                    CREATE VIEW exchange_log_append AS
                    SELECT r.message_id, r.direction, r.client, r.service, r.created_at, r.record, r.record_hash,
                        b.body, r.created_at AS not_before
                    FROM exchange_log_records r LEFT JOIN exchange_log_bodies b ON b.seq = r.seq
                    WHERE 1 = 0
                    """
                switch engine {
                case .sqlite:
                    // Inside the trigger the new record is the newest: the writer holds SQLite's one write lock.
                    return [
                        view,
                        """
                        CREATE TRIGGER exchange_log_append_row INSTEAD OF INSERT ON exchange_log_append
                        BEGIN
                            SELECT RAISE(ABORT, '\(overdueMarker)')
                            WHERE EXISTS (SELECT 1 FROM exchange_log_pending WHERE created_at < NEW.not_before);
                            INSERT INTO exchange_log_records (message_id, direction, client, service, created_at,
                                record, record_hash)
                            VALUES (NEW.message_id, NEW.direction, NEW.client, NEW.service, NEW.created_at, NEW.record,
                                NEW.record_hash);
                            INSERT INTO exchange_log_pending (seq, created_at)
                            SELECT MAX(seq), NEW.created_at FROM exchange_log_records;
                            INSERT INTO exchange_log_bodies (seq, body)
                            SELECT seq, NEW.body FROM exchange_log_records WHERE NEW.body IS NOT NULL
                            ORDER BY seq DESC LIMIT 1;
                        END
                        """,
                    ]
                case .postgres:
                    return [
                        view,
                        """
                        CREATE FUNCTION exchange_log_append_row() RETURNS trigger LANGUAGE plpgsql AS $$
                        DECLARE
                            new_seq BIGINT;
                        BEGIN
                            IF EXISTS (SELECT 1 FROM exchange_log_pending WHERE created_at < NEW.not_before) THEN
                                RAISE EXCEPTION '\(overdueMarker)';
                            END IF;
                            INSERT INTO exchange_log_records (message_id, direction, client, service, created_at,
                                record, record_hash)
                            VALUES (NEW.message_id, NEW.direction, NEW.client, NEW.service, NEW.created_at, NEW.record,
                                NEW.record_hash)
                            RETURNING seq INTO new_seq;
                            INSERT INTO exchange_log_pending (seq, created_at) VALUES (new_seq, NEW.created_at);
                            IF NEW.body IS NOT NULL THEN
                                INSERT INTO exchange_log_bodies (seq, body) VALUES (new_seq, NEW.body);
                            END IF;
                            RETURN NEW;
                        END
                        $$
                        """,
                        """
                        CREATE TRIGGER exchange_log_append_row INSTEAD OF INSERT ON exchange_log_append
                        FOR EACH ROW EXECUTE FUNCTION exchange_log_append_row()
                        """,
                    ]
                }
            })
    ]

    /// The error text with which the append view refuses records while time-stamping is overdue.
    static let overdueMarker = "civitas: exchange log time-stamping overdue"
}
