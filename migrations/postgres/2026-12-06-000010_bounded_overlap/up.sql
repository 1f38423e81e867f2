-- An appointment holds its slot for at most 36 hours (a service of at most 24 h and
-- a buffer of at most 12 h), so an overlap lookup need only look 37 hours back from
-- the slot; these B-tree indexes serve both bounds of its range on starts_at.
ALTER TABLE appointments ADD CONSTRAINT appointments_span CHECK (
    blocked_until - starts_at <= interval '36 hours'
    AND ends_at - starts_at <= interval '36 hours'
);
CREATE INDEX appointments_practitioner ON appointments (practitioner_id, starts_at);
CREATE INDEX appointments_room ON appointments (room_id, starts_at);
