-- Back to `seq BIGINT PRIMARY KEY` (a separate index beside the rowid).
CREATE TABLE audit_log_rowid (
    seq BIGINT PRIMARY KEY NOT NULL,
    id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    at TIMESTAMP NOT NULL,
    actor_id BLOB,
    actor_role TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    patient_id BLOB,
    ip TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_log_rowid (seq, id, at, actor_id, actor_role, action, entity_type,
    entity_id, patient_id, ip, request_id, prev_hash, hash)
SELECT seq, id, at, actor_id, actor_role, action, entity_type,
    entity_id, patient_id, ip, request_id, prev_hash, hash
FROM audit_log ORDER BY seq;
-- Dropping a table runs no DELETE trigger; its indexes and triggers go with it.
DROP TABLE audit_log;
ALTER TABLE audit_log_rowid RENAME TO audit_log;

CREATE INDEX audit_log_patient ON audit_log (patient_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The audit log is append-only: the database itself refuses changes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
