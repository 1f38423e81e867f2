-- The overlap lookups (a free-slot search, every booking's checks) read, for each
-- appointment around the slot, only its times, status, room and id. With those
-- carried in the index, PostgreSQL can answer them by an index-only scan. The keys
-- are unchanged, so every query that used these indexes still can.
DROP INDEX appointments_practitioner;
CREATE INDEX appointments_practitioner ON appointments (practitioner_id, starts_at)
    INCLUDE (blocked_until, ends_at, status, room_id, id);
DROP INDEX appointments_patient;
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at)
    INCLUDE (ends_at, blocked_until, status, room_id, id);
DROP INDEX appointments_room;
CREATE INDEX appointments_room ON appointments (room_id, starts_at)
    INCLUDE (blocked_until, ends_at, status, id);

-- A practitioner's working hours in the order the calendar reads them.
DROP INDEX working_hours_practitioner;
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id, weekday, start_minute)
    INCLUDE (end_minute, location_id, id);
