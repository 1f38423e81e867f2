-- The audit chain's keyed MAC (HMAC-SHA256, key outside the database) starts after
-- the rows that exist now: those were chained with plain SHA-256 and are checked so.
-- The app copies this value into its anchor file on first start, and from then on
-- trusts the file, so lowering it here later is caught.
CREATE TABLE audit_mac_start (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO audit_mac_start (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_log;

CREATE TRIGGER audit_mac_start_no_change BEFORE UPDATE OR DELETE ON audit_mac_start
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
