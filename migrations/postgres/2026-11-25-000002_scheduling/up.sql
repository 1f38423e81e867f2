-- Scheduling (PostgreSQL): clinic set-up, appointments with database-enforced
-- no-double-booking, idempotency keys, reminder outbox, calendar tokens.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE locations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE rooms (
    id UUID PRIMARY KEY,
    location_id UUID NOT NULL REFERENCES locations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rooms_location ON rooms (location_id);

CREATE TABLE practitioners (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL UNIQUE REFERENCES users (id),
    display_name TEXT NOT NULL,
    title TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE working_hours (
    id UUID PRIMARY KEY,
    practitioner_id UUID NOT NULL REFERENCES practitioners (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    location_id UUID NOT NULL REFERENCES locations (id),
    CHECK (end_minute > start_minute)
);
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id);

CREATE TABLE time_off (
    id UUID PRIMARY KEY,
    practitioner_id UUID NOT NULL REFERENCES practitioners (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX time_off_practitioner ON time_off (practitioner_id, starts_at);

CREATE TABLE services (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    buffer_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 720),
    requires_room BOOLEAN NOT NULL DEFAULT FALSE,
    consent_template_id UUID,
    follow_up_days TEXT NOT NULL DEFAULT '[]',
    follow_up_service_id UUID REFERENCES services (id),
    patient_bookable BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE appointments (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    practitioner_id UUID NOT NULL REFERENCES practitioners (id),
    service_id UUID NOT NULL REFERENCES services (id),
    room_id UUID REFERENCES rooms (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
    notes TEXT,
    cancel_reason TEXT,
    follow_up_of UUID REFERENCES appointments (id),
    follow_up_offset_days INTEGER,
    booked_by UUID REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (blocked_until >= ends_at),
    -- No double booking, enforced by the database (half-open ranges; SPEC §6).
    CONSTRAINT appointments_practitioner_overlap EXCLUDE USING gist (
        practitioner_id WITH =, tsrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (status NOT IN ('cancelled', 'no_show')),
    CONSTRAINT appointments_room_overlap EXCLUDE USING gist (
        room_id WITH =, tsrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (room_id IS NOT NULL AND status NOT IN ('cancelled', 'no_show')),
    CONSTRAINT appointments_patient_overlap EXCLUDE USING gist (
        patient_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (status NOT IN ('cancelled', 'no_show'))
);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
CREATE UNIQUE INDEX appointments_one_follow_up_per_offset
    ON appointments (follow_up_of, follow_up_offset_days)
    WHERE follow_up_of IS NOT NULL AND status NOT IN ('cancelled', 'no_show');

CREATE TABLE idempotency_keys (
    user_id UUID NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE reminders (
    id UUID PRIMARY KEY,
    appointment_id UUID NOT NULL UNIQUE REFERENCES appointments (id),
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
    practitioner_id UUID PRIMARY KEY REFERENCES practitioners (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
