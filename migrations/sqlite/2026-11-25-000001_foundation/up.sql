-- Foundation: patients, users, sessions, login throttle, audit log (SQLite).
-- UUIDs are 16-byte BLOBs; instants are UTC text timestamps.

CREATE TABLE patients (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    mrn TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    sex TEXT CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone TEXT,
    email TEXT,
    address TEXT,
    emergency_contact TEXT,
    allergies TEXT NOT NULL DEFAULT '[]',
    medications TEXT NOT NULL DEFAULT '[]',
    medical_history TEXT,
    fitzpatrick_type INTEGER CHECK (fitzpatrick_type BETWEEN 1 AND 6),
    archived BOOLEAN NOT NULL DEFAULT 0,
    given_name_search TEXT NOT NULL,
    family_name_search TEXT NOT NULL,
    email_search TEXT,
    phone_search TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX patients_given_name_search ON patients (given_name_search);
-- Family first: serves a surname prefix alone and "given family" pairs.
CREATE INDEX patients_family_given_search ON patients (family_name_search, given_name_search);
CREATE INDEX patients_email_search ON patients (email_search);
CREATE INDEX patients_phone_search ON patients (phone_search);
CREATE INDEX patients_date_of_birth ON patients (date_of_birth);
CREATE INDEX patients_created ON patients (created_at, id);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'front_desk', 'practitioner', 'patient')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    patient_id BLOB UNIQUE REFERENCES patients (id),
    totp_secret TEXT,
    totp_confirmed BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((role = 'patient') = (patient_id IS NOT NULL))
);

CREATE TABLE sessions (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    token_hash TEXT NOT NULL UNIQUE,
    user_id BLOB NOT NULL REFERENCES users (id),
    via_cookie BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (throttle_key, at);

CREATE TABLE audit_log (
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
