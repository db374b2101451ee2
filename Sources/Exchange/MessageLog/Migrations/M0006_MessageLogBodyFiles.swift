public import Storage

extension MessageLog {
    /// Exchange version 6: a body may be kept as a file (``MessageLogConfiguration/bodyDirectory``) whose name is in
    /// its row (`exchange_log_bodies.file_name`, with no bytes in `body`); the append view takes it as `body_file`.
    static let bodyFileMigrations: [Migration] = [
        Migration(
            module: "exchange", version: 6, name: "keep large message-log bodies as files",
            statements: { engine in
                let view = """
                    CREATE VIEW exchange_log_append AS
                    SELECT r.message_id, r.direction, r.client, r.service, r.created_at, r.record, r.record_hash,
                        b.body, b.file_name AS body_file, r.created_at AS not_before
                    FROM exchange_log_records r LEFT JOIN exchange_log_bodies b ON b.seq = r.seq
                    WHERE 1 = 0
                    """
                let column = "ALTER TABLE exchange_log_bodies ADD COLUMN file_name TEXT"
                switch engine {
                case .sqlite:
                    return [
                        column,
                        "DROP TRIGGER exchange_log_append_row",
                        "DROP VIEW exchange_log_append",
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
                            INSERT INTO exchange_log_bodies (seq, body, file_name)
                            SELECT seq, COALESCE(NEW.body, X''), NEW.body_file FROM exchange_log_records
                            WHERE NEW.body IS NOT NULL OR NEW.body_file IS NOT NULL
                            ORDER BY seq DESC LIMIT 1;
                        END
                        """,
                    ]
                case .postgres:
                    return [
                        column,
                        "DROP VIEW exchange_log_append",
                        view,
                        """
                        CREATE OR REPLACE FUNCTION exchange_log_append_row() RETURNS trigger LANGUAGE plpgsql AS $$
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
                            IF NEW.body IS NOT NULL OR NEW.body_file IS NOT NULL THEN
                                INSERT INTO exchange_log_bodies (seq, body, file_name)
                                VALUES (new_seq, COALESCE(NEW.body, ''::bytea), NEW.body_file);
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
}
