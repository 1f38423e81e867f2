-- Portal accounts and password resets: single-use set-password tokens (stored as
-- SHA-256 only) and the email outbox that carries their links (SQLite).
CREATE TABLE password_tokens (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    user_id BLOB NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL CHECK (purpose IN ('set_password', 'reset')),
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_tokens_user ON password_tokens (user_id, created_at);

-- The body is cleared once sent: a link must not outlive its delivery in the database.
CREATE TABLE email_outbox (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);

-- Who last set a patient's email, and when: a portal login may not be sent by the same
-- person within a day (four eyes), decided inside the portal-account transaction.
ALTER TABLE patients ADD COLUMN email_set_by BLOB;
ALTER TABLE patients ADD COLUMN email_set_at TIMESTAMP;
