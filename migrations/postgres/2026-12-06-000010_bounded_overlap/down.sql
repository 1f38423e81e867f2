DROP INDEX appointments_room;
DROP INDEX appointments_practitioner;
ALTER TABLE appointments DROP CONSTRAINT appointments_span;
