DROP INDEX working_hours_practitioner;
CREATE INDEX working_hours_practitioner ON working_hours (practitioner_id);
DROP INDEX appointments_room;
CREATE INDEX appointments_room ON appointments (room_id, starts_at);
DROP INDEX appointments_patient;
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
DROP INDEX appointments_practitioner;
CREATE INDEX appointments_practitioner ON appointments (practitioner_id, starts_at);
