DROP TRIGGER appointments_no_overlap_insert;
DROP TRIGGER appointments_no_overlap_update;
DROP TRIGGER appointments_span_insert;
DROP TRIGGER appointments_span_update;

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
