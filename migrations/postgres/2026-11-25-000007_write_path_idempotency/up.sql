-- A stored answer keeps the headers a replay must repeat (ETag, Location).
ALTER TABLE idempotency_keys ADD COLUMN response_headers TEXT;
