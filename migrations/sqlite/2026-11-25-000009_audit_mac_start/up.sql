-- The audit chain's keyed MAC (HMAC-SHA256, key outside the database) starts after
-- the rows that exist now: those were chained with plain SHA-256 and are checked so.
-- The app copies this value into its anchor file on first start, and from then on
-- trusts the file, so lowering it here later is caught.
CREATE TABLE audit_mac_start (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO audit_mac_start (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_log;

CREATE TRIGGER audit_mac_start_no_update BEFORE UPDATE ON audit_mac_start
BEGIN
    SELECT RAISE(ABORT, 'audit_mac_start is fixed');
END;
CREATE TRIGGER audit_mac_start_no_delete BEFORE DELETE ON audit_mac_start
BEGIN
    SELECT RAISE(ABORT, 'audit_mac_start is fixed');
END;
