-- An appointment holds its slot for at most 36 hours (a service of at most 24 h and
-- a buffer of at most 12 h), so an overlap lookup need only look 37 hours back from
-- the slot: its cost is the calendar around the slot, not the calendar's whole past.
CREATE TRIGGER appointments_span_insert BEFORE INSERT ON appointments
BEGIN
    SELECT RAISE(ABORT, 'appointments_span')
    WHERE julianday(NEW.blocked_until) - julianday(NEW.starts_at) > 1.5
       OR julianday(NEW.ends_at) - julianday(NEW.starts_at) > 1.5;
END;

CREATE TRIGGER appointments_span_update BEFORE UPDATE ON appointments
BEGIN
    SELECT RAISE(ABORT, 'appointments_span')
    WHERE julianday(NEW.blocked_until) - julianday(NEW.starts_at) > 1.5
       OR julianday(NEW.ends_at) - julianday(NEW.starts_at) > 1.5;
END;

-- The overlap checks, bounded below (they used only the upper bound on starts_at).
DROP TRIGGER appointments_no_overlap_insert;
DROP TRIGGER appointments_no_overlap_update;

CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
    SELECT RAISE(ABORT, 'appointments_practitioner_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.practitioner_id = NEW.practitioner_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
    SELECT RAISE(ABORT, 'appointments_room_overlap') WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM appointments a WHERE a.room_id = NEW.room_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
    SELECT RAISE(ABORT, 'appointments_patient_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.patient_id = NEW.patient_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
END;
CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
    SELECT RAISE(ABORT, 'appointments_practitioner_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.practitioner_id = NEW.practitioner_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
    SELECT RAISE(ABORT, 'appointments_room_overlap') WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.room_id = NEW.room_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.blocked_until AND NEW.starts_at < a.blocked_until
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
    SELECT RAISE(ABORT, 'appointments_patient_overlap') WHERE EXISTS (
        SELECT 1 FROM appointments a WHERE a.id <> NEW.id AND a.patient_id = NEW.patient_id
        AND a.status NOT IN ('cancelled', 'no_show')
        AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
        AND a.starts_at > datetime(NEW.starts_at, '-37 hours'));
END;
