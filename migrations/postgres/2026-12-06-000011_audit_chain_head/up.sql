-- Takes the audit chain's lock and then reads the chain's head, in one round trip.
-- Every audited write holds the chain lock until it commits, so the time under the
-- lock bounds how many audited writes commit per second; the lock and the head read
-- were two round trips. The head must be read after the lock is granted, with a
-- snapshot taken then (the appender before may have committed while this one
-- waited): a VOLATILE PL/pgSQL function takes a new snapshot for each statement in
-- it, under READ COMMITTED.
CREATE FUNCTION audit_chain_head(lock_key BIGINT, OUT seq BIGINT, OUT hash TEXT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Under REPEATABLE READ or SERIALIZABLE the head below would be read with the
    -- transaction's first snapshot, from before the lock: refuse rather than fork.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_chain_head needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT a.seq, a.hash INTO seq, hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END
$$;
