-- Scheduling (SQLite): clinic set-up, appointments with database-enforced
-- no-double-booking, idempotency keys, reminder outbox, calendar tokens.

CREATE TABLE locations (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    name TEXT NOT NULL,
    address TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE rooms (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    location_id BLOB NOT NULL REFERENCES locations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rooms_location ON rooms (location_id);

CREATE TABLE practitioners (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    user_id BLOB NOT NULL UNIQUE REFERENCES users (id),
    display_name TEXT NOT NULL,
    title TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE working_hours (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    practitioner_id BLOB NOT NULL REFERENCES practitioners (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    location_id BLOB NOT NULL REFERENCES locations (id),
    CHECK (end_minute > start_minute)
);
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id);

CREATE TABLE time_off (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    practitioner_id BLOB NOT NULL REFERENCES practitioners (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX time_off_practitioner ON time_off (practitioner_id, starts_at);

CREATE TABLE services (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 720),
    requires_room BOOLEAN NOT NULL DEFAULT 0,
    consent_template_id BLOB,
    follow_up_days TEXT NOT NULL DEFAULT '[]',
    follow_up_service_id BLOB REFERENCES services (id),
    patient_bookable BOOLEAN NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE appointments (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    practitioner_id BLOB NOT NULL REFERENCES practitioners (id),
    service_id BLOB NOT NULL REFERENCES services (id),
    room_id BLOB REFERENCES rooms (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
    notes TEXT,
    cancel_reason TEXT,
    follow_up_of BLOB REFERENCES appointments (id),
    follow_up_offset_days INTEGER,
    booked_by BLOB REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (blocked_until >= ends_at)
);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
CREATE UNIQUE INDEX appointments_one_follow_up_per_offset
    ON appointments (follow_up_of, follow_up_offset_days)
    WHERE follow_up_of IS NOT NULL AND status NOT IN ('cancelled', 'no_show');

CREATE INDEX appointments_practitioner ON appointments (practitioner_id, starts_at);
CREATE INDEX appointments_room ON appointments (room_id, starts_at);

-- No double booking, enforced by the database (half-open ranges; SPEC §6). Writers
-- take the write lock first (BEGIN IMMEDIATE), so check and insert cannot interleave.
CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
    SELECT RAISE(ABORT, 'appointments_practitioner_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.practitioner_id = NEW.practitioner_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until);
    SELECT RAISE(ABORT, 'appointments_room_overlap') WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM appointments a WHERE a.room_id = NEW.room_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until);
    SELECT RAISE(ABORT, 'appointments_patient_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.patient_id = NEW.patient_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at);
END;
CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
    SELECT RAISE(ABORT, 'appointments_practitioner_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.practitioner_id = NEW.practitioner_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until);
    SELECT RAISE(ABORT, 'appointments_room_overlap') WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.room_id = NEW.room_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until);
    SELECT RAISE(ABORT, 'appointments_patient_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.patient_id = NEW.patient_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at);
END;

CREATE TABLE idempotency_keys (
    user_id BLOB NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE reminders (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    appointment_id BLOB NOT NULL UNIQUE REFERENCES appointments (id),
    send_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'cancelled', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reminders_due ON reminders (status, next_attempt_at);

CREATE TABLE calendar_tokens (
    practitioner_id BLOB PRIMARY KEY REFERENCES practitioners (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
